"""Rules of a cluster's conference (hội nghị): its plan, the invitations to the member units,
the attendance per unit, the conclusions and the tasks they assign.

The pages read the same shapes through `workflow.services.conferences`; these guards check
them again in the fire's own transaction, so that no other client can store a malformed plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from workflow.domain.refusals import Ref, Refusal
from workflow.domain.roles import SUPERVISOR_ROLE
from workflow.engine.registry import CallContext
from workflow.services import naming, templates
from workflow.services.rules.base import YEAR, port

KINDS = ("pledge_signing", "six_month", "year_end", "thematic")
KIND_NAMES = naming.CONFERENCE_NOUNS
TEXT_LENGTH = 2000
SHORT_LENGTH = 300


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _unit(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _members(ctx: CallContext) -> set[int]:
    cluster = ctx.instance.cluster_id
    return set(port(ctx).member_units(cluster)) if cluster is not None else set()


def plan_refusal(plan: Any, members: set[int], year: int | None) -> Refusal | None:
    """What is wrong with a conference plan, or None."""
    if not isinstance(plan, Mapping):
        return Refusal("conference_plan_invalid")
    if plan.get("kind") not in KINDS:
        return Refusal("conference_kind_invalid")
    day = _date(plan.get("date"))
    if day is None or (year is not None and day.year != year):
        return Refusal("conference_date_invalid", {"year": str(year or "")})
    for key in ("place", "topic"):
        if len(str(plan.get(key) or "")) > SHORT_LENGTH:
            return Refusal("conference_text_too_long", {"max": SHORT_LENGTH})
    if not str(plan.get("place") or "").strip():
        return Refusal("conference_place_missing")
    host = _unit(plan.get("host_unit_id"))
    if host is None or host not in members:
        return Refusal("conference_host_invalid")
    agenda = plan.get("agenda")
    if not isinstance(agenda, list) or not agenda:
        return Refusal("conference_agenda_missing")
    for entry in agenda:
        if not isinstance(entry, Mapping) or not str(entry.get("title") or "").strip():
            return Refusal("conference_agenda_missing")
        if len(str(entry.get("title"))) > SHORT_LENGTH or \
                len(str(entry.get("presenter") or "")) > SHORT_LENGTH:
            return Refusal("conference_text_too_long", {"max": SHORT_LENGTH})
    return None


def attendance_refusal(attendance: Any, members: set[int]) -> Refusal | None:
    """What is wrong with an attendance record ({unit id: {present, attendees}}), or None."""
    if not isinstance(attendance, Mapping) or not attendance:
        return Refusal("conference_attendance_invalid")
    present = 0
    for key, entry in attendance.items():
        unit = int(key) if str(key).isdigit() else None
        if unit is None or unit not in members or not isinstance(entry, Mapping):
            return Refusal("conference_attendance_invalid")
        if len(str(entry.get("attendees") or "")) > SHORT_LENGTH:
            return Refusal("conference_text_too_long", {"max": SHORT_LENGTH})
        if entry.get("present") is True:
            present += 1
            if not str(entry.get("attendees") or "").strip():
                return Refusal("conference_attendees_missing", {"unit": Ref("unit", unit)})
    if not present:
        return Refusal("conference_attendance_empty")
    return None


def conclusions_refusal(
    conclusions: Any, members: set[int], held: dt.date | None,
) -> Refusal | None:
    """What is wrong with the conclusions ([{text, unit_id?, due?}]), or None."""
    if not isinstance(conclusions, list) or not conclusions:
        return Refusal("conference_conclusions_missing")
    for entry in conclusions:
        if not isinstance(entry, Mapping) or not str(entry.get("text") or "").strip():
            return Refusal("conference_conclusions_missing")
        if len(str(entry["text"])) > TEXT_LENGTH:
            return Refusal("conference_text_too_long", {"max": TEXT_LENGTH})
        unit = entry.get("unit_id")
        if unit is None:
            if entry.get("due"):
                return Refusal("conference_task_unit_missing")
            continue
        if _unit(unit) is None or unit not in members:
            return Refusal("conference_attendance_invalid")
        due = _date(entry.get("due"))
        if due is None or (held is not None and due <= held):
            return Refusal("conference_task_due_invalid", {"unit": Ref("unit", unit)})
    return None


@YEAR.guard("valid_conference_plan")
def valid_conference_plan(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    return plan_refusal(ctx.payload.get("plan"), _members(ctx), ctx.instance.year)


@YEAR.guard("conference_plan_complete")
def conference_plan_complete(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """The invitations go out for a whole plan only."""
    return plan_refusal(ctx.instance.data.get("plan"), _members(ctx), ctx.instance.year)


@YEAR.guard("valid_conference_attendance")
def valid_conference_attendance(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    return attendance_refusal(ctx.payload.get("attendance"), _members(ctx))


@YEAR.guard("conference_attendance_recorded")
def conference_attendance_recorded(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    if not ctx.instance.data.get("attendance"):
        return Refusal("conference_attendance_missing")
    return attendance_refusal(ctx.instance.data.get("attendance"), _members(ctx))


@YEAR.guard("valid_conference_conclusions")
def valid_conference_conclusions(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    plan = ctx.instance.data.get("plan") or {}
    return conclusions_refusal(ctx.payload.get("conclusions"), _members(ctx),
                               _date(plan.get("date")) if isinstance(plan, Mapping) else None)


CALLED = frozenset({"invited", "held", "minuted", "signed"})  # a conference whose invitations went


def pledge_conference_refusal(conference: Any, campaign_id: int | None) -> Refusal | None:
    """Whether a conference (an Instance, or None) may be the one a pledge of this campaign
    is signed at: a pledge-signing conference of the same campaign, called."""
    plan = getattr(conference, "data", {}).get("plan") if conference is not None else None
    if conference is None or getattr(conference, "workflow", None) != "conference" or \
            getattr(conference, "parent_id", None) != campaign_id or \
            not isinstance(plan, Mapping) or plan.get("kind") != "pledge_signing" or \
            getattr(conference, "state", None) not in CALLED:
        return Refusal("conference_pledge_conference_invalid")
    return None


@YEAR.guard("pledge_signing_conference")
def pledge_signing_conference(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """A pledge signed at a conference names a called pledge-signing conference of its own
    campaign (naming none is fine: a pledge may be signed on its own)."""
    wanted = ctx.payload.get("conference_id")
    if wanted is None:
        return None
    if _unit(wanted) is None or ctx.instance.parent_id is None:
        return Refusal("conference_pledge_conference_invalid")
    found = next((c for c in port(ctx).children(ctx.instance.parent_id) if c.id == wanted),
                 None)
    return pledge_conference_refusal(found, ctx.instance.parent_id)


@YEAR.effect("store_conference_conclusions")
def store_conference_conclusions(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """The conclusions as written, and the tasks they assign (one item each once the minutes
    are signed)."""
    conclusions = [
        {"text": str(c["text"]).strip(), "unit_id": c.get("unit_id"), "due": c.get("due")}
        for c in ctx.payload["conclusions"]]
    ctx.instance.data["conclusions"] = conclusions
    ctx.instance.data["tasks"] = [
        {"text": c["text"], "unit_id": c["unit_id"], "due": c["due"]}
        for c in conclusions if c["unit_id"] is not None]


def title(data: Mapping[str, Any], year: int | None, locale: str) -> str:
    """The conference's name: its kind, its topic if thematic, its year."""
    plan = data.get("plan") if isinstance(data.get("plan"), Mapping) else {}
    assert isinstance(plan, Mapping)
    noun = KIND_NAMES.get(str(plan.get("kind")), KIND_NAMES["thematic"]).get(locale)
    topic = str(plan.get("topic") or "").strip()
    return f"{noun}{f' {year}' if year else ''}{f': {topic}' if topic else ''}"


def _when(plan: Mapping[str, Any], locale: str) -> str:
    day = _date(plan.get("date"))
    text = day.strftime("%d/%m/%Y" if locale == "vi" else "%Y-%m-%d") if day else ""
    hour = str(plan.get("time") or "").strip()
    return f"{hour} {text}".strip()


@YEAR.effect("invite_to_conference")
def invite_to_conference(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Invite the heads and emulation officers of every member unit, and the council members
    supervising the cluster that year, in the app and by e-mail, in the step's transaction."""
    queries = port(ctx).engine_queries()
    inst = ctx.instance
    seen: set[Any] = set()
    invited: list[tuple[_Scope, set[str]]] = [
        (_Scope(unit, inst.year), {"unit_head", "unit_officer"}) for unit in sorted(_members(ctx))]
    if inst.cluster_id is not None:
        invited.append((supervisors_scope(inst.cluster_id, inst.year), {SUPERVISOR_ROLE}))
    for scope, roles in invited:
        for row in queries.recipients(scope, roles):  # type: ignore[arg-type]
            if row[0] in seen:
                continue
            seen.add(row[0])
            send_invitation(queries, inst, row, ctx.now, personal=scope.unit_id is None)


def send_invitation(queries: Any, inst: Any, recipient: tuple[Any, ...], now: dt.datetime, *,
                    personal: bool) -> None:
    """One invitation to the conference, in the app and by e-mail, in the caller's transaction
    (`personal`: a council member invited in person, not a member unit)."""
    user_id, full_name, email, locale, _digest = recipient
    plan = inst.data.get("plan") or {}
    locale = templates.resolve_locale(locale)
    name = title(inst.data, inst.year, locale)
    whom = ("đồng chí" if locale == "vi" else "You are") if personal \
        else ("đơn vị" if locale == "vi" else "Your unit is")
    if locale == "vi":
        text = (f"Trân trọng kính mời {whom} dự {name} vào {_when(plan, locale)} "
                f"tại {plan.get('place', '')}.")
    else:
        text = (f"{whom} invited to the {name} on {_when(plan, locale)} at "
                f"{plan.get('place', '')}.")
    subject, body = templates.render("notice", locale, {
        "title": name, "text": text, "recipient": full_name})
    for message in templates.message_rows(
            user_id=user_id, email=email, kind="notice", instance_id=inst.id,
            subject=subject, body=body, link=naming.item_path("conference", inst.id),
            now=now):
        queries.add_message(message)


def supervisors_scope(cluster_id: int, year: int | None) -> _Scope:
    """The cluster and year, as the recipients' query reads the supervisors' scope."""
    return _Scope(None, year, cluster_id)


class _Scope:
    """A member unit (or the cluster) and the year, as the recipients' query reads an item's
    scope."""

    def __init__(self, unit_id: int | None, year: int | None,
                 cluster_id: int | None = None) -> None:
        self.unit_id: int | None = unit_id
        self.cluster_id: int | None = cluster_id
        self.year = year
