"""Published criteria tables: versioned like workflow definitions; a campaign pins one.

The council office edits them in the browser: a copy of a published version (a new version of
the same table, or a new table) is kept as a draft until it is valid and published. A campaign
pins the newest version when it is launched, so publishing never changes a running campaign.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from workflow.clock import Clock
from workflow.definitions.criteria_loader import (
    criteria_to_dict,
    load_criteria_paths,
    load_criteria_text,
)
from workflow.definitions.schema import IDENTIFIER
from workflow.domain.criteria import CriteriaTable
from workflow.engine.hashing import canonical_json
from workflow.errors import DefinitionError, DefinitionErrors, NotFound
from workflow.services.catalog import SyncResult, decide_version
from workflow.services.ports import UnitOfWork, UnitOfWorkFactory


def content_hash(table: CriteriaTable) -> str:
    meaning = criteria_to_dict(table)
    meaning.pop("version", None)
    return hashlib.sha256(canonical_json(meaning).encode("utf-8")).hexdigest()


CODE_MAX = 55  # characters of a new table's code: its draft is kept as "criteria:<code>" in 64
_CODE_LINE = re.compile(r"^code:.*$", re.MULTILINE)
_VERSION_LINE = re.compile(r"^version:.*$", re.MULTILINE)


@dataclasses.dataclass(frozen=True, slots=True)
class CriteriaVersion:
    """One published version of a table, and the campaigns that pinned it."""

    code: str
    version: int
    table: CriteriaTable
    source_path: str
    created_at: dt.datetime
    created_by: str
    campaign_ids: tuple[int, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class CriteriaDraft:
    """A table being edited, not yet published."""

    code: str
    saved_by: str
    saved_at: dt.datetime
    source_text: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class CriteriaListing:
    """A table as the editor lists it: its published versions (oldest first), its draft, and
    the campaigns not yet launched that will pin its newest version at launch."""

    code: str
    versions: tuple[CriteriaVersion, ...]
    draft: CriteriaDraft | None
    waiting_campaign_ids: tuple[int, ...]

    @property
    def latest(self) -> CriteriaVersion | None:
        return self.versions[-1] if self.versions else None


def _aware(at: Any) -> dt.datetime:
    assert isinstance(at, dt.datetime)
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _draft(row: Mapping[str, Any], text: bool) -> CriteriaDraft:
    return CriteriaDraft(str(row["code"]), str(row["saved_by"]), _aware(row["saved_at"]),
                         str(row["source_text"]) if text else "")


def valid_code(code: str) -> bool:
    return len(code) <= CODE_MAX and IDENTIFIER.match(code) is not None


def with_top_line(text: str, pattern: re.Pattern[str], line: str, after: re.Pattern[str]
                  ) -> str:
    """The text with its top-level line replaced, or inserted after another one (or first)."""
    if pattern.search(text):
        return pattern.sub(line, text, count=1)
    found = after.search(text)
    if found is None:
        return f"{line}\n{text}"
    return f"{text[:found.end()]}\n{line}{text[found.end():]}"


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
        known = self._tables.get((code, row["version"]))  # the newest, already parsed
        if known is not None:
            return known
        table = dataclasses.replace(load_criteria_text(row["source_text"], row["source_path"]),
                                    version=row["version"])
        with self._lock:
            return self._tables.setdefault((code, row["version"]), table)

    def codes(self) -> list[str]:
        with self.uow().read() as uow:
            return uow.criteria.codes()

    # --- the editor: listing, drafts, checking and publishing a text ------------------------

    def listing(self) -> list[CriteriaListing]:
        """Every table published or drafted, by code, with its versions and campaigns."""
        with self.uow().read() as uow:
            rows = uow.criteria.published()
            uses = uow.criteria.uses()
            drafts = {d["code"]: _draft(d, text=False) for d in uow.criteria.drafts()}
        pinned: dict[tuple[str, int], list[int]] = {}
        waiting: dict[str, list[int]] = {}
        for use in uses:
            if use["version"] is None:
                waiting.setdefault(use["code"], []).append(int(use["campaign_id"]))
            else:
                pinned.setdefault((use["code"], int(use["version"])), []).append(
                    int(use["campaign_id"]))
        versions: dict[str, list[CriteriaVersion]] = {}
        for row in rows:
            code, number = str(row["code"]), int(row["version"])
            versions.setdefault(code, []).append(CriteriaVersion(
                code, number, self.get(code, number), str(row["source_path"]),
                _aware(row["created_at"]), str(row["created_by"]),
                tuple(pinned.get((code, number), ()))))
        return [CriteriaListing(code, tuple(versions.get(code, ())), drafts.get(code),
                                tuple(waiting.get(code, ())))
                for code in sorted(set(versions) | set(drafts))]

    def draft(self, code: str) -> CriteriaDraft | None:
        with self.uow().read() as uow:
            row = uow.criteria.draft(code)
        return None if row is None else _draft(row, text=True)

    def save_draft(self, code: str, text: str, *, author: str) -> None:
        """Keep the text of a table being edited, replacing its previous draft."""
        with self.uow() as uow:
            uow.criteria.replace_draft(code, text, author, self.clock.now())

    def discard_draft(self, code: str) -> None:
        with self.uow() as uow:
            uow.criteria.delete_draft(code)

    def source_file(self, code: str) -> str:
        """Where the table's text comes from: its published file, or a new one."""
        with self.uow().read() as uow:
            row = uow.criteria.find(code, None)
        return str(row["source_path"]) if row else f"definitions/criteria/{code}.yaml"

    def copy(self, code: str, version: int | None = None, *, new_code: str | None = None,
             author: str) -> str:
        """Start a draft from a published version: the next version of the same table, or
        (with `new_code`) version 1 of a new table. Returns the draft's code.

        NotFound if the version is not published; ValueError if the new code is not a code
        or is taken (by a published table or a draft).
        """
        source = self.published_text(code, version)
        if new_code is None:
            with self.uow().read() as uow:
                latest = uow.criteria.find(code, None)
            assert latest is not None
            target, number = code, int(latest["version"]) + 1
        else:
            if not valid_code(new_code):
                raise ValueError("invalid_code")
            with self.uow().read() as uow:
                taken = (uow.criteria.find(new_code, None) is not None
                         or uow.criteria.draft(new_code) is not None)
            if taken:
                raise ValueError("code_taken")
            target, number = new_code, 1
            source = _CODE_LINE.sub(f"code: {new_code}", source, count=1)
        text = with_top_line(source, _VERSION_LINE, f"version: {number}", _CODE_LINE)
        with self.uow() as uow:
            if uow.criteria.draft(target) is None:  # never overwrite work in progress
                uow.criteria.replace_draft(target, text, author, self.clock.now())
        return target

    def published_text(self, code: str, version: int | None) -> str:
        with self.uow().read() as uow:
            row = uow.criteria.find(code, version)
        if row is None:
            what = f"version {version} of " if version is not None else ""
            raise NotFound(f"no published {what}criteria table '{code}'")
        return str(row["source_text"])

    def check(self, code: str, text: str) -> tuple[CriteriaTable | None, list[DefinitionError]]:
        """The table of a text edited for `code`, or every problem found in it, each at its
        line: the loader's checks, the code, and the version against the published ones."""
        file = self.source_file(code)
        try:
            table = load_criteria_text(text, file)
        except DefinitionErrors as exc:
            return None, list(exc.errors)
        except RecursionError:
            return None, [DefinitionError(file, None, "", "the YAML is nested too deeply")]
        if table.code != code:
            found = _CODE_LINE.search(text)
            line = text.count("\n", 0, found.start()) + 1 if found else None
            return None, [DefinitionError(
                file, line, "code",
                f"the table's code is '{table.code}', but this page edits '{code}'")]
        with self.uow().read() as uow:
            rows = uow.criteria.versions(code)
        try:
            decide_version(rows, table.version, content_hash(table), file,
                           f"criteria table '{code}'")
        except DefinitionErrors as exc:
            found = _VERSION_LINE.search(text)
            line = text.count("\n", 0, found.start()) + 1 if found else None
            return None, [DefinitionError(e.file, line, e.path, e.message) for e in exc.errors]
        return table, []

    def publish_draft(self, code: str, text: str, *, author: str) -> SyncResult:
        """Check the text edited for `code`, publish it as a new version and forget the draft;
        DefinitionErrors (each at its line) when it is not valid. Campaigns already launched
        keep the version they pinned; those launched from now on take this one."""
        table, errors = self.check(code, text)
        if table is None:
            raise DefinitionErrors(errors)
        with self.uow() as uow:
            rows = uow.criteria.versions(code)
            if rows and rows[-1]["content_hash"] == content_hash(table) \
                    and table.version != rows[-1]["version"]:
                found = _VERSION_LINE.search(text)
                line = text.count("\n", 0, found.start()) + 1 if found else None
                raise DefinitionErrors([DefinitionError(
                    table.source_path, line, "version",
                    f"nothing changed from version {rows[-1]['version']}; change the table "
                    "before publishing it")])
            result = self._store(uow, table, text, author)
            uow.criteria.delete_draft(code)
        return result
