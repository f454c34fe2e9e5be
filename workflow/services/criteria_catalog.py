"""Published criteria tables: versioned like workflow definitions; a campaign pins one."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workflow.adapters.db import read_connection, write_transaction
from workflow.adapters.tables import criteria_tables
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


def content_hash(table: CriteriaTable) -> str:
    meaning = criteria_to_dict(table)
    meaning.pop("version", None)
    return hashlib.sha256(canonical_json(meaning).encode("utf-8")).hexdigest()


class CriteriaCatalog:
    """Stored criteria table versions, parsed once each."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self._tables: dict[tuple[str, int], CriteriaTable] = {}
        self._lock = threading.Lock()

    def sync(
        self, paths: Iterable[Path | str], *, author: str = "system", base: Path | None = None
    ) -> list[SyncResult]:
        """Validate every criteria file and publish each one that changed; all or nothing."""
        tables = load_criteria_paths(paths, base=base)
        results = []
        with write_transaction(self.engine) as conn:
            for code in sorted(tables):
                table = tables[code]
                path = Path(table.source_path)
                if not path.is_absolute() and base is not None:
                    path = base / path
                results.append(self._store(conn, table, path.read_text(encoding="utf-8"),
                                           author))
        return results

    def publish_text(self, text: str, file: str, *, author: str) -> SyncResult:
        table = load_criteria_text(text, file)
        with write_transaction(self.engine) as conn:
            return self._store(conn, table, text, author)

    def _store(self, conn: Any, table: CriteriaTable, text: str, author: str) -> SyncResult:
        c = criteria_tables.c
        rows = [dict(r._mapping) for r in conn.execute(
            sa.select(c.version, c.content_hash).where(c.code == table.code).order_by(c.version))]
        version, create = decide_version(rows, table.version, content_hash(table),
                                         table.source_path, f"criteria table '{table.code}'")
        if create:
            conn.execute(criteria_tables.insert().values(
                code=table.code, version=version, content_hash=content_hash(table),
                source_path=table.source_path, source_text=text, created_at=self.clock.now(),
                created_by=author))
        return SyncResult(table.code, version, create, table.source_path)

    def get(self, code: str, version: int | None = None) -> CriteriaTable:
        """A published version (the newest when version is None); LookupError if none."""
        if version is not None and (code, version) in self._tables:
            return self._tables[(code, version)]
        c = criteria_tables.c
        stmt = sa.select(c.version, c.source_text, c.source_path).where(c.code == code)
        stmt = stmt.where(c.version == version) if version is not None else \
            stmt.order_by(c.version.desc()).limit(1)
        with read_connection(self.engine) as conn:
            row = conn.execute(stmt).first()
        if row is None:
            what = f"version {version} of " if version is not None else ""
            raise NotFound(f"no published {what}criteria table '{code}'")
        table = dataclasses.replace(load_criteria_text(row.source_text, row.source_path),
                                    version=row.version)
        with self._lock:
            return self._tables.setdefault((code, row.version), table)

    def codes(self) -> list[str]:
        with read_connection(self.engine) as conn:
            return sorted(set(conn.execute(sa.select(criteria_tables.c.code)).scalars()))
