"""RQ jobs: plain functions taking ids, each safe to run twice (the second run changes nothing).

Jobs run inside an application context: the worker command pushes one, and `in_app_context`
builds one in processes that have none (e.g. a bare `rq worker`).
"""
from __future__ import annotations

import functools

from flask import current_app, has_app_context
from rq import Queue

from app.extensions import get_redis

_app = None


def _process_app():
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def in_app_context(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        with _process_app().app_context():
            return fn(*args, **kwargs)

    return wrapper


def queue() -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=get_redis())
