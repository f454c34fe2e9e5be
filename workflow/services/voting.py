"""Vote sessions as people use them: schedule with eligible candidates, cast a secret ballot,
read the result once counted. Ballots never pass through the workflow history."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.documents import generated as gen
from workflow.domain import vote_text
from workflow.domain.refusals import Refusal
from workflow.domain.roles import Actor
from workflow.domain.rulesets import RuleSet, Title, show_share
from workflow.engine.instance import ACTIVE, Instance
from workflow.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from workflow.services import access, documents, people, templates, year
from workflow.services import ballot_box as bbox
from workflow.services.rules import voting as vote_rules
from workflow.services.workflows import Fired, Workflows

HIDDEN_STATES = ("scheduled", "quorum_checked", "open", "closed")
VOTE_LENGTH = dt.timedelta(hours=2)  # a vote closes this long after its meeting starts


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a voter gets back: that their ballot counted, never what it said."""

    session_id: int
    round: int
    voter_key: str
    receipt: str = ""  # the hash of the sealed ballot, to find in the published list


@dataclass(frozen=True, slots=True)
class Meeting:
    """Where and when the vote is held (the conference, hội nghị): the minutes name them."""

    day: dt.date
    time: dt.time
    place: str  # the city or venue written in the minutes' heading, e.g. "Hà Nội"
    conference: str  # e.g. "Hội nghị tổng kết công tác thi đua năm 2026"
    conference_id: int | None = None  # the year-end conference item hosting it, if planned

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"date": self.day.isoformat(), "time": self.time.strftime("%H:%M"),
                                "place": self.place, "conference": self.conference}
        if self.conference_id is not None:
            data["conference_id"] = self.conference_id
        return data

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Meeting | None:
        """The meeting a session's data records, or None (sessions scheduled before it)."""
        if not data:
            return None
        hosted = data.get("conference_id")
        return cls(dt.date.fromisoformat(str(data["date"])),
                   dt.time.fromisoformat(str(data.get("time") or "08:00")),
                   str(data.get("place") or ""), str(data.get("conference") or ""),
                   hosted if isinstance(hosted, int) and not isinstance(hosted, bool) else None)


def campaign_rules(workflows: Workflows, campaign: Instance) -> RuleSet:
    """The rule set in force when the campaign was launched (the start of its year before)."""
    if workflows.rulebook is None:
        raise InvalidInput("no rule book is loaded (definitions/rules)")
    launched = dt.date.fromisoformat(str(campaign.data.get("launched_at", ""))[:10] or
                                     f"{campaign.year}-01-01")
    return workflows.rulebook.in_force(launched)


def cluster_titles(rules: RuleSet) -> list[Title]:
    """The titles a cluster votes on (suy tôn), in the rule set's order."""
    return [t for t in rules.titles if t.cluster_vote is not None]


def campaign_sessions(workflows: Workflows, campaign_id: int) -> list[Instance]:
    """The vote sessions scheduled on a campaign, oldest first."""
    return [c for c in workflows.children(campaign_id) if c.workflow == "vote_session"]


def schedule_cluster_vote(
    workflows: Workflows, campaign_id: int, actor: Actor, candidates: Mapping[str, Sequence[int]],
    *, disciplined: Sequence[int] = (), ends_at: dt.datetime | None = None,
    meeting: Meeting | None = None, committee: bbox.Committee | None = None,
) -> Instance:
    """The cluster's year-end vote on its campaign: candidates must have a final score and
    not be under discipline; their ranks and past winners are kept for the fairness checks.
    `ends_at`, the scheduled end: from then the chair may close the vote whoever has voted;
    `meeting`, the conference it is held at (the minutes' place, date and name);
    `committee`, the vote-counting committee: the counting key is split among its members."""
    campaign = workflows.get(campaign_id)
    if campaign.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    rules = campaign_rules(workflows, campaign)
    standings = year.ranking(workflows, campaign_id).standings
    ranks = {s.unit_id: s.rank for s in standings}
    checked = _check_candidates(rules, candidates, ranks, set(disciplined))
    with workflows.catalog.uow().read() as uow:
        cluster = uow.organisations.cluster(campaign.cluster_id or 0)
        if cluster is None:
            raise NotFound(f"no cluster with id {campaign.cluster_id}")
        past = _past_winners(uow.year.locked_votes_before(cluster.code, cluster.year))
    if committee is not None:
        check_committee(workflows, committee)
    session = workflows.start("vote_session", actor, cluster_id=campaign.cluster_id,
                           year=campaign.year, parent_id=campaign_id, data={
        "kind": "cluster", "campaign_id": campaign_id, "titles": sorted(checked),
        "candidates": checked, "rule_set": {"code": rules.code, "version": rules.version},
        "ranks": {str(k): v for k, v in ranks.items()}, "past_winners": past,
        "leader_unit_id": cluster.leader_unit_id, "secret": True,
        **({"ends_at": ends_at.isoformat()} if ends_at is not None else {}),
        **({"meeting": meeting.as_data()} if meeting is not None else {}),
        **({"committee": committee.as_data()} if committee is not None else {}),
    })
    if committee is not None:
        deal_committee_key(workflows, session)
    return session


def check_committee(workflows: Workflows, committee: bbox.Committee) -> None:
    """Two or more people of the directory, k of them needed to open the count."""
    committee.check()
    with workflows.catalog.uow().read() as uow:
        strangers = [m for m in committee.members if not uow.users.is_active(m)]
    if strangers:
        raise InvalidInput(f"committee: nobody active with id {strangers[0]}")


def deal_committee_key(workflows: Workflows, session: Instance) -> None:
    """Deal a new counting key to the session's committee (each member collects their share
    on the vote's page before it opens)."""
    with workflows.store.write() as tx:
        bbox.deal_key(bbox.port(tx), session.id, bbox.committee_of(session))


def schedule_year_end_vote(
    workflows: Workflows, campaign_id: int, actor: Actor, candidates: Mapping[str, Sequence[int]],
    meeting: Meeting, *, ends_at: dt.datetime | None = None,
    committee: bbox.Committee | None = None,
) -> Instance:
    """The year-end vote as people schedule it (page and API): the campaign is at its vote,
    it has no other vote under way, and the meeting is known; the vote closes at `ends_at`
    (by default two hours after the meeting starts, the installation's local time)."""
    campaign = workflows.get(campaign_id)
    if campaign.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    spec = workflows.catalog.latest("vote_session").spec
    if not access.may_start(actor, spec, cluster_id=campaign.cluster_id, year=campaign.year):
        raise PermissionDenied(
            f"scheduling the vote needs the role {' or '.join(sorted(access.starting_roles(spec)))}"
            f" for cluster {campaign.cluster_id} in {campaign.year}")
    if campaign.state != "voting":
        raise TransitionNotAllowed("status", "the year-end vote is scheduled once the campaign "
                                   "is at its vote", Refusal("vote_not_due"))
    running = [s.id for s in campaign_sessions(workflows, campaign_id) if s.status == ACTIVE]
    if running:
        raise TransitionNotAllowed("status", f"vote session {running[-1]} is under way",
                                   Refusal("vote_already_scheduled"))
    voted = {t.code for t in cluster_titles(campaign_rules(workflows, campaign))}
    strangers = sorted(set(candidates) - voted)
    if strangers:
        raise Conflict(f"candidates.{strangers[0]}: not a title voted in a cluster (one of "
                           f"{', '.join(sorted(voted))})")
    if not meeting.place.strip() or not meeting.conference.strip():
        raise InvalidInput("meeting: give the place and the name of the conference")
    if meeting.conference_id is not None:
        hosting = next((c for c in workflows.children(campaign_id)
                        if c.id == meeting.conference_id), None)
        plan = hosting.data.get("plan") if hosting is not None else None
        if hosting is None or hosting.workflow != "conference" or not isinstance(plan, Mapping) \
                or plan.get("kind") != "year_end" or hosting.state == "cancelled":
            raise InvalidInput("meeting.conference_id: not a year-end review conference of this "
                               "campaign")
    starts = dt.datetime.combine(meeting.day, meeting.time, tzinfo=workflows.clock.tz)
    if meeting.day < workflows.clock.today():
        raise Conflict("meeting.date: the meeting cannot be in the past")
    ends = ends_at or starts + VOTE_LENGTH
    if ends.tzinfo is None:
        ends = ends.replace(tzinfo=workflows.clock.tz)
    if ends <= starts:
        raise Conflict("ends_at: the vote closes after the meeting starts")
    return schedule_cluster_vote(workflows, campaign_id, actor, candidates,
                                 ends_at=ends.astimezone(dt.UTC), meeting=meeting,
                                 committee=committee)


def _check_candidates(
    rules: Any, candidates: Mapping[str, Sequence[int]], ranks: Mapping[int, int],
    disciplined: set[int],
) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for code, chosen in candidates.items():
        title = rules.title_rule(code)  # NotFound names the close matches
        if title.cluster_vote is None:
            raise Conflict(f"candidates.{code}: this title is not voted in a cluster")
        for unit in chosen:
            if unit not in ranks:
                raise Conflict(f"candidates.{code}: unit {unit} has no final score sheet")
            if unit in disciplined:
                raise Conflict(f"candidates.{code}: unit {unit} is under discipline")
        if len(set(chosen)) != len(chosen) or not chosen:
            raise InvalidInput(f"candidates.{code}: list each candidate once, at least one")
        out[code] = list(chosen)
    if not out:
        raise InvalidInput("candidates: name at least one title and its candidates")
    return out


def _past_winners(rows: Sequence[tuple[int, dict[str, Any]]]
                  ) -> dict[str, dict[str, list[int]]]:
    """Winners of the same cluster's locked votes in earlier years, per title and year."""
    past: dict[str, dict[str, list[int]]] = {}
    for year_, data in rows:
        for title, winners in (data.get("winners") or {}).items():
            past.setdefault(title, {}).setdefault(str(year_), []).extend(winners)
    return past


# --- casting -----------------------------------------------------------------------------------


def voter_key(workflows: Workflows, session: Instance, actor: Actor) -> str:
    """The seat this actor votes in: their unit (cast by its head, or a delegate of the head)
    in a cluster vote; themselves as a council member in a council vote."""
    if session.data.get("kind") == "council":
        held = actor.roles_for(None, None, session.year)
        if "council_member" not in held or actor.user_id is None:
            raise PermissionDenied("only members of the council vote in this session")
        return f"user:{actor.user_id}"
    heads = [g.unit_id for g in actor.grants if g.role == "unit_head" and g.unit_id is not None
             and (g.year is None or g.year == session.year)]
    eligible = set(session.data.get("eligible") or [])
    seats = [f"unit:{u}" for u in heads if f"unit:{u}" in eligible]
    if not seats:
        raise PermissionDenied(
            "only the head of a member unit (or their delegate) casts the unit's ballot")
    return seats[0]


def cast_ballot(
    workflows: Workflows, session_id: int, actor: Actor,
    choices: Mapping[str, Sequence[int]] | None,
) -> Receipt:
    """Cast one ballot: up to the title's cap of candidates per title, or none (abstain).

    Who voted and what they chose are written to two tables that share nothing that joins
    them; a second ballot from the same seat in the same round is refused."""
    with workflows.store.write() as tx:
        session = tx.load_instance(session_id, lock=True)
        if session is None or session.workflow != "vote_session":
            raise NotFound(f"no vote session with id {session_id}")
        if session.state != "open":
            raise TransitionNotAllowed("status", f"voting is not open (the session is "
                                       f"{session.state})")
        key = voter_key(workflows, session, actor)
        _refuse_non_voter(workflows, session, key)
        round_ = int(session.data["round"])
        clean = _check_choices(workflows, session, choices or {})
        _refuse_own(session, actor, key, clean)
        box = workflows.catalog.uow().in_engine_tx(tx)
        if box.has_voted(session_id, round_, key):
            raise TransitionNotAllowed("status", f"{key} has already voted in round {round_}")
        if bbox.sealed(session):
            # checked above, sealed here: the plain choices go no further than this call
            receipt = bbox.seal(bbox.port(tx), session, clean)
            box.record_participation(session_id, round_, key, actor.username)
            return Receipt(session_id, round_, key, receipt)
        box.record_ballot(session_id, round_, key, actor.username, secrets.token_hex(16), clean,
                          None if session.data.get("secret", True) else key)
    return Receipt(session_id, round_, key)


def _refuse_non_voter(workflows: Workflows, session: Instance, key: str) -> None:
    """A ballot only from a voter the session accepts: one of the members fixed when the vote
    opened and, in a council, one ticked present or, where the rule set lets absent members
    vote in writing, an absent member (their written vote). So ballots never outnumber the
    voters the count is based on."""
    if key not in set(session.data.get("eligible") or ()):
        raise TransitionNotAllowed("status", "you were not among the voters when this vote "
                                   "opened", Refusal("ballot_not_a_voter"))
    if session.data.get("kind") != "council" or not session.data.get("present"):
        return
    if key in vote_rules.attendees(session.data):
        return
    assert workflows.rulebook is not None
    ref = session.data["rule_set"]
    rules = workflows.rulebook.get(ref["code"], ref["version"])
    if not vote_rules.written_votes_allowed(rules, session.data["candidates"]):
        raise TransitionNotAllowed("status", "you were not present at the meeting and these "
                                   "titles take no written votes from absent members",
                                   Refusal("ballot_absent_no_writing"))


def accepts(workflows: Workflows, session: Instance, key: str) -> bool:
    """Whether the session takes a ballot from this seat now (see `_refuse_non_voter`)."""
    try:
        _refuse_non_voter(workflows, session, key)
    except TransitionNotAllowed:
        return False
    return True


def own_candidates(session: Instance, actor: Actor, key: str) -> set[int]:
    """The candidates this voter may not choose (separation of duties, bầu cử khách quan):
    in a cluster vote the unit of the seat; in a council vote the dossiers of any unit the
    member belongs to. Abstaining on them is the only choice left."""
    if key.startswith("unit:"):
        return {int(key.removeprefix("unit:"))}
    mine = people.units_of(actor)
    units = session.data.get("candidate_units") or {}
    return {int(c) for c, unit in units.items() if unit in mine}


def _refuse_own(session: Instance, actor: Actor, key: str, choices: dict[str, list[int]]) -> None:
    own = own_candidates(session, actor, key)
    for code, chosen in choices.items():
        mine = sorted(own.intersection(chosen))
        if mine:
            raise PermissionDenied(
                f"choices.{code}: candidate {', '.join(map(str, mine))} is your own unit's; "
                "nobody votes on their own unit (leave it out or abstain)")


def _check_choices(
    workflows: Workflows, session: Instance, choices: Mapping[str, Sequence[int]]
) -> dict[str, list[int]]:
    if not isinstance(choices, Mapping):
        raise InvalidInput("choices: map each title to the candidates chosen")
    assert workflows.rulebook is not None
    ref = session.data["rule_set"]
    rules = workflows.rulebook.get(ref["code"], ref["version"])
    open_titles = session.data["candidates"]
    out = {}
    for code, chosen in choices.items():
        if code not in open_titles:
            raise Conflict(f"choices.{code}: not voted on in this round")
        if not isinstance(chosen, list | tuple) or len(set(chosen)) != len(chosen):
            raise InvalidInput(f"choices.{code}: a list of distinct candidates")
        strangers = [c for c in chosen if c not in open_titles[code]]
        if strangers:
            raise Conflict(f"choices.{code}: not candidates: {strangers}")
        cap = rules.title_rule(code).max_candidates_per_ballot
        if len(chosen) > cap:
            raise Conflict(f"choices.{code}: at most {cap} candidate(s) per ballot")
        out[code] = [int(c) for c in chosen]
    return out


# --- reading -----------------------------------------------------------------------------------


def result(workflows: Workflows, session_id: int) -> dict[str, Any]:
    """The tally, the winners and the warnings; refused while the vote is not counted."""
    session = workflows.get(session_id)
    if session.workflow != "vote_session":
        raise NotFound(f"no vote session with id {session_id}")
    if session.state in HIDDEN_STATES:
        raise PermissionDenied("the result is hidden until the votes are counted")
    data = session.data
    return {"tally": data.get("tally", {}), "winners": data.get("winners", {}),
            "runoff": data.get("runoff", {}), "warnings": data.get("warnings", [])}


def turnout(workflows: Workflows, session_id: int) -> dict[str, Any]:
    """Who has voted in the current round (public), never how."""
    session = workflows.get(session_id)
    with workflows.catalog.uow().read() as uow:
        voted = uow.year.voted(session_id, int(session.data.get("round", 1)))
    return {"eligible": session.data.get("eligible", []), "voted": list(voted),
            "as_of": workflows.clock.local().isoformat()}


# --- minutes -----------------------------------------------------------------------------------


def draw_up_minutes(
    workflows: Workflows, session_id: int, actor: Actor, folder: Path,
    committee: Sequence[tuple[str, str]],
) -> str:
    """Generate the vote-count minutes (biên bản kiểm phiếu), attach them to the session and
    record their hash in its history; returns the hash."""
    session = workflows.get(session_id)
    if session.state != "tallied":
        raise TransitionNotAllowed("status", "the minutes follow the count")
    minutes = _vote_minutes(workflows, session, committee)
    doc = gen.vote_count_minutes(minutes)
    documents.attach(workflows, folder, session, actor, "bien_ban_kiem_phieu", doc.filename,
                     doc.content, uploaded=False)
    workflows.fire(session, "record_minutes", actor, {"minutes_sha256": doc.sha256})
    return doc.sha256


def _vote_minutes(
    workflows: Workflows, session: Instance, committee: Sequence[tuple[str, str]]
) -> gen.VoteCountMinutes:
    """The minutes' content, every sentence in Vietnamese from the vote catalogue; the place,
    date and conference those given when the vote was scheduled."""
    assert workflows.rulebook is not None
    ref = session.data["rule_set"]
    rules = workflows.rulebook.get(ref["code"], ref["version"])
    names = _unit_names(workflows)
    titles = {t.code: t.label.vi for t in rules.titles}
    council = session.data.get("kind") == "council"
    tallies = []
    last = max(session.data["tally"], key=int)
    for round_key, counted in sorted(session.data["tally"].items(), key=lambda kv: int(kv[0])):
        for code, outcome in counted["titles"].items():
            title = rules.title_rule(code)
            rule = title.vote if council else title.cluster_vote
            shown = {"comparison": "more_than" if rule.strictly else "at_least",
                     "share": show_share(rule.threshold.value), "basis": rule.basis} \
                if rule else None
            present_base = rule is not None and rule.basis == "present"
            tallies.append(gen.TitleTally(
                title_label=title.label.vi,
                base=counted["ballots"] if present_base else counted["eligible"],
                base_label=("số thành viên có mặt" if present_base
                            else "tổng số thành viên" if council
                            else "tổng số đơn vị thành viên"),
                threshold=vote_text.rule_text(shown, "vi") if shown else "",
                rule=rule.threshold.basis if rule else "",
                candidates=tuple(gen.CandidateTally(
                    names.get(c["candidate"], str(c["candidate"])), c["yes"], c["elected"],
                    vote_text.render_all(c.get("rule"), "vi", names) or c["reason"])
                    for c in outcome["candidates"]),
                round=int(round_key),
                note=vote_text.render_all(outcome.get("note_rule"), "vi", names)
                or outcome.get("note", "")))
    counted = session.data["tally"][last]
    meeting = Meeting.of(session.data.get("meeting"))
    present, absent = _attendance(workflows, session, names)
    warnings = [vote_text.Sentence.of(w).render("vi", names, titles)
                for w in session.data.get("warning_rules") or ()] \
        or list(session.data.get("warnings") or ())
    return gen.VoteCountMinutes(
        issuer=_cluster_name(workflows, session), number=f"{session.id}/BB-KP",
        place=meeting.place if meeting else "",
        date=meeting.day if meeting else workflows.clock.today(),
        venue=meeting.conference if meeting else "hội nghị bình xét, suy tôn",
        session_name=f"Bình xét, suy tôn năm {session.year}" if session.year
        else "Bình xét, suy tôn",
        committee=tuple(gen.CommitteeMember(n, r) for n, r in committee),
        voters_eligible=counted["eligible"], ballots_issued=counted["eligible"],
        ballots_received=counted["ballots"], ballots_valid=counted["ballots"],
        ballots_invalid=0, abstentions=counted["abstained"], tallies=tuple(tallies),
        warnings=tuple(warnings), present=tuple(present), absent=tuple(absent),
        time=meeting.time if meeting else None)


def _attendance(workflows: Workflows, session: Instance, names: Mapping[int, str]
                ) -> tuple[list[str], list[str]]:
    """Names of the member units present and absent at the quorum check (a cluster vote)."""
    listed = session.data.get("present")
    if not listed or session.data.get("kind") == "council" or session.cluster_id is None:
        return [], []
    with workflows.catalog.uow().read() as uow:
        members = list(uow.year.members(session.cluster_id))
    here = set(listed)
    return ([names.get(u, str(u)) for u in members if f"unit:{u}" in here],
            [names.get(u, str(u)) for u in members if f"unit:{u}" not in here])


def _unit_names(workflows: Workflows) -> dict[int, str]:
    with workflows.catalog.uow().read() as uow:
        return uow.organisations.unit_names()


def _cluster_name(workflows: Workflows, session: Instance) -> str:
    with workflows.catalog.uow().read() as uow:
        return uow.organisations.cluster_name(session.cluster_id) or ""


# --- telling people --------------------------------------------------------------------------

Render = Callable[[str, str, Mapping[str, Any]], tuple[str, str]]
OPEN_TEXT = {
    "vi": ("Mời bỏ phiếu: {title}",
           "Phiên bỏ phiếu {title} đã mở{meeting}. Đề nghị đồng chí bỏ phiếu kín trên hệ "
           "thống{until}."),
    "en": ("Please vote: {title}",
           "The vote {title} is open{meeting}. Please cast your secret ballot in the "
           "system{until}."),
}
RESULT_TEXT = {
    "vi": ("Kết quả bỏ phiếu: {title}", "Đã kiểm phiếu. Kết quả: {winners}."),
    "en": ("Vote result: {title}", "The votes are counted. Result: {winners}."),
}
NOBODY = {"vi": "không ai được suy tôn", "en": "nobody elected"}


def announce(workflows: Workflows, fired: Fired, *, base_url: str = "",
             render: Render = templates.render) -> int:
    """What a step of a vote session means to people, as messages (in-app, and e-mail to
    those with an address): when the vote opens (or a runoff), the ballot to every voter with
    its closing time; once counted, the result to the member units' heads and officers (or
    the council's members). Returns how many messages were written."""
    session = fired.instance
    if session.workflow != "vote_session":
        return 0
    reached = {fired.to_state} | {a.to_state for a in fired.auto if a.instance_id == session.id}
    roles: tuple[str, ...]
    if "closed" in reached and bbox.committee_of(session) is not None:
        return tell_committee(workflows, session, "committee_count", base_url=base_url,
                              render=render)
    if "open" in reached:
        kind, roles = "vote_open", ("unit_head",)
    elif "tallied" in reached and not session.data.get("runoff"):
        kind, roles = "vote_result", ("unit_head", "unit_officer")
    else:
        return 0
    seats = [str(k) for k in session.data.get("eligible") or ()]
    units = [int(k.removeprefix("unit:")) for k in seats if k.startswith("unit:")]
    user_ids = [int(k.removeprefix("user:")) for k in seats if k.startswith("user:")]
    with workflows.catalog.uow().read() as uow:
        people_ = uow.year.people(units=units, roles=roles, year=session.year,
                                  user_ids=user_ids)
        cluster = uow.organisations.cluster_name(session.cluster_id) or ""
        names = uow.organisations.unit_names() if kind == "vote_result" else {}
    link = f"{base_url.rstrip('/')}/votes/{session.id}"
    now = workflows.clock.now()
    written = 0
    with workflows.store.write() as tx:
        out = workflows.catalog.uow().in_engine_tx(tx)
        for user_id, full_name, email, locale in people_:
            lang = templates.resolve_locale(locale)
            subject, text = _announcement(workflows, session, kind, lang, cluster, names)
            subject, body = render("notice", lang, {"title": subject, "text": text,
                                                    "recipient": full_name, "link": link})
            for channel, address in [("in_app", None)] + ([("email", email)] if email else []):
                out.add_message({
                    "channel": channel, "user_id": user_id, "address": address, "kind": kind,
                    "instance_id": session.id, "deadline_id": None, "subject": subject,
                    "body": body, "link": link, "digest_date": None, "status": "pending",
                    "attempts": 0, "created_at": now})
                written += 1
    return written


COMMITTEE_TEXT = {
    "committee_share": {
        "vi": ("Ban kiểm phiếu: nhận mảnh khóa – {title}",
               "Đồng chí được cử vào ban kiểm phiếu của phiên bỏ phiếu {title}. Hãy nhận mảnh "
               "khóa kiểm phiếu của mình trên trang của ban kiểm phiếu trước khi mở bỏ phiếu."),
        "en": ("Counting committee: collect your share – {title}",
               "You sit on the counting committee of the vote {title}. Collect your share of "
               "the counting key on the committee's page before the vote opens.")},
    "committee_count": {
        "vi": ("Ban kiểm phiếu: nộp mảnh khóa – {title}",
               "Đã đóng phiếu của phiên bỏ phiếu {title}. Hãy nộp mảnh khóa của mình trên "
               "trang của ban kiểm phiếu để mở kết quả kiểm phiếu."),
        "en": ("Counting committee: release your share – {title}",
               "The vote {title} is closed. Release your share of the key on the committee's "
               "page to open the count.")},
}


def tell_committee(workflows: Workflows, session: Instance, kind: str, *, base_url: str = "",
                   render: Render = templates.render) -> int:
    """Tell the counting committee's members to collect their share (the vote is scheduled)
    or to release it (the vote is closed), in the app and by e-mail; returns the messages."""
    committee = bbox.committee_of(session)
    if committee is None:
        return 0
    with workflows.catalog.uow().read() as uow:
        people_ = uow.year.people(user_ids=list(committee.members), year=session.year)
        cluster = uow.organisations.cluster_name(session.cluster_id) or ""
    link = f"{base_url.rstrip('/')}/votes/{session.id}/committee"
    spec = workflows.catalog.compiled(session.definition_id).spec
    now = workflows.clock.now()
    written = 0
    with workflows.store.write() as tx:
        out = workflows.catalog.uow().in_engine_tx(tx)
        for user_id, full_name, email, locale in people_:
            lang = templates.resolve_locale(locale)
            title = " – ".join(p for p in (
                f"{spec.title.get(lang)} {session.year or ''}".strip(), cluster) if p)
            subject, text = COMMITTEE_TEXT[kind][lang]
            subject, body = render("notice", lang, {
                "title": subject.format(title=title), "text": text.format(title=title),
                "recipient": full_name, "link": link})
            for channel, address in [("in_app", None)] + ([("email", email)] if email else []):
                out.add_message({
                    "channel": channel, "user_id": user_id, "address": address, "kind": kind,
                    "instance_id": session.id, "deadline_id": None, "subject": subject,
                    "body": body, "link": link, "digest_date": None, "status": "pending",
                    "attempts": 0, "created_at": now})
                written += 1
    return written


def _announcement(workflows: Workflows, session: Instance, kind: str, lang: str, cluster: str,
                  names: Mapping[int, str]) -> tuple[str, str]:
    spec = workflows.catalog.compiled(session.definition_id).spec
    title = " – ".join(p for p in (f"{spec.title.get(lang)} {session.year or ''}".strip(),
                                    cluster) if p)
    if kind == "vote_open":
        meeting = Meeting.of(session.data.get("meeting"))
        at = f" ({meeting.conference}, {meeting.place})" if meeting else ""
        ends = session.data.get("ends_at")
        until = ""
        if ends:
            local = workflows.clock.local(dt.datetime.fromisoformat(str(ends)))
            until = (f" trước {local:%H:%M} ngày {local:%d/%m/%Y}" if lang == "vi"
                     else f" by {local:%H:%M} on {local:%d/%m/%Y}")
        subject, text = OPEN_TEXT[lang]
        return subject.format(title=title), text.format(title=title, meeting=at, until=until)
    assert workflows.rulebook is not None
    ref = session.data["rule_set"]
    rules = workflows.rulebook.get(ref["code"], ref["version"])
    won = [f"{rules.title_rule(code).label.get(lang)}: "
           + (", ".join(names.get(int(u), str(u)) for u in units) or NOBODY[lang])
           for code, units in (session.data.get("winners") or {}).items()]
    subject, text = RESULT_TEXT[lang]
    return subject.format(title=title), text.format(winners="; ".join(won) or NOBODY[lang])
