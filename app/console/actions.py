"""One way a console form takes a step: call the domain (the same function as the API's view), commit,
say what was done and go back (303); a refused step writes nothing and shows its page again with the
reason, answering the error's status. Out of scope stays the console's 404 page, exactly like absent."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from werkzeug.wrappers import Response

from app.errors import AppError
from app.extensions import db


def act(
    do: Callable[[], object], *, back: str, failed: Callable[[AppError], Response], done: str | None = None
) -> Response:
    """`do()` returns what to tell the viewer (or `done` says it)."""
    try:
        said = do()
        db.session.commit()
    except AppError as exc:
        if exc.kind in ("not_found", "unauthenticated"):
            raise
        db.session.rollback()
        return failed(exc)
    flash(done if done is not None else str(said), "success")
    return redirect(back, 303)
