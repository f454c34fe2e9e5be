"""Documents attached to an instance (signed pledges, minutes, evidence), stored under
generated names, with size and type checked."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from workflow.services import access

if TYPE_CHECKING:
    from workflow.services.workflows import Workflows

MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases

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


class FileRefused(Conflict):
    """A file that cannot be stored: empty, too large, of a type not allowed, or not what its
    name says (pages say why in the user's language, from the file itself)."""


@dataclass(frozen=True, slots=True)
class Attached:
    """A document stored on an item, and the item after its history noted it."""

    document_id: int
    instance: Instance
    kind: str
    ref: str | None
    filename: str
    content_type: str
    size: int
    sha256: str


def attach(
    workflows: Workflows, folder: Path, item: int | Instance, actor: Actor, kind: str,
    filename: str, content: bytes, *, ref: str | None = None, uploaded: bool = True,
) -> Attached:
    """Store a file as a document of an item and note it (with its hash) in the item's
    history, in one transaction; the file's bytes go to a content-addressed store first.

    An upload is for the people who act on the item (access.may_attach); a document a use
    case generated after checking its own permission (uploaded=False) needs only a role on
    the item. A loaded instance given is brought up to date with the item after the attach.
    """
    item_id = item if isinstance(item, int) else item.id
    with workflows.store.write() as tx:
        inst = tx.load_instance(item_id, lock=True) if 0 < item_id <= MAX_ID else None
        if inst is None:
            raise NotFound(f"no workflow instance with id {item_id}")
        spec = workflows.catalog.compiled(inst.definition_id).spec
        if uploaded:
            access.require_attach(actor, inst, spec)
        elif not access.may_act(actor, inst):
            raise PermissionDenied(f"'{actor.username}' holds no role for {inst.workflow} "
                                   f"{inst.id} and cannot attach to it")
        content_type = _checked(kind, ref, filename, content)
        digest = _store(folder, content)
        safe_name = stored_name(filename)
        doc_id = tx.insert_document({
            "instance_id": inst.id, "kind": kind, "ref": ref, "filename": safe_name,
            "content_type": content_type, "size": len(content), "sha256": digest,
            "storage_key": digest, "uploaded_by": actor.username,
            "uploaded_at": workflows.clock.now()})
        workflows.note_document(tx, inst, actor, kind, safe_name, digest)
    if isinstance(item, Instance):
        for name in Instance.__slots__:
            setattr(item, name, getattr(inst, name))
    return Attached(doc_id, inst, kind, ref, safe_name, content_type, len(content), digest)


def _checked(kind: str, ref: str | None, filename: str, content: bytes) -> str:
    """The content type of a file that may be stored, or InvalidInput saying why not."""
    if not _KIND.match(kind):
        raise InvalidInput(f"kind: {kind!r} is not a document kind name")
    if ref is not None and not _REF.match(ref):
        raise InvalidInput(f"ref: {ref!r} is not a criterion or item code")
    if not content:
        raise FileRefused("file: the file is empty")
    if len(content) > MAX_BYTES:
        raise FileRefused(f"file: {len(content)} bytes is over the limit of {MAX_BYTES} bytes")
    problem = upload_problem(filename, content)
    if problem == "extension":
        raise FileRefused(f"file: {stored_name(filename)!r} was not accepted: only PDF, Word "
                          "(.docx), Excel (.xlsx), PNG and JPEG (.jpg, .jpeg) files are")
    if problem == "content":
        raise FileRefused(f"file: {stored_name(filename)!r} was not accepted: its content is "
                          "not what its name says, or it holds macros (only PDF, Word, Excel, "
                          "PNG and JPEG files are)")
    return EXTENSIONS[extension(filename)]


def _store(folder: Path, content: bytes) -> str:
    """Write the bytes under their hash (the user's file name never reaches the disk)."""
    digest = sha256(content)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / digest
    if not target.exists():
        tmp = target.with_suffix(".part")
        tmp.write_bytes(content)
        tmp.replace(target)
    return digest
