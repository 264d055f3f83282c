"""The process's own app, for work that runs where no app context was pushed (a bare `rq worker`).

The factory registers itself here (app/__init__.py), so that code run by a worker can build the app
without importing the factory: everything the factory imports may use `in_app_context`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask, has_app_context

_factory: Callable[[], Flask] | None = None
_app: Flask | None = None


def set_factory(factory: Callable[[], Flask]) -> None:
    global _factory
    _factory = factory


def _process_app() -> Flask:
    global _app
    if _app is None:
        if _factory is None:
            raise RuntimeError("no app factory registered (import app first)")
        _app = _factory()
    return _app


def in_app_context(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        with _process_app().app_context():
            return fn(*args, **kwargs)

    return wrapper
