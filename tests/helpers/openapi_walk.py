"""Reading the OpenAPI document for the walk: a path filled in, a session the operation accepts."""

from __future__ import annotations

import re


def fill_path(template: str, ids: dict, **override) -> str:
    """The operation's path with its {parameters} filled from ids (or override; 1 when unknown)."""
    return re.sub(r"\{(\w+)\}", lambda m: str(override.get(m.group(1), ids.get(m.group(1), 1))), template)


def token_for(app, operation: dict, tokens: dict) -> str | None:
    """A session of the kind the operation accepts (its declaration's `auth`), by its audience tags."""
    auth = app.view_functions[operation["operationId"].replace("_", ".", 1)].api_doc.auth
    if auth is None:
        return None
    kinds = {"wx": ("villager", "cadre"), "console": ("township", "county")}.get(
        auth, ("villager", "cadre", "township", "county")
    )
    return tokens[next((k for k in kinds if k in operation["tags"]), kinds[0])]
