"""What the pages made for one kind of item (pledge, report) share: the item's name and campaign,
its files with links, its history in words, uploading a file and firing an action from a form
(the form's typed values kept when it is refused)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import flash, request
from flask_babel import gettext as _

from web.impediment_text import history_text
from web.items import ListedFile, listed_files, title_of
from web.refusals import explain
from web.views import fire_seen, locale, services, upload_refusal
from web.year.common import EVIDENCE_KINDS, _documents, _form_version, _spec, _wf
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import TransitionNotAllowed
from workflow.services import documents as attachments


@dataclass(frozen=True, slots=True)
class Step:
    """A row of the item's history as a person reads it."""

    at: dt.datetime
    who: str
    action: str
    state: str
    comment: str


def history(inst: Instance) -> list[Step]:
    """Who did what and when, with the names of people, actions and states (newest last)."""
    spec = _spec(inst)
    rows = _wf().history(inst.id)
    people = services().reads.full_names(str(h["actor"]) for h in rows if h.get("actor"))
    labels = {t.trigger: t.label.get(locale()) for t in spec.transitions}
    states = {s.name: s.label.get(locale()) for s in spec.states}
    steps = []
    for h in rows:
        trigger, payload = h.get("trigger"), h.get("payload") or {}
        if trigger:
            action = labels.get(trigger, "")
        elif h.get("kind") == "document":
            action = str(_("Attached %(name)s", name=payload.get("filename", "")))
        elif h.get("kind") == "impediment":
            action = history_text(payload)
        elif h.get("kind") == "edit":
            action = str(_("Edited"))
        elif h.get("kind") in ("start", "spawn"):
            action = str(_("Created"))
        else:  # a repair by an administrator (suspend, resume, migrate)
            action = str(_("Changed by an administrator"))
        steps.append(Step(h["at"], people.get(str(h.get("actor")), str(h.get("actor") or "")),
                          action, states.get(str(h.get("to_state")), ""),
                          str(h.get("comment") or "")))
    return steps


def last_comment(inst: Instance, trigger: str) -> str:
    """The comment of the latest step of this trigger (why it was returned), or ""."""
    for h in reversed(_wf().history(inst.id)):
        if h.get("trigger") == trigger:
            return str(h.get("comment") or "")
    return ""


def files(inst: Instance, kind: str | None = None) -> list[ListedFile]:
    return listed_files(inst.id, _documents(inst.id, kind))


def kind_label(kind: str) -> str:
    return str(EVIDENCE_KINDS.get(kind, kind.replace("_", " ")))


def campaign_of(inst: Instance) -> Instance | None:
    return _wf().get(inst.parent_id) if inst.parent_id is not None else None


def heading(inst: Instance) -> str:
    return title_of(inst, locale())


def upload(inst: Instance, actor: Actor, kind: str) -> bool:
    """Attach the posted file as a document of `kind`; the reason is flashed when refused."""
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose a file to upload."), "error")
        return False
    content = file.read()
    problem = upload_refusal(file.filename, content)
    if problem:
        flash(problem, "error")
        return False
    try:
        attachments.attach(_wf(), services().settings.documents_dir, inst.id, actor, kind,
                           file.filename, content)
    except attachments.FileRefused as exc:
        flash(str(exc), "error")
        return False
    flash(_("The document was attached: %(name)s", name=file.filename))
    return True


def fire(inst: Instance, trigger: str, payload: Mapping[str, Any]) -> str | None:
    """Fire from a form at the version the user saw; None when done (what fired is flashed),
    else why it was refused, in the user's language (the page shows it beside the form)."""
    try:
        done = fire_seen(inst.id, trigger, dict(payload), _form_version())
    except TransitionNotAllowed as exc:
        return explain(exc, _wf().get(inst.id), with_action=True)
    flash(_("Done: %(action)s", action=done.label(locale())))
    return None


def posted_comment() -> str:
    return request.form.get("comment", "").strip()[:5000]

