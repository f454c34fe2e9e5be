"""Documents attached to an instance (signed pledges, minutes, evidence), stored under
generated names, with size and type checked."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
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


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The extensions a stored file may have, each with the only type its bytes may be.
EXTENSIONS = {"pdf": "application/pdf", "docx": DOCX, "xlsx": XLSX, "png": "image/png",
              "jpg": "image/jpeg", "jpeg": "image/jpeg"}
# What a Word or Excel file (a ZIP) must hold to be one, and what a macro-enabled one holds.
_OFFICE_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
_MACRO_MARKS = ("vbaproject.bin", "vbadata.xml", "activex", "macroenabled", "macrosheet")


def sniff(content: bytes) -> str | None:
    """The type of the content, read from its bytes: a ZIP is a docx or an xlsx only when it
    holds a Word or Excel main part and no macros; any other ZIP (docm, xlsm, odt, an
    archive) is no allowed type."""
    for magic, kind in SIGNATURES.items():
        if content.startswith(magic):
            return _office_type(content) if kind == "application/zip" else kind
    return None


def _office_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower() \
                if "[Content_Types].xml" in names else ""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, NotImplementedError):
        return None
    lowered = [n.lower() for n in names]
    if any(mark in n for n in lowered for mark in _MACRO_MARKS) or "macroenabled" in types:
        return None
    found = {kind for part, kind in _OFFICE_PARTS.items() if part in names}
    return found.pop() if len(found) == 1 else None


def extension(filename: str) -> str:
    name = stored_name(filename)
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def upload_problem(filename: str, content: bytes) -> str | None:
    """Why a file cannot be stored (its name's extension is not allowed, or its bytes are not
    what the extension says), or None. The message is the service's; pages translate it."""
    ext = extension(filename)
    if ext not in EXTENSIONS:
        return "extension"
    if sniff(content) != EXTENSIONS[ext]:
        return "content"
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
    problem = upload_problem(filename, content)
    if problem == "extension":
        raise InvalidInput(f"file: {stored_name(filename)!r} was not accepted: only PDF, Word "
                           "(.docx), Excel (.xlsx), PNG and JPEG (.jpg, .jpeg) files are")
    if problem == "content":
        raise InvalidInput(f"file: {stored_name(filename)!r} was not accepted: its content is "
                           "not what its name says, or it holds macros (only PDF, Word, Excel, "
                           "PNG and JPEG files are)")
    content_type = EXTENSIONS[extension(filename)]
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
