"""The council's meeting (phiên họp Hội đồng Thi đua – Khen thưởng) as the council office holds
it: the dossiers waiting for the council, its members, scheduling the meeting with its date,
time and place, inviting the members, and writing the counted result on each dossier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workflow.domain.refusals import Refusal
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import Conflict, InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.services import access, dossiers, templates, voting
from workflow.services import ballot_box as bbox
from workflow.services.read_side import ReadSide
from workflow.services.voting import Meeting
from workflow.services.workflows import Workflows

OFFICE = "council_secretariat"


@dataclass(frozen=True, slots=True)
class CouncilMember:
    """A person of the council for a year: a voting member, or its chair."""

    user_id: int
    name: str
    chair: bool
    votes: bool


def members(reads: ReadSide, year: int) -> list[CouncilMember]:
    """The council's people of the year, by name: who votes (council_member) and who chairs."""
    roles: dict[int, tuple[str, set[str]]] = {}
    for user_id, name, role in reads.council_people(year):
        roles.setdefault(user_id, (name, set()))[1].add(role)
    return sorted((CouncilMember(uid, name, "council_chair" in held, "council_member" in held)
                   for uid, (name, held) in roles.items()), key=lambda m: (not m.chair, m.name))


def is_office(actor: Actor, year: int) -> bool:
    return OFFICE in actor.roles_for(None, None, year)


def waiting(workflows: Workflows, reads: ReadSide, year: int) -> list[Instance]:
    """Dossiers under council review that no council session is voting on or has carried: a
    session counts until its result is written on the dossier (a locked session whose result
    is not written yet still holds it), unless it was cancelled."""
    found = [workflows.get(i) for i in reads.items_of_year("dossier", year, ["council_review"])]
    held = [(s.id, {int(d) for d in (s.data.get("candidate_units") or {})})
            for s in sessions(workflows, reads, year) if s.state != "cancelled"]

    def busy(dossier: Instance) -> bool:
        return any(dossier.id in ids and dossier.data.get("council_session_id") != sid
                   for sid, ids in held)

    return [d for d in found if not busy(d) and not (
        d.data.get("council_result") or {}).get("carried")]


def sessions(workflows: Workflows, reads: ReadSide, year: int) -> list[Instance]:
    """The council's vote sessions of the year, newest first."""
    states = [s.name for s in workflows.catalog.latest("vote_session").spec.states]
    found = [workflows.get(i) for i in reads.items_of_year("vote_session", year, states,
                                                            finished=True)]
    return [s for s in reversed(found) if s.data.get("kind") == "council"]


def schedule(
    workflows: Workflows, reads: ReadSide, actor: Actor, dossier_ids: Sequence[int], year: int,
    meeting: Meeting, *, base_url: str = "", committee: bbox.Committee | None = None,
) -> Instance:
    """The council office schedules a meeting voting on these dossiers, on a day and at a
    place; the members are told (in-app and by e-mail). With a vote-counting `committee`
    (council people of the year), the counting key is split among its members, who are told
    to collect their shares; without one the server counts the sealed ballots."""
    spec = workflows.catalog.latest("vote_session").spec
    if not is_office(actor, year) or not access.may_start(actor, spec, year=year):
        raise PermissionDenied("the council's meetings are scheduled by the council office")
    if not dossier_ids:
        raise InvalidInput("dossier_ids: choose the dossiers", Refusal("council_no_dossiers"))
    if not meeting.place.strip():
        raise InvalidInput("meeting.place: where the council meets",
                           Refusal("council_meeting_missing"))
    if meeting.day < workflows.clock.today():
        raise InvalidInput("meeting.date: in the past", Refusal("council_meeting_past"))
    if committee is not None:
        council_people = {m.user_id for m in members(reads, year)}
        strangers = [m for m in committee.members if m not in council_people]
        if strangers:
            raise Conflict(f"committee: user {strangers[0]} is not of the council in {year}",
                           Refusal("council_committee_stranger"))
        voting.check_committee(workflows, committee)
    session = dossiers.schedule_council_vote(
        workflows, actor, dossier_ids, year, meeting=meeting,
        committee=committee.as_data() if committee is not None else None)
    if committee is not None:
        voting.deal_committee_key(workflows, session)
        voting.tell_committee(workflows, session, "committee_share", base_url=base_url)
    invite(workflows, session, [m.user_id for m in members(reads, year) if m.votes],
           base_url=base_url)
    return session


INVITATION = {
    "vi": ("Mời họp Hội đồng Thi đua – Khen thưởng ngày {date}",
           "Hội đồng họp lúc {time} ngày {date} tại {place} để xét {count} hồ sơ đề nghị khen "
           "thưởng và bỏ phiếu kín. Thành viên vắng mặt{writing}."),
    "en": ("Council meeting on {date}",
           "The council meets at {time} on {date} at {place} to consider {count} dossier(s) "
           "by secret ballot. Members unable to attend{writing}."),
}
WRITING = {
    "vi": (" gửi phiếu bằng văn bản trên hệ thống khi phiên mở",
           " không được bỏ phiếu bằng văn bản đối với các danh hiệu này"),
    "en": (" vote in writing in the system once the vote opens",
           " may not vote in writing on these titles"),
}


def invite(workflows: Workflows, session: Instance, member_ids: Sequence[int], *,
           base_url: str = "") -> int:
    """Tell the council's voting members of the meeting; how many messages were written."""
    meeting = Meeting.of(session.data.get("meeting"))
    if meeting is None:
        return 0
    from workflow.services.rules.voting import written_votes_allowed

    assert workflows.rulebook is not None
    ref = session.data["rule_set"]
    allowed = written_votes_allowed(workflows.rulebook.get(ref["code"], ref["version"]),
                                    session.data["candidates"])
    count = sum(len(v) for v in session.data["candidates"].values())
    link = f"{base_url.rstrip('/')}/votes/{session.id}"
    now = workflows.clock.now()
    written = 0
    with workflows.catalog.uow().read() as uow:
        voters = uow.year.people(user_ids=member_ids) if member_ids else []
    with workflows.store.write() as tx:
        out = workflows.catalog.uow().in_engine_tx(tx)
        for user_id, full_name, email, locale in voters:
            lang = templates.resolve_locale(locale)
            subject, text = INVITATION[lang]
            values = {"date": meeting.day.strftime("%d/%m/%Y"), "time": f"{meeting.time:%H:%M}",
                      "place": meeting.place, "count": count,
                      "writing": WRITING[lang][0 if allowed else 1]}
            subject, body = templates.render("notice", lang, {
                "title": subject.format(**values), "text": text.format(**values),
                "recipient": full_name, "link": link})
            for channel, address in [("in_app", None)] + ([("email", email)] if email else []):
                out.add_message({
                    "channel": channel, "user_id": user_id, "address": address,
                    "kind": "council_meeting", "instance_id": session.id, "deadline_id": None,
                    "subject": subject, "body": body, "link": link, "digest_date": None,
                    "status": "pending", "attempts": 0, "created_at": now})
                written += 1
    return written


def write_results(workflows: Workflows, session_id: int, actor: Actor) -> list[Instance]:
    """Once the session is locked, its count is written on each dossier it voted on; the
    carried ones go on to the deciding authority."""
    session = workflows.get(session_id)
    if session.data.get("kind") != "council":
        raise TransitionNotAllowed("status", "a council session is needed",
                                   Refusal("council_session_other"))
    dossiers.record_council_results(workflows, session_id, actor)
    moved = []
    for dossier_id in sorted(int(d) for d in session.data.get("candidate_units") or {}):
        dossier = workflows.get(dossier_id)
        if (dossier.data.get("council_result") or {}).get("carried"):
            dossier = workflows.fire(dossier_id, "council_done", actor).instance
        moved.append(dossier)
    return moved
