"""The database as files, for backups and restores (the port: DatabaseFiles in
workflow/services/ports.py; the use cases: workflow/services/backup.py).

SQLite is copied with its online backup API, PostgreSQL with pg_dump on an exported snapshot;
what the manifest records is read from that very copy or snapshot.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import NullPool

from workflow.adapters.uow import SqlUnitOfWork
from workflow.errors import InvalidInput
from workflow.services.backup import DIALECTS, BackupError
from workflow.services.ports import DatabaseFiles, UnitOfWork

T = TypeVar("T")


class SqlDatabaseFiles(DatabaseFiles):
    """The configured database, as an Engine reaches it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return _dialect(self.engine)

    def describe(self) -> str:
        return self.engine.url.render_as_string()

    def live_file(self) -> Path | None:
        return _sqlite_file(self.engine)

    def copy_to(self, target: Path, read: Callable[[UnitOfWork], T]) -> T:
        copy = _backup_sqlite if self.dialect == "sqlite" else _backup_postgres
        return copy(self.engine, target, read)

    def replace_with(self, source: Path) -> None:
        self.engine.dispose()
        if self.dialect == "sqlite":
            _restore_sqlite(self.engine, source)
        else:
            _restore_postgres(self.engine, source)

    def read(self, read: Callable[[UnitOfWork], T]) -> T:
        return read(SqlUnitOfWork(self.engine))


def _backup_sqlite(engine: Engine, tmp: Path, read: Callable[[UnitOfWork], T]) -> T:
    """The online backup API: a consistent copy while other connections keep writing."""
    raw = engine.raw_connection()
    try:
        dst = sqlite3.connect(tmp)
        try:
            source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
            source.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(str(exc)) from None
    finally:
        raw.close()
    return _with_engine(_sqlite_reader(tmp), read)


def _backup_postgres(engine: Engine, tmp: Path, read: Callable[[UnitOfWork], T]) -> T:
    """pg_dump on an exported snapshot; the counts and the chain check read the same one."""
    tool = find_pg_tool("pg_dump")
    conninfo, env = libpq_connection(engine.url)
    with engine.connect() as holder:
        holder = holder.execution_options(isolation_level="REPEATABLE READ")
        with holder.begin():
            snapshot = str(holder.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
            _run([tool, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                  f"--file={tmp}", f"--dbname={conninfo}"], env, "pg_dump")
            reader = _snapshot_reader(engine.url, snapshot)
            return _with_engine(reader, read)


def _sqlite_reader(path: Path) -> Engine:
    uri = path.resolve().as_uri() + "?mode=ro"
    return sa.create_engine(
        "sqlite://", poolclass=NullPool,
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
    )


def _snapshot_reader(url: URL, snapshot: str) -> Engine:
    """An engine whose every transaction sees the exported snapshot."""
    engine = sa.create_engine(url, poolclass=NullPool, isolation_level="REPEATABLE READ")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")

    return engine


def _with_engine(engine: Engine, read: Callable[[UnitOfWork], T]) -> T:
    try:
        return read(SqlUnitOfWork(engine))
    finally:
        engine.dispose()


def _restore_sqlite(engine: Engine, path: Path) -> None:
    target = _sqlite_file(engine)
    if target is None:
        raise BackupError("the database is in memory")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target, timeout=30)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"{target}: {exc}") from None


def _restore_postgres(engine: Engine, path: Path) -> None:
    tool = find_pg_tool("pg_restore")
    conninfo, env = libpq_connection(engine.url)
    _run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--no-password",
          f"--dbname={conninfo}", str(path)], env, "pg_restore")


def _dialect(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in DIALECTS:
        raise InvalidInput(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def find_pg_tool(name: str) -> str:
    """A PostgreSQL client program: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_major, reverse=True)
    if candidates:
        return candidates[0]
    raise BackupError(f"{name} was not found (on PATH or in /usr/lib/postgresql/*/bin): install "
                      "the PostgreSQL client tools (Debian: apt-get install postgresql-client)")


def _major(tool: str) -> int:
    version = Path(tool).parent.parent.name
    return int(version) if version.isdigit() else 0


def libpq_connection(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the SQLAlchemy URL, and the environment to run a client
    program with (the password goes in PGPASSWORD, never on the command line)."""
    if not url.database:
        raise InvalidInput(f"{url.render_as_string()}: the URL names no database")
    parts: dict[str, Any] = {"host": url.host, "port": url.port, "user": url.username,
                             "dbname": url.database}
    for key, value in url.query.items():
        parts[key] = value if isinstance(value, str) else value[-1]
    conninfo = " ".join(f"{key}={_quote(str(value))}" for key, value in parts.items()
                        if value not in (None, ""))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"cannot run {what} ({args[0]}): {exc.strerror or exc}") from None
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()[-5:]
        raise BackupError(f"{what} failed (exit {proc.returncode}): " + " / ".join(detail))
