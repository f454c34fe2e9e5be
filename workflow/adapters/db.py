"""Database engines: SQLite (WAL, foreign keys, immediate write transactions) or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, CursorResult, Engine

SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


def create_db_engine(
    url: str, *, sqlite_synchronous: str = "NORMAL", echo: bool = False,
    pool_pre_ping: bool = False,
) -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys, a busy timeout and durability mode.

    A pre-ping costs one round trip per transaction on PostgreSQL, so it is a setting.
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, sqlite_synchronous.upper(), echo)
    return sa.create_engine(
        url, echo=echo, pool_pre_ping=pool_pre_ping, pool_size=10, max_overflow=20,
        pool_recycle=1800,
    )


def _sqlite_engine(url: str, synchronous: str, echo: bool) -> Engine:
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"database.sqlite_synchronous must be one of {SQLITE_SYNCHRONOUS}")
    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself, so writers can ask for IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MB of pages per connection
        # deleted content is overwritten with zeros, not left in free space (the ballot box)
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()
        # SQLite's lower() folds ASCII only ("Đua" stays "Đua"): searches by name use this
        dbapi_conn.create_function("casefold", 1, _casefold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write transaction takes the write lock at BEGIN: a reader that later writes would
        # otherwise fail at once with SQLITE_BUSY instead of waiting its turn.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def folded(conn: Connection, column: Any) -> Any:
    """A text column case-folded for a search, Vietnamese letters included."""
    return sa.func.casefold(column) if conn.dialect.name == "sqlite" else sa.func.lower(column)


def new_id(result: CursorResult[Any]) -> int:
    """The primary key the database gave the row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise RuntimeError("the database returned no id for the new row")
    return int(key[0])


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction, committed at the end or rolled back on error."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn = conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            yield conn


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for reads, in one transaction so that they see one snapshot."""
    with engine.connect() as conn, conn.begin():
        yield conn


def unavailable_errors() -> tuple[type[Exception], ...]:
    """The exceptions a database that is down (or restarting) raises through each driver."""
    import sqlite3

    import psycopg

    return (sa.exc.OperationalError, sa.exc.InterfaceError,
            sqlite3.OperationalError, psycopg.OperationalError, psycopg.InterfaceError)
