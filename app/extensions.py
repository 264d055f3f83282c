"""Extensions live at module level and are bound in create_app (init_app pattern)."""
from __future__ import annotations

import os

from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from redis import Redis

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def get_redis() -> Redis:
    """One Redis client per app (and per process: it is rebuilt after a fork)."""
    app = current_app._get_current_object()
    pid = os.getpid()
    client = app.extensions.get("redis")
    if client is None or app.extensions.get("redis_pid") != pid:
        client = Redis.from_url(app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2)
        app.extensions["redis"] = client
        app.extensions["redis_pid"] = pid
    return client
