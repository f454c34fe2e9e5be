"""Backups of the whole database with a manifest, and restores that verify what they restored.

A backup FILE comes with FILE.manifest.json: the dialect, the schema revision, the row count of
every table, the history chain check and the file's SHA-256. The counts and the chain check are
taken from the very snapshot the backup holds (SQLite: the copied file itself; PostgreSQL: the
snapshot pg_dump used), so they match it exactly even while the application keeps writing.

A restore refuses a file without its manifest, a damaged file (SHA-256) or one of the other
dialect; after restoring it counts the rows again and re-checks the history chain.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import NullPool

from workflow.adapters.db import read_connection
from workflow.engine.hashing import HistoryChain
from workflow.errors import InvalidInput, NotFound, WorkflowError
from workflow.services.audit import AuditReport, verify

if TYPE_CHECKING:
    from workflow.bootstrap import Services

MANIFEST_FORMAT = 1
DIALECTS = ("sqlite", "postgresql")


class BackupError(WorkflowError):
    """A backup or restore that could not be done; the message names the file."""

    code = "backup_failed"


class RestoreFailed(BackupError):
    """The data was restored but does not match the manifest (counts or history chain)."""

    def __init__(self, report: RestoreReport) -> None:
        self.report = report
        lines = "\n".join(f"  {p}" for p in report.problems)
        super().__init__(f"{report.path}: restored, but the verification FAILED:\n{lines}")


@dataclass(frozen=True, slots=True)
class Manifest:
    """What FILE.manifest.json says about a backup FILE."""

    dialect: str
    revision: str | None
    sha256: str
    size: int
    created_at: str
    counts: dict[str, int]
    instances: int
    entries: int
    problems: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps({
            "format": MANIFEST_FORMAT, "created_at": self.created_at, "dialect": self.dialect,
            "revision": self.revision, "sha256": self.sha256, "size": self.size,
            "tables": self.counts,
            "history": {"instances": self.instances, "entries": self.entries,
                        "problems": list(self.problems)},
        }, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        history = data["history"]
        return cls(
            dialect=str(data["dialect"]), revision=data["revision"], sha256=str(data["sha256"]),
            size=int(data["size"]), created_at=str(data["created_at"]),
            counts={str(k): int(v) for k, v in data["tables"].items()},
            instances=int(history["instances"]), entries=int(history["entries"]),
            problems=tuple(str(p) for p in history["problems"]),
        )


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    manifest_path: Path
    manifest: Manifest
    history: AuditReport

    @property
    def counts(self) -> dict[str, int]:
        return self.manifest.counts

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class RestoreReport:
    path: Path
    manifest: Manifest
    counts: dict[str, int]
    revision: str | None
    history: AuditReport
    problems: tuple[str, ...] = ()  # verification failures
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class _Facts:
    """Row counts, schema revision and history check of one consistent view of a database."""

    counts: dict[str, int]
    revision: str | None
    history: AuditReport


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


# --- backup -----------------------------------------------------------------------------------


def backup(services: Services, path: Path) -> BackupReport:
    """Back the configured database up to `path` and write `path`.manifest.json beside it.

    A broken history chain does not stop the backup: its problems are recorded in the manifest
    and in the report (the caller warns)."""
    engine = services.engine
    dialect = _dialect(engine)
    path = Path(path)
    _check_target(path, engine)
    with _partial_file(path) as tmp:
        copy = _backup_sqlite if dialect == "sqlite" else _backup_postgres
        try:
            facts = copy(engine, tmp, services.chain)
        except BackupError as exc:
            raise BackupError(f"cannot back up to {path}: {exc}") from None
        if facts.revision is None:
            raise BackupError(f"cannot back up to {path}: the database "
                              f"{engine.url.render_as_string()} has no schema (nothing to save)")
        manifest = Manifest(
            dialect=dialect, revision=facts.revision, sha256=_sha256(tmp),
            size=tmp.stat().st_size, created_at=services.clock.now().isoformat(),
            counts=facts.counts, instances=facts.history.instances,
            entries=facts.history.entries,
            problems=tuple(str(p) for p in facts.history.problems),
        )
        with _partial_file(manifest_path(path)) as tmp_manifest:
            tmp_manifest.write_text(manifest.to_json(), encoding="utf-8")
            os.replace(tmp, path)
            os.replace(tmp_manifest, manifest_path(path))
    return BackupReport(path, manifest_path(path), manifest, facts.history)


def _check_target(path: Path, engine: Engine) -> None:
    if path.is_dir():
        raise BackupError(f"cannot back up to {path}: it is a folder")
    parent = path.parent
    if not parent.is_dir():
        raise BackupError(f"cannot back up to {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BackupError(f"cannot back up to {path}: permission denied")
    live = _sqlite_file(engine) if _dialect(engine) == "sqlite" else None
    if live is not None and path.resolve() == live.resolve():
        raise BackupError(f"cannot back up to {path}: it is the database file itself")


@contextlib.contextmanager
def _partial_file(path: Path) -> Iterator[Path]:
    """A temporary file beside `path`, removed unless the caller moved it into place."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as exc:
        raise BackupError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _backup_sqlite(engine: Engine, tmp: Path, chain: HistoryChain) -> _Facts:
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
    return _with_engine(_sqlite_reader(tmp), lambda e: _facts(e, chain))


def _backup_postgres(engine: Engine, tmp: Path, chain: HistoryChain) -> _Facts:
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
            return _with_engine(reader, lambda e: _facts(e, chain))


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


def _with_engine(engine: Engine, use: Callable[[Engine], _Facts]) -> _Facts:
    try:
        return use(engine)
    finally:
        engine.dispose()


def _facts(engine: Engine, chain: HistoryChain) -> _Facts:
    from alembic.migration import MigrationContext

    with read_connection(engine) as conn:
        names = sorted(sa.inspect(conn).get_table_names())
        counts = {
            name: int(conn.execute(
                sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one())
            for name in names
        }
        heads = MigrationContext.configure(conn).get_current_heads()
    revision = ",".join(sorted(heads)) or None
    history = verify(engine, chain) if revision else AuditReport(0, 0, ())
    return _Facts(counts, revision, history)


# --- restore ----------------------------------------------------------------------------------


def check(services: Services, path: Path) -> Manifest:
    """The manifest of backup `path`, once the file is found intact and of the right dialect."""
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"{path}: no such backup file")
    mpath = manifest_path(path)
    if not mpath.is_file():
        raise BackupError(f"{path}: its manifest {mpath.name} is missing; refusing to restore "
                          "a backup that cannot be verified")
    try:
        manifest = Manifest.from_json(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{mpath}: not a readable backup manifest ({exc})") from None
    dialect = _dialect(services.engine)
    if manifest.dialect != dialect:
        raise BackupError(f"{path} is a {manifest.dialect} backup; it cannot be restored into "
                          f"a {dialect} database")
    if _sha256(path) != manifest.sha256:
        raise BackupError(f"{path} is damaged: its SHA-256 does not match {mpath.name}; "
                          "refusing to restore it")
    return manifest


def restore(services: Services, path: Path) -> RestoreReport:
    """Replace the configured database with backup `path`, then verify it against the manifest.

    Raises RestoreFailed (with the report) when the restored data does not match."""
    path = Path(path)
    manifest = check(services, path)
    engine = services.engine
    services.workflows.store.close()  # the connections the engine's threads keep
    engine.dispose()
    try:
        if manifest.dialect == "sqlite":
            _restore_sqlite(engine, path)
        else:
            _restore_postgres(engine, path)
    except BackupError as exc:
        raise BackupError(f"cannot restore {path}: {exc}") from None
    facts = _facts(engine, services.chain)
    report = RestoreReport(
        path, manifest, facts.counts, facts.revision, facts.history,
        problems=tuple(_mismatches(manifest, facts)), warnings=tuple(_warnings(manifest, facts)),
    )
    if not report.ok:
        raise RestoreFailed(report)
    return report


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


def _mismatches(manifest: Manifest, facts: _Facts) -> Iterator[str]:
    for table, expected in sorted(manifest.counts.items()):
        found = facts.counts.get(table)
        if found is None:
            yield f"table {table} is missing (the backup has {expected} rows)"
        elif found != expected:
            yield f"table {table} has {found} rows, the backup has {expected}"
    if facts.revision != manifest.revision:
        yield f"schema revision {facts.revision}, the backup has {manifest.revision}"
    history = facts.history
    if (history.instances, history.entries) != (manifest.instances, manifest.entries):
        yield (f"history: {history.instances} instances and {history.entries} entries, the "
               f"backup has {manifest.instances} and {manifest.entries}")
    for problem in history.problems:
        if str(problem) not in manifest.problems:
            yield f"history chain: {problem}"


def _warnings(manifest: Manifest, facts: _Facts) -> Iterator[str]:
    if manifest.problems:
        yield (f"the backup's history chain already had {len(manifest.problems)} problem(s) "
               "when it was made: " + "; ".join(manifest.problems))
    for table in sorted(facts.counts.keys() - manifest.counts.keys()):
        yield f"table {table} is not in the backup and was left as it was"


# --- helpers ----------------------------------------------------------------------------------


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


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


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
