"""Rules of a cluster's supervision (giám sát): the notes a supervising council member records,
and who is told of them.

A note is {date, content, recommendations}; the guard checks it in the fire's transaction and
the effect appends it, with its author and time, to the item's notes, telling the cluster's
leader in the app and by e-mail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from workflow.domain.refusals import Refusal
from workflow.engine.registry import CallContext
from workflow.services import naming, templates
from workflow.services.rules.base import YEAR, port

TEXT_LENGTH = 5000


def note_refusal(note: Any, year: int | None, today: dt.date | None = None) -> Refusal | None:
    """What is wrong with a supervision note, or None."""
    if not isinstance(note, Mapping):
        return Refusal("supervision_note_content_missing")
    try:
        day = dt.date.fromisoformat(str(note.get("date")))
    except ValueError:
        day = None
    if day is None or (year is not None and day.year != year):
        return Refusal("supervision_note_date_invalid", {"year": str(year or "")})
    if today is not None and day > today:
        return Refusal("supervision_note_date_future")
    if not str(note.get("content") or "").strip():
        return Refusal("supervision_note_content_missing")
    for key in ("content", "recommendations"):
        if len(str(note.get(key) or "")) > TEXT_LENGTH:
            return Refusal("supervision_note_too_long", {"max": TEXT_LENGTH})
    return None


@YEAR.guard("valid_supervision_note")
def valid_supervision_note(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    return note_refusal(ctx.payload.get("note"), ctx.instance.year, ctx.now.date())


@YEAR.effect("store_supervision_note")
def store_supervision_note(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Append the note with its author and time, and tell the cluster's leader."""
    note = ctx.payload["note"]
    entry = {"date": str(note["date"]), "content": str(note["content"]).strip(),
             "recommendations": str(note.get("recommendations") or "").strip(),
             "author": ctx.actor.username, "recorded_at": ctx.now.isoformat()}
    ctx.instance.data["notes"] = [*list(ctx.instance.data.get("notes") or []), entry]
    queries = port(ctx).engine_queries()
    inst = ctx.instance
    cluster = queries.unit_label(inst)  # type: ignore[arg-type]
    link = naming.item_path("supervision", inst.id)
    for row in queries.recipients(inst, {"cluster_leader"}):  # type: ignore[arg-type]
        user_id, full_name, email, locale, _digest = row
        locale = templates.resolve_locale(locale)
        day = dt.date.fromisoformat(entry["date"])
        if locale == "vi":
            name = f"Giám sát {cluster} năm {inst.year}"
            text = (f"Thành viên Hội đồng phụ trách đã ghi nội dung giám sát ngày "
                    f"{day.strftime('%d/%m/%Y')}: {entry['content']}")
        else:
            name = f"Supervision of {cluster} in {inst.year}"
            text = f"The supervising council member recorded a note of {day.isoformat()}: " \
                   f"{entry['content']}"
        subject, body = templates.render("notice", locale, {
            "title": name, "text": text, "recipient": full_name})
        for message in templates.message_rows(
                user_id=user_id, email=email, kind="notice", instance_id=inst.id,
                subject=subject, body=body, link=link, now=ctx.now):
            queries.add_message(message)
