"""Single-row reads on PostgreSQL for the hottest path of the product (the door-code landing), one
network round trip and a few microseconds of Python each.

Through a SQLAlchemy pool and psycopg's cursor, the landing's one query cost more CPU in the web
worker than everything else the landing does (checkout, reset on return, the cursor machinery and
psycopg's generator protocol, which gives up and takes back the GIL several times a query: under
16 threads that is where the time went; see docs/performance.md). Here each thread of a process
keeps one autocommit connection of its own, prepares each statement on it once, and runs it with
libpq's blocking `PQexecPrepared` (psycopg's public `pq` layer; the GIL is released while it
waits); psycopg's own loaders turn the text result into Python values, the same ones its cursor
would give.

Reads only, of committed data. A connection that broke (the server restarted or dropped it) is
closed and the read tried once more on a fresh one; a statement the server forgot is prepared again.
"""

from __future__ import annotations

import itertools
import os
import threading

import psycopg
from psycopg import errors as pg_errors
from psycopg import pq
from psycopg.adapt import Transformer
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.engine import ConnectArgsType
from sqlalchemy.exc import DBAPIError, OperationalError

# $1, $2 ... placeholders, as PQprepare wants them
_DIALECT = psycopg_dialect.dialect(paramstyle="numeric_dollar")
_names = itertools.count(1)
_statements: dict[object, tuple[bytes, bytes, tuple[str, ...]]] = {}
_statements_lock = threading.Lock()

_UNDEFINED_PREPARED_STATEMENT = "26000"  # the server no longer has it (DISCARD ALL, a pooler between)


def _statement(statement) -> tuple[bytes, bytes, tuple[str, ...]]:
    """(name, SQL, parameter order) of a Core statement, compiled once per process."""
    found = _statements.get(statement)
    if found is None:
        compiled = statement.compile(dialect=_DIALECT)
        with _statements_lock:
            found = _statements.setdefault(
                statement,
                (f"mingjing_read_{next(_names)}".encode(), compiled.string.encode(), tuple(compiled.positiontup or ())),
            )
    return found


class _Connection:
    """One thread's connection: the psycopg connection, its loaders, what is prepared on it."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection
        self.pgconn = connection.pgconn
        self.loader = Transformer(connection)
        self.prepared: set[bytes] = set()


class ThreadConnections:
    """The per-thread connections of one app in one process (see the module's docstring)."""

    def __init__(self, connect_args: ConnectArgsType) -> None:
        self.cargs, self.cparams = connect_args
        self.pid = os.getpid()
        self.local = threading.local()
        self.open: list[psycopg.Connection] = []  # every thread's, to close them all at once
        self.lock = threading.Lock()

    def read_one(self, statement, params: dict) -> tuple | None:
        name, sql, order = _statement(statement)
        # parameters go as text; the statement's casts ($1::VARCHAR) tell the server their types
        args = [None if params[key] is None else str(params[key]).encode() for key in order]
        for attempt in (1, 2):
            try:
                this = self._connection()
                if name not in this.prepared:
                    self._check(this, this.pgconn.prepare(name, sql), sql, args)
                    this.prepared.add(name)
                # psycopg's stub leaves out None (SQL NULL), which libpq and psycopg's own code accept
                result = this.pgconn.exec_prepared(name, args)  # type: ignore[arg-type]
                if result.status == pq.ExecStatus.TUPLES_OK:
                    if result.ntuples == 0:
                        return None
                    this.loader.set_pgresult(result)
                    return this.loader.load_row(0, tuple)
                if result.error_field(pq.DiagnosticField.SQLSTATE) == _UNDEFINED_PREPARED_STATEMENT.encode():
                    this.prepared.clear()
                    continue
                self._check(this, result, sql, args)
            except psycopg.OperationalError as exc:  # connecting failed, or the connection broke
                self._drop()
                if attempt == 2:
                    raise OperationalError(sql.decode(), args, exc) from exc
        raise OperationalError(sql.decode(), args, psycopg.OperationalError("prepared statement lost twice"))

    def _check(self, this: _Connection, result, sql: bytes, args) -> None:
        if result.status in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
            return
        if this.pgconn.status != pq.ConnStatus.OK:
            raise psycopg.OperationalError(result.get_error_message())
        error = pg_errors.error_from_result(result, encoding=this.connection.info.encoding)
        raise DBAPIError.instance(sql.decode(), args, error, psycopg.Error)

    def _connection(self) -> _Connection:
        this = getattr(self.local, "connection", None)
        if this is None or this.connection.closed:
            connection = psycopg.connect(*self.cargs, **self.cparams, autocommit=True)
            this = self.local.connection = _Connection(connection)
            with self.lock:
                self.open = [c for c in self.open if not c.closed]
                self.open.append(connection)
        return this

    def _drop(self) -> None:
        this = getattr(self.local, "connection", None)
        self.local.connection = None
        if this is not None:
            this.connection.close()

    def close(self) -> None:
        """Close every thread's connection (the app is being disposed of). Never after a fork: the
        parent's connections are the parent's (app.extensions keeps them aside)."""
        with self.lock:
            connections, self.open = self.open, []
        for connection in connections:
            connection.close()
