"""Documents attached to an instance (signed pledges, minutes, evidence), stored under
generated names, with size and type checked."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from workflow.adapters.db import new_id, write_transaction
from workflow.adapters.tables import documents
from workflow.clock import Clock
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied

if TYPE_CHECKING:
    from workflow.services.workflows import Workflows

MAX_BYTES = 20 * 1024 * 1024
# Allowed types, recognised by their first bytes rather than by the name the user gave.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"PK\x03\x04": "application/zip",  # docx, xlsx, odt are zip containers
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_REF = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stored_name(filename: str) -> str:
    """The name a file is recorded under: the user's name without any folder in it."""
    name = Path(filename.replace("\\", "/")).name[:255]
    return name if name not in ("", ".", "..") else "file"


def sniff(content: bytes) -> str | None:
    for magic, kind in SIGNATURES.items():
        if content.startswith(magic):
            return kind
    return None


def attach(
    engine: Engine, clock: Clock, folder: Path, inst: Instance, actor: Actor, kind: str,
    filename: str, content: bytes, ref: str | None = None,
) -> int:
    """Store a document of a kind on an instance; the actor needs a role for its unit and year."""
    if not actor.roles_for(inst.unit_id, inst.cluster_id, inst.year):
        raise PermissionDenied(
            f"'{actor.username}' holds no role for {inst.workflow} {inst.id}"
            " and cannot attach to it"
        )
    if not _KIND.match(kind):
        raise InvalidInput(f"kind: {kind!r} is not a document kind name")
    if ref is not None and not _REF.match(ref):
        raise InvalidInput(f"ref: {ref!r} is not a criterion or item code")
    if not content:
        raise InvalidInput("file: the file is empty")
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"file: {len(content)} bytes is over the limit of {MAX_BYTES} bytes")
    content_type = sniff(content)
    if content_type is None:
        raise InvalidInput("file: only PDF, Office (docx/xlsx), PNG and JPEG files are accepted")
    digest = hashlib.sha256(content).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / digest  # generated name: the user's file name never reaches the disk
    if not target.exists():
        tmp = target.with_suffix(".part")
        tmp.write_bytes(content)
        tmp.replace(target)
    safe_name = stored_name(filename)
    with write_transaction(engine) as conn:
        result = conn.execute(documents.insert().values(
            instance_id=inst.id, kind=kind, ref=ref, filename=safe_name, content_type=content_type,
            size=len(content), sha256=digest, storage_key=digest, uploaded_by=actor.username,
            uploaded_at=clock.now(),
        ))
        return new_id(result)


def require_participant(workflows: Workflows, inst: Instance, actor: Actor) -> None:
    """Uploading to an item is for the people who act on it: a role its workflow gives some
    action to, held for the item's unit or cluster and year. Reading it is not enough."""
    spec = workflows.catalog.compiled(inst.definition_id).spec
    acting = {role for t in spec.transitions for role in t.roles}
    if not actor.roles_for(inst.unit_id, inst.cluster_id, inst.year) & acting:
        raise PermissionDenied(
            f"'{actor.username}' takes no part in {inst.workflow} {inst.id} (one of "
            f"{', '.join(sorted(acting - {'system'}))} does) and cannot attach to it")


def attach_recorded(
    workflows: Workflows, inst: Instance, actor: Actor, folder: Path, kind: str, filename: str,
    content: bytes,
) -> str:
    """Attach a file and record its hash in the item's history; returns the hash."""
    attach(workflows.engine, workflows.clock, folder, inst, actor, kind, filename, content)
    digest = sha256(content)
    workflows.note_document(inst, actor, kind, stored_name(filename), digest)
    return digest
