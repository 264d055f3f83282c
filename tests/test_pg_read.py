"""read_one, the landing's single-row read: the same values as the ORM on every database, and on
PostgreSQL one connection per thread that survives what the server does to it (app.pg_read)."""

from __future__ import annotations

import os
import threading
import time

import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.domain import household_codes as hc
from app.extensions import db, dispose_engines, read_one
from app.models import Household
from app.pg_read import ThreadConnections
from tests import factories as f

on_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL's per-thread connections (scripts/test runs this leg)"
)

_ID_AND_NUMBER = select(Household.id, Household.number).where(Household.id == bindparam("household_id"))


def _home_with_code():
    home = f.household()
    code = hc.ensure_codes([home])[home.id]
    db.session.commit()
    return home, code


def _backend_pid(app) -> int:
    """The server process behind the calling thread's read_one connection."""
    return app.extensions["pg_read"].local.connection.connection.info.backend_pid


def _alive(pids, *, wait_for_none: bool = False) -> set[int]:
    """Which of these server processes still run (a closed connection's ends a moment later)."""
    deadline = time.monotonic() + 5
    while True:
        db.session.commit()  # pg_stat_activity is read once per transaction
        alive = set(
            db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE pid = ANY(:pids)"), {"pids": list(pids)})
        )
        if not (wait_for_none and alive and time.monotonic() < deadline):
            return alive
        time.sleep(0.05)


def test_read_one_gives_what_the_orm_gives(app):
    home, code = _home_with_code()
    row = hc.resolve_public(code)
    assert (row.id, row.number, row.grid_name, row.village_id) == (
        home.id,
        home.number,
        home.grid.name if home.grid else None,
        home.village_id,
    )
    assert row.village_revision == home.village.public_revision
    # the village's creation time, an opaque stamp for the landing's copies (text on SQLite's raw driver)
    assert str(row.village_created_at)[:19] == home.village.created_at.strftime("%Y-%m-%d %H:%M:%S")
    assert read_one(_ID_AND_NUMBER, {"household_id": home.id}) == (home.id, home.number)
    assert hc.resolve_public("0000000000000") is None  # no row: None


@on_postgresql
def test_each_thread_keeps_one_connection_and_dispose_closes_them_all(app):
    _home, code = _home_with_code()
    hc.resolve_public(code)
    first = _backend_pid(app)
    hc.resolve_public(code)
    assert _backend_pid(app) == first  # reused, not one per read

    seen = []

    def in_another_thread():
        with app.app_context():
            hc.resolve_public(code)
            seen.append(_backend_pid(app))

    threads = [threading.Thread(target=in_another_thread) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pids = set(seen + [first])
    assert len(pids) == 4
    assert _alive(pids) == pids
    dispose_engines()
    assert _alive(pids, wait_for_none=True) == set()


@on_postgresql
def test_a_connection_the_server_dropped_is_replaced_and_the_read_still_answers(app):
    home, code = _home_with_code()
    hc.resolve_public(code)
    dropped = _backend_pid(app)
    db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    db.session.commit()
    assert hc.resolve_public(code).id == home.id
    assert _backend_pid(app) != dropped


@on_postgresql
def test_a_statement_the_server_forgot_is_prepared_again(app):
    home, code = _home_with_code()
    hc.resolve_public(code)
    connection = app.extensions["pg_read"].local.connection.connection
    connection.execute("DEALLOCATE ALL")  # as DISCARD ALL from a pooler between us and the server would
    assert hc.resolve_public(code).id == home.id


@on_postgresql
def test_an_unreachable_server_is_an_operational_error_and_a_bad_statement_a_programming_error(app):
    cargs, cparams = db.engine.dialect.create_connect_args(db.engine.url)
    unreachable = ThreadConnections((cargs, {**cparams, "host": "127.0.0.1", "port": 9, "connect_timeout": 2}))
    with pytest.raises(OperationalError):  # the app answers 503 service_unavailable for this one
        unreachable.read_one(_ID_AND_NUMBER, {"household_id": 1})
    unreachable.close()
    assert read_one(_ID_AND_NUMBER, {"household_id": 1}) is None
    reader = app.extensions["pg_read"]
    with pytest.raises(ProgrammingError):
        reader.read_one(select(text("no_such_column")).select_from(Household.__table__), {})
    assert read_one(_ID_AND_NUMBER, {"household_id": 1}) is None  # the connection is still good
