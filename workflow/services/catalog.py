"""Definition versions: validate files, store a new version when one changed, compile on demand."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.clock import Clock
from workflow.definitions.workflow_loader import load_paths, load_text, spec_to_dict
from workflow.engine.hashing import canonical_json
from workflow.engine.machine import CompiledWorkflow
from workflow.engine.registry import Registry
from workflow.engine.spec import WorkflowSpec
from workflow.errors import DefinitionError, DefinitionErrors, NotFound
from workflow.services.ports import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class SyncResult:
    name: str
    version: int
    created: bool  # False when the stored latest version already had this content
    source_path: str


def content_hash(spec: WorkflowSpec) -> str:
    """A hash of what the definition means, so that layout and comments do not make versions."""
    meaning = spec_to_dict(spec)
    meaning.pop("version", None)
    return hashlib.sha256(canonical_json(meaning).encode("utf-8")).hexdigest()


def decide_version(
    rows: Sequence[Mapping[str, Any]], declared: int | None, digest: str, source_path: str,
    what: str,
) -> tuple[int, bool]:
    """The version a published text gets, and whether it is new.

    An unchanged text keeps its version; a changed one gets the next number, or the number the
    file declares if that is newer than every published one.
    """
    latest = rows[-1] if rows else None
    if declared is not None:
        same = next((r for r in rows if r["version"] == declared), None)
        if same is not None:
            if same["content_hash"] != digest:
                raise DefinitionErrors([DefinitionError(
                    source_path, None, "version",
                    f"version {declared} of {what} is already published with other content; "
                    "raise the version or remove it to number automatically",
                )])
            return declared, False
        if latest is not None and declared < latest["version"]:
            raise DefinitionErrors([DefinitionError(
                source_path, None, "version",
                f"version {declared} is older than the published version "
                f"{latest['version']} of {what}",
            )])
        return declared, True
    if latest is not None and latest["content_hash"] == digest:
        return int(latest["version"]), False
    return (int(latest["version"]) + 1 if latest else 1), True


class DefinitionCatalog:
    """Stored definition versions, and one compiled machine per version, built once.

    What depends on which versions are published (the newest of each workflow, which ones are
    joined, values derived from them) is kept in memory and must not outlive a publish made by
    another process (a gunicorn worker, the scheduler). The catalog's revision — how many
    versions are stored — comes back with a statement that every start and fire sends anyway
    (see adapters/store.py); `seen` forgets what a newer revision made stale. A stored version
    itself never changes, so compiled machines are kept whatever happens.
    """

    def __init__(self, uow: UnitOfWorkFactory, registry: Registry, clock: Clock) -> None:
        self.uow = uow
        self.registry = registry
        self.clock = clock
        self._compiled: dict[int, CompiledWorkflow] = {}
        self._latest: dict[str, tuple[int, int]] = {}  # name: (definition id, revision read at)
        self._joined: set[str] | None = None
        self._derived: dict[str, Any] = {}
        self._revision: int | None = None  # what the kept values were read at; None: unknown
        self._lock = threading.Lock()

    @property
    def revision(self) -> int | None:
        return self._revision

    def seen(self, revision: int | None) -> bool:
        """A transaction read the catalog's revision: forget what a newer one made stale.
        True when it was newer than what the kept values were read at."""
        known = self._revision
        if revision is None or (known is not None and revision <= known):
            return False
        with self._lock:
            known = self._revision
            if known is not None and revision <= known:
                return False
            self._forget_latest()
            self._revision = revision
        return True

    def _keep(self, revision: int, store: Callable[[], None]) -> None:
        """Keep a value read at `revision`, unless the catalog has moved on since."""
        self.seen(revision)
        with self._lock:
            if self._revision == revision:
                store()

    # --- publishing ----------------------------------------------------------------------

    def sync(
        self, paths: Iterable[Path | str], *, author: str = "system", base: Path | None = None
    ) -> list[SyncResult]:
        """Validate every file, then store a new version of each definition that changed.

        Nothing is stored unless every file is valid.
        """
        specs = load_paths(paths, self.registry, base=base)
        texts = {}
        for name, spec in specs.items():
            path = Path(spec.source_path)
            if not path.is_absolute() and base is not None:
                path = base / path
            texts[name] = path.read_text(encoding="utf-8")
        results = []
        with self.uow() as uow:
            for name in sorted(specs):
                results.append(self._store(uow, specs[name], texts[name], author))
        self._published()
        return results

    def publish_text(self, text: str, file: str, *, author: str) -> SyncResult:
        """Validate one definition's text against the stored others and store it if it changed."""
        spec = load_text(text, file, self.registry)
        self._check_against_catalog(spec)
        with self.uow() as uow:
            result = self._store(uow, spec, text, author)
        self._published()
        return result

    # --- drafts (edited in the admin area, not yet published) -------------------------------

    def save_draft(self, name: str, text: str, *, author: str) -> None:
        """Keep the text of a workflow being edited, replacing its previous draft."""
        with self.uow() as uow:
            uow.definitions.replace_draft(name, text, author, self.clock.now())

    def discard_draft(self, name: str) -> None:
        """Forget the draft of a workflow (after it is published)."""
        with self.uow() as uow:
            uow.definitions.delete_draft(name)

    def _check_against_catalog(self, spec: WorkflowSpec) -> None:
        known = set(self.names()) | {spec.name}
        errors = [
            DefinitionError(spec.source_path, None, "spawn", f"unknown workflow '{child}'")
            for child in sorted(spec.child_workflows() - known)
        ]
        if errors:
            raise DefinitionErrors(errors)

    def _store(self, uow: UnitOfWork, spec: WorkflowSpec, text: str, author: str) -> SyncResult:
        digest = content_hash(spec)
        rows = uow.definitions.rows(spec.name)
        version, create = decide_version(
            rows, spec.version, digest, spec.source_path, f"'{spec.name}'")
        if not create:
            return SyncResult(spec.name, version, False, spec.source_path)
        uow.definitions.add(
            name=spec.name, version=version, content_hash=digest,
            source_path=spec.source_path, source_text=text, created_at=self.clock.now(),
            created_by=author,
        )
        return SyncResult(spec.name, version, True, spec.source_path)

    # --- reading -------------------------------------------------------------------------

    def names(self) -> list[str]:
        with self.uow().read() as uow:
            return sorted({r["name"] for r in uow.definitions.rows()})

    def versions(self, name: str) -> list[dict[str, object]]:
        with self.uow().read() as uow:
            rows = uow.definitions.rows(name)
        if not rows:
            raise NotFound(f"no workflow named '{name}'")
        return rows

    def compiled(self, definition_id: int) -> CompiledWorkflow:
        """The machine of one stored version, compiled on first use and kept."""
        wf = self._compiled.get(definition_id)
        if wf is not None:
            return wf
        with self.uow().read() as uow:
            row = uow.definitions.row(definition_id)
        if row is None:
            raise NotFound(f"no workflow definition with id {definition_id}")
        spec = load_text(row["source_text"], row["source_path"], self.registry)
        wf = CompiledWorkflow(spec, definition_id, row["version"], self.registry)
        with self._lock:
            return self._compiled.setdefault(definition_id, wf)

    def latest(self, name: str) -> CompiledWorkflow:
        """The newest published version of a workflow."""
        return self.latest_at(name)[0]

    def latest_at(self, name: str) -> tuple[CompiledWorkflow, int]:
        """The newest published version of a workflow, and the revision it was read at."""
        found = self._latest.get(name)
        if found is None:
            with self.uow().read() as uow:
                # the revision first: a publish in between makes it too old (read again at
                # the next start or fire), never too new
                revision = uow.definitions.revision()
                rows = uow.definitions.rows(name)
            if not rows:
                raise NotFound(f"no workflow named '{name}'")
            found = (int(str(rows[-1]["id"])), revision)
            self._keep(revision, lambda: self._latest.__setitem__(name, found))
        return self.compiled(found[0]), found[1]

    def version(self, name: str, version: int) -> CompiledWorkflow:
        for row in self.versions(name):
            if row["version"] == version:
                return self.compiled(int(str(row["id"])))
        raise NotFound(f"workflow '{name}' has no version {version}")

    def is_joined(self, workflow: str) -> bool:
        """Whether any published workflow waits on children of this one."""
        joined = self._joined
        if joined is None:
            found: set[str] = set()
            with self.uow().read() as uow:
                revision = uow.definitions.revision()
                ids = [int(r["id"]) for r in uow.definitions.rows()]
            for definition_id in ids:  # every version: old instances run on old ones
                for t in self.compiled(definition_id).spec.transitions:
                    if t.join is not None:
                        found.add(t.join.workflow)
            self._keep(revision, lambda: setattr(self, "_joined", found))
            joined = found
        return workflow in joined

    def derived(self, key: str, build: Callable[[], Any]) -> Any:
        """A value computed from the published definitions, kept until one is published."""
        found = self._derived.get(key)
        if found is None:
            revision = self._revision
            if revision is None:
                with self.uow().read() as uow:
                    revision = uow.definitions.revision()
                self.seen(revision)
            found = build()
            self._keep(revision, lambda: self._derived.__setitem__(key, found))
        return found

    def _forget_latest(self) -> None:
        self._latest.clear()
        self._joined = None
        self._derived.clear()

    def _published(self) -> None:
        """This process published: what is kept is stale, and so is the revision known."""
        with self._lock:
            self._forget_latest()
            self._revision = None
