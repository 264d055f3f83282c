"""One way a console form takes a step, and one way a page lists what the viewer may see.

`act`: call the domain (the same function as the API's view), commit, then say what was done and go
back (303) — or answer with `then(result)`; a refused step writes nothing and shows its page again
with the reason, answering the error's status. Something out of sight stays the console's 404 page,
exactly like absent (a form's own "not found", such as a grid the village does not have, is shown
on its form like any refusal).

`in_sight`: the rows of a model the viewer may act on, scope in the query (app.domain.authz)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.console.pages import viewer
from app.domain import authz
from app.errors import AppError
from app.extensions import db

T = TypeVar("T")
M = TypeVar("M", bound=authz.Row)


def act(
    do: Callable[[], T],
    *,
    failed: Callable[[AppError], Response],
    back: str | None = None,
    done: str | None = None,
    then: Callable[[T], Response] | None = None,
) -> Response:
    try:
        result = do()
        db.session.commit()
    except AppError as exc:
        if exc.code == "not_found" or exc.kind == "unauthenticated":
            raise
        db.session.rollback()
        return failed(exc)
    if then is not None:
        return then(result)
    assert back is not None  # a step that answers by going back says where
    flash(done if done is not None else str(result), "success")
    return redirect(back, 303)


def in_sight(action: str, model: type[M], *order_by: Any) -> list[M]:
    """The rows of `model` the viewer may `action`, in order."""
    return list(db.session.scalars(select(model).where(authz.scoped(viewer(), action, model)).order_by(*order_by)))
