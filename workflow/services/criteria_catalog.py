"""Published criteria tables: versioned like workflow definitions; a campaign pins one."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Iterable
from pathlib import Path

from workflow.clock import Clock
from workflow.definitions.criteria_loader import (
    criteria_to_dict,
    load_criteria_paths,
    load_criteria_text,
)
from workflow.domain.criteria import CriteriaTable
from workflow.engine.hashing import canonical_json
from workflow.errors import NotFound
from workflow.services.catalog import SyncResult, decide_version
from workflow.services.ports import UnitOfWork, UnitOfWorkFactory


def content_hash(table: CriteriaTable) -> str:
    meaning = criteria_to_dict(table)
    meaning.pop("version", None)
    return hashlib.sha256(canonical_json(meaning).encode("utf-8")).hexdigest()


class CriteriaCatalog:
    """Stored criteria table versions, parsed once each."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock
        self._tables: dict[tuple[str, int], CriteriaTable] = {}
        self._lock = threading.Lock()

    def sync(
        self, paths: Iterable[Path | str], *, author: str = "system", base: Path | None = None
    ) -> list[SyncResult]:
        """Validate every criteria file and publish each one that changed; all or nothing."""
        tables = load_criteria_paths(paths, base=base)
        results = []
        with self.uow() as uow:
            for code in sorted(tables):
                table = tables[code]
                path = Path(table.source_path)
                if not path.is_absolute() and base is not None:
                    path = base / path
                results.append(self._store(uow, table, path.read_text(encoding="utf-8"),
                                           author))
        return results

    def publish_text(self, text: str, file: str, *, author: str) -> SyncResult:
        table = load_criteria_text(text, file)
        with self.uow() as uow:
            return self._store(uow, table, text, author)

    def _store(self, uow: UnitOfWork, table: CriteriaTable, text: str, author: str
               ) -> SyncResult:
        rows = uow.criteria.versions(table.code)
        version, create = decide_version(rows, table.version, content_hash(table),
                                         table.source_path, f"criteria table '{table.code}'")
        if create:
            uow.criteria.add(
                code=table.code, version=version, content_hash=content_hash(table),
                source_path=table.source_path, source_text=text, created_at=self.clock.now(),
                created_by=author)
        return SyncResult(table.code, version, create, table.source_path)

    def get(self, code: str, version: int | None = None) -> CriteriaTable:
        """A published version (the newest when version is None); LookupError if none."""
        if version is not None and (code, version) in self._tables:
            return self._tables[(code, version)]
        with self.uow().read() as uow:
            row = uow.criteria.find(code, version)
        if row is None:
            what = f"version {version} of " if version is not None else ""
            raise NotFound(f"no published {what}criteria table '{code}'")
        table = dataclasses.replace(load_criteria_text(row["source_text"], row["source_path"]),
                                    version=row["version"])
        with self._lock:
            return self._tables.setdefault((code, row["version"]), table)

    def codes(self) -> list[str]:
        with self.uow().read() as uow:
            return uow.criteria.codes()
