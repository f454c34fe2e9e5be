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
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.engine.hashing import HistoryChain
from workflow.errors import NotFound, WorkflowError
from workflow.services.audit import AuditReport, verify
from workflow.services.ports import DatabaseFiles, UnitOfWork

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
    files = services.database_files()
    dialect = files.dialect
    path = Path(path)
    _check_target(path, files)
    with _partial_file(path) as tmp:
        try:
            facts = files.copy_to(tmp, lambda uow: _facts(uow, services.chain))
        except BackupError as exc:
            raise BackupError(f"cannot back up to {path}: {exc}") from None
        if facts.revision is None:
            raise BackupError(f"cannot back up to {path}: the database "
                              f"{files.describe()} has no schema (nothing to save)")
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


def _check_target(path: Path, files: DatabaseFiles) -> None:
    if path.is_dir():
        raise BackupError(f"cannot back up to {path}: it is a folder")
    parent = path.parent
    if not parent.is_dir():
        raise BackupError(f"cannot back up to {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BackupError(f"cannot back up to {path}: permission denied")
    live = files.live_file() if files.dialect == "sqlite" else None
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


def _facts(uow: UnitOfWork, chain: HistoryChain) -> _Facts:
    with uow.read():
        counts = uow.schema.table_counts()
        revision = uow.schema.revision()
        history = verify(uow, chain) if revision else AuditReport(0, 0, ())
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
    dialect = services.database_files().dialect
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
    files = services.database_files()
    services.workflows.store.close()  # the connections the engine's threads keep
    try:
        files.replace_with(path)
    except BackupError as exc:
        raise BackupError(f"cannot restore {path}: {exc}") from None
    facts = files.read(lambda uow: _facts(uow, services.chain))
    report = RestoreReport(
        path, manifest, facts.counts, facts.revision, facts.history,
        problems=tuple(_mismatches(manifest, facts)), warnings=tuple(_warnings(manifest, facts)),
    )
    if not report.ok:
        raise RestoreFailed(report)
    return report


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


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


