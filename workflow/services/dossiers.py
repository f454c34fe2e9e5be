"""Dossiers as people handle them: opened from a vote, documents generated and recorded,
objections filed by anyone and answered, the council's vote, the decision and what the public
may read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.documents import generated as gen
from workflow.domain import vote_text
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services import access, templates
from workflow.services import documents as attachments
from workflow.services.ports import UnitOfWork
from workflow.services.workflows import Workflows

PUBLIC_STATES = ("posting", "announced", "archived")


def open_dossiers(
    workflows: Workflows, session_id: int, actor: Actor, folder: Path,
    skip_units: Collection[int] = (),
) -> list[Instance]:
    """One dossier per winner of a locked cluster vote (but those in `skip_units`), with the
    vote's minutes attached and the title's name kept for the dossier's heading."""
    session = workflows.get(session_id)
    if session.workflow != "vote_session" or session.state != "locked":
        raise TransitionNotAllowed("status", "dossiers follow a locked vote session")
    minutes = _document(workflows, session.id, "bien_ban_kiem_phieu")
    opened = []
    for title, winners in session.data.get("winners", {}).items():
        label = _title_label_of(workflows, session.data["rule_set"], title)
        for unit in winners:
            if unit in skip_units:
                continue
            dossier = workflows.start(
                "dossier", actor, unit_id=unit, cluster_id=session.cluster_id, year=session.year,
                parent_id=session.data.get("campaign_id"), data={
                    "title": title, "nominee_unit_id": unit, "vote_session_id": session.id,
                    "rule_set": session.data["rule_set"], "title_label": label})
            content = (folder / minutes["storage_key"]).read_bytes()
            attach(workflows, dossier, actor, folder, minutes["kind"], minutes["filename"],
                   content)
            opened.append(workflows.get(dossier.id))
    return opened


def _title_label_of(workflows: Workflows, ref: Mapping[str, Any], title: str) -> dict[str, str]:
    if workflows.rulebook is None:
        return {"vi": title, "en": title}
    label = workflows.rulebook.get(ref["code"], ref["version"]).title_rule(title).label
    return {"vi": label.vi, "en": label.en}


def _document(workflows: Workflows, instance_id: int, kind: str) -> dict[str, Any]:
    with workflows.catalog.uow().read() as uow:
        row = uow.year.latest_document(instance_id, kind)
    if row is None:
        raise NotFound(f"no {kind} document on item {instance_id}")
    return row


def attach(
    workflows: Workflows, inst: Instance, actor: Actor, folder: Path, kind: str, filename: str,
    content: bytes,
) -> str:
    """Attach a file to a dossier and record its hash in its history."""
    return attachments.attach(workflows, folder, inst, actor, kind, filename, content,
                              uploaded=False).sha256


def submission_letter(
    workflows: Workflows, dossier_id: int, actor: Actor, folder: Path, *, number: str,
    signer: tuple[str, str],
) -> str:
    """Generate the tờ trình of a dossier, attach it and record its hash."""
    dossier = workflows.get(dossier_id)
    title = _title(workflows, dossier)
    names = _names(workflows)
    session = workflows.get(int(dossier.data["vote_session_id"]))
    tally = session.data["tally"][max(session.data["tally"], key=int)]
    line = next(c for c in tally["titles"][dossier.data["title"]]["candidates"]
                if c["candidate"] == dossier.unit_id)
    today = workflows.clock.today()
    cluster = _cluster_name(workflows, dossier.cluster_id)
    letter = gen.SubmissionLetter(
        issuer=cluster.upper(), number=number, place="Hà Nội", date=today,
        recipient="Hội đồng Thi đua – Khen thưởng Trung ương",
        subject=f"Về việc đề nghị tặng {title.label.vi} năm {dossier.year}",
        legal_basis=("Luật Thi đua, khen thưởng số 06/2022/QH15",
                     "Kết quả bình xét, suy tôn của " + cluster),
        body=(f"{cluster} đề nghị tặng {title.label.vi} cho đơn vị dẫn đầu phong trào thi đua "
              f"năm {dossier.year}.",),
        nominees=((names.get(dossier.unit_id or 0, ""), title.label.vi,
                   vote_text.render_all(line.get("rule"), "vi", names) or line["reason"]),),
        vote_summary=f"{line['yes']}/{tally['eligible']} phiếu đồng ý",
        recipients=("Như trên", "Các đơn vị thành viên"),
        signer_position=signer[0], signer_name=signer[1],
        vote_yes=line["yes"], vote_total=tally["eligible"])
    doc = gen.submission_letter(letter)
    return attach(workflows, dossier, actor, folder, "to_trinh", doc.filename, doc.content)


def _title(workflows: Workflows, dossier: Instance) -> Any:
    assert workflows.rulebook is not None
    ref = dossier.data["rule_set"]
    return workflows.rulebook.get(ref["code"], ref["version"]).title_rule(dossier.data["title"])


def _names(workflows: Workflows) -> dict[int, str]:
    with workflows.catalog.uow().read() as uow:
        return uow.organisations.unit_names()


def _cluster_name(workflows: Workflows, cluster_id: int | None) -> str:
    with workflows.catalog.uow().read() as uow:
        return uow.organisations.cluster_name(cluster_id) or ""


# --- objections during public posting ----------------------------------------------------------
#
# Anyone may object while a dossier is posted. The council office judges each objection
# admissible or not, with a reason; only an admissible objection not yet answered holds the
# dossier back (a flood of anonymous objections cannot block it). Answers are public.

OBJECTION_NOTICE_ROLES = ("council_secretariat",)  # told of each new objection
ADMITTED_NOTICE_ROLES = ("cluster_leader", "unit_head")  # told when one is judged admissible
MAX_OBJECTION = 5000
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class Objection:
    """An objection as the council office reads it; `contact` is never shown to the public."""

    id: int
    dossier_id: int
    text: str
    contact: str | None
    filed_at: dt.datetime
    admissible: bool | None  # None: not judged yet
    reason: str | None
    judged_by: str | None
    judged_at: dt.datetime | None
    answer: str | None
    answered_by: str | None
    answered_at: dt.datetime | None

    @property
    def holds(self) -> bool:
        """Whether it holds the dossier back: admissible and not answered yet."""
        return self.admissible is True and self.answered_at is None

    @property
    def status(self) -> str:
        """waiting (to be judged), inadmissible, open (admissible, to answer) or answered."""
        if self.admissible is None:
            return "waiting"
        if not self.admissible:
            return "inadmissible"
        return "answered" if self.answered_at is not None else "open"


def _objection(row: Mapping[str, Any]) -> Objection:
    return Objection(
        int(row["id"]), int(row["dossier_id"]), str(row["text"]), row["contact"],
        row["filed_at"], row["admissible"], row["reason"], row["judged_by"], row["judged_at"],
        row["answer"], row["answered_by"], row["answered_at"])


def file_objection(
    workflows: Workflows, dossier_id: int, text: str, contact: str | None = None
) -> int:
    """Anyone may object to a dossier while its posting period runs; no sign-in needed. The
    council office is told (in the app, and by e-mail where it has an address)."""
    text = (text or "").strip()
    if not text or len(text) > MAX_OBJECTION:
        raise InvalidInput("text: say what the objection is (at most 5,000 characters)")
    dossier = workflows.get(dossier_id)
    if dossier.workflow != "dossier" or dossier.state != "posting":
        raise TransitionNotAllowed("status", "objections are taken while a dossier is posted")
    period = posting_period(workflows, dossier)
    if period is not None and workflows.clock.today() > period[1]:
        raise TransitionNotAllowed("status", "the dossier's posting period is over")
    now = workflows.clock.now()
    title = _dossier_name(workflows, dossier)
    with workflows.catalog.uow() as uow:
        objection_id = uow.year.add_objection(
            dossier_id, text, (contact or "").strip()[:200] or None, now)
        _notify(uow, dossier, OBJECTION_NOTICE_ROLES, now, _new_objection(title, text))
        return objection_id


Texts = dict[str, tuple[str, str]]  # locale -> (subject's title, text)


def _quoted(text: str) -> str:
    return text if len(text) <= 500 else text[:500] + "…"


def _new_objection(title: str, text: str) -> Texts:
    return {
        "vi": (f"Ý kiến phản ánh về hồ sơ {title}",
               f"Có ý kiến phản ánh mới về hồ sơ “{title}” đang công khai:\n\n{_quoted(text)}"
               "\n\nĐề nghị xem xét, quyết định thụ lý hay không và trả lời."),
        "en": (f"Objection to the dossier {title}",
               f"A new objection to the posted dossier “{title}”:\n\n{_quoted(text)}\n\n"
               "Please judge whether it is admissible and answer it.")}


def _admitted(title: str, text: str, reason: str) -> Texts:
    return {
        "vi": (f"Ý kiến phản ánh được thụ lý: hồ sơ {title}",
               f"Cơ quan thường trực Hội đồng đã thụ lý ý kiến phản ánh về hồ sơ “{title}”:"
               f"\n\n{_quoted(text)}\n\nLý do thụ lý: {reason}\n\nHồ sơ chưa thể nộp cho "
               "đến khi ý kiến này được trả lời."),
        "en": (f"Objection admitted: dossier {title}",
               f"The council office admitted an objection to the dossier “{title}”:\n\n"
               f"{_quoted(text)}\n\nWhy: {reason}\n\nThe dossier cannot be submitted until "
               "it is answered.")}


def _notify(uow: UnitOfWork, dossier: Instance, roles: Sequence[str], now: dt.datetime,
            texts: Texts) -> None:
    """Tell the people holding the roles on the dossier, in the app and by e-mail where they
    have an address, in their language, with a link to the dossier's objections."""
    for user_id, full_name, email, locale in uow.year.role_holders(
            dossier.unit_id, dossier.cluster_id, dossier.year, roles):
        locale = templates.resolve_locale(locale)
        title, text = texts[locale]
        subject, body = templates.render("notice", locale, {
            "title": title, "text": text, "recipient": full_name})
        for message in templates.message_rows(
                user_id=user_id, email=email, kind="notice", instance_id=dossier.id,
                subject=subject, body=body, link=objections_path(dossier.id), now=now):
            uow.year.add_message(message)


def objections_path(dossier_id: int) -> str:
    """The page where the council office reads, judges and answers a dossier's objections."""
    return f"/dossiers/{dossier_id}/objections"


def _dossier_name(workflows: Workflows, dossier: Instance) -> str:
    names = _names(workflows)
    label = _title_label(workflows, dossier.data)
    unit = names.get(dossier.unit_id or 0, "")
    return f"{label} {dossier.year or ''} – {unit}".replace("  ", " ").strip(" –")


def objections_of(workflows: Workflows, dossier_id: int) -> list[Objection]:
    """Every objection to a dossier, as filed (the page checks who may read them)."""
    with workflows.catalog.uow().read() as uow:
        return [_objection(r) for r in uow.year.objections_of([dossier_id])]


def may_judge(actor: Actor, dossier: Instance) -> bool:
    """The council office judges whether an objection is admissible."""
    return access.may_judge_objections(actor, dossier)


def may_answer(actor: Actor, dossier: Instance) -> bool:
    """The council office or the cluster's leader answers an admissible objection."""
    return access.may_answer_objections(actor, dossier)


def _load_objection(uow: UnitOfWork, workflows: Workflows, objection_id: int
                    ) -> tuple[Objection, Instance]:
    row = uow.year.objection_row(objection_id)
    if row is None:
        raise NotFound(f"no objection {objection_id}")
    found = _objection(row)
    return found, workflows.get(found.dossier_id)


def judge_objection(workflows: Workflows, objection_id: int, actor: Actor, *, admissible: bool,
                    reason: str) -> Objection:
    """The council office judges an objection admissible (it then holds the dossier back until
    answered) or not, with a reason, once."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason: say why the objection is or is not admissible")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"reason: at most {MAX_REASON:,} characters")
    with workflows.catalog.uow() as uow:
        found, dossier = _load_objection(uow, workflows, objection_id)
        if not may_judge(actor, dossier):
            raise PermissionDenied("objections are judged by the council office")
        if found.admissible is not None:
            raise InvalidInput(f"objection {objection_id} is already judged")
        now = workflows.clock.now()
        if not uow.year.judge_objection(objection_id, admissible, reason, actor.username, now):
            raise InvalidInput(f"objection {objection_id} is already judged")
        if admissible:  # it now holds the dossier back: the leader and the nominee are told
            _notify(uow, dossier, ADMITTED_NOTICE_ROLES, now,
                    _admitted(_dossier_name(workflows, dossier), found.text, reason))
        judged = uow.year.objection_row(objection_id)
        assert judged is not None
        return _objection(judged)


def answer_objection(workflows: Workflows, objection_id: int, actor: Actor, answer: str) -> None:
    """The cluster leader or the council office answers an admissible objection, once."""
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput("answer: an objection needs a written answer")
    if len(answer) > MAX_OBJECTION:
        raise InvalidInput("answer: at most 5,000 characters")
    with workflows.catalog.uow() as uow:
        found, dossier = _load_objection(uow, workflows, objection_id)
        if not may_answer(actor, dossier):
            raise PermissionDenied("objections are answered by the cluster leader or the "
                                   "council office")
        if found.admissible is None:
            raise InvalidInput(f"objection {objection_id} is not judged yet: the council "
                               "office first judges whether it is admissible")
        if not found.admissible:
            raise InvalidInput(f"objection {objection_id} was judged not admissible")
        if found.answered_at is not None:
            raise InvalidInput(f"objection {objection_id} is already answered")
        if not uow.year.answer_objection(objection_id, answer, actor.username,
                                         workflows.clock.now()):  # a colleague was first
            raise InvalidInput(f"objection {objection_id} is already answered")


def posting_period(workflows: Workflows, dossier: Instance | Mapping[str, Any]
                   ) -> tuple[dt.date, dt.date] | None:
    """The first and last local day of a dossier's public posting (the rule set's period from
    the day it was posted); None before it is posted."""
    data = dossier if isinstance(dossier, Mapping) else dossier.data
    raw = data.get("posted_at")
    if not raw:
        return None
    posted = workflows.clock.date_of(dt.datetime.fromisoformat(str(raw)))
    if workflows.rulebook is None:
        return posted, posted
    ref = data["rule_set"]
    rules = workflows.rulebook.get(ref["code"], ref["version"])
    days = int(rules.public_posting_days.value)
    if rules.public_posting_basis == "working":
        return posted, workflows.calendar.add_working_days(posted, days)
    return posted, posted + dt.timedelta(days=days)


# --- the council -------------------------------------------------------------------------------


def schedule_council_vote(
    workflows: Workflows, actor: Actor, dossier_ids: Sequence[int], year: int, *,
    meeting: Any = None, committee: Mapping[str, Any] | None = None,
) -> Instance:
    """A council meeting voting on dossiers under review; candidates are the dossiers.
    `committee`, the vote-counting committee's data (members and threshold), checked by the
    caller, who deals its key."""
    if workflows.rulebook is None:
        raise InvalidInput("no rule book is loaded (definitions/rules)")
    found = [workflows.get(i) for i in dossier_ids]
    if not found or any(d.workflow != "dossier" or d.state != "council_review" for d in found):
        raise InvalidInput("dossier_ids: dossiers under council review only")
    ref = found[0].data["rule_set"]
    candidates: dict[str, list[int]] = {}
    for d in found:
        candidates.setdefault(d.data["title"], []).append(d.id)
    return workflows.start("vote_session", actor, year=year, data={
        "kind": "council", "titles": sorted(candidates), "candidates": candidates,
        "candidate_units": {str(d.id): d.unit_id for d in found},  # for members' recusal
        "rule_set": ref, "secret": True,
        # the meeting's date, time and place (a voting.Meeting), for the invitation and minutes
        **({"meeting": meeting.as_data()} if meeting is not None else {}),
        **({"committee": dict(committee)} if committee is not None else {})})


def record_council_results(workflows: Workflows, session_id: int, actor: Actor) -> None:
    """Write the council's verdict into each dossier it voted on."""
    session = workflows.get(session_id)
    if session.data.get("kind") != "council" or session.state != "locked":
        raise TransitionNotAllowed("status", "a locked council vote is needed")
    # each dossier reads its result from the session's count (the payload names the session)
    for dossier_id in sorted(int(d) for d in session.data.get("candidate_units") or {}):
        workflows.fire(dossier_id, "record_council_result", actor,
                       {"council_session_id": session_id})


# --- the public page ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicAnswer:
    """An answered objection as the public reads it: what was asked and the answer, never who
    asked or how to reach them."""

    text: str
    answer: str
    answered_on: dt.date


@dataclass(frozen=True, slots=True)
class PublicDossier:
    id: int
    state: str
    unit: str
    title: str
    year: int | None
    outcome: str | None
    objections_open: bool
    cluster: str = ""
    summary: tuple[str, ...] = ()
    posted_from: dt.date | None = None
    posted_until: dt.date | None = None
    answers: tuple[PublicAnswer, ...] = ()
    decision_number: str | None = None
    decision_date: dt.date | None = None
    granted_title: str | None = None


def public_listing(workflows: Workflows) -> list[PublicDossier]:
    """What anyone may read without signing in: dossiers whose posting period runs (open to
    objections, with the answers given) and announced results with their decision. A dossier
    whose period is over leaves the list, even before the scheduler moves it on."""
    today = workflows.clock.today()
    with workflows.catalog.uow().read() as uow:
        rows = uow.year.public_dossiers(PUBLIC_STATES)
        posted = [r for r in rows if r.state == "posting"]
        answered = uow.year.objections_of([r.id for r in posted])
    answers: dict[int, list[PublicAnswer]] = {}
    for o in answered:
        if o["admissible"] and o["answered_at"] is not None:
            answers.setdefault(int(o["dossier_id"]), []).append(PublicAnswer(
                str(o["text"]), str(o["answer"]), workflows.clock.date_of(o["answered_at"])))
    sessions: dict[int, Instance] = {}
    out = []
    for r in rows:
        title = _title_label(workflows, r.data)
        period = posting_period(workflows, r.data) if r.state == "posting" else None
        if r.state == "posting" and period is not None and today > period[1]:
            continue  # its posting is over: no longer under posting, not yet a result
        out.append(PublicDossier(
            r.id, r.state, r.name, title, r.year, r.data.get("outcome"), r.state == "posting",
            cluster=r.cluster_name or "",
            summary=_summary(workflows, r, sessions),
            posted_from=period[0] if period else None,
            posted_until=period[1] if period else None,
            answers=tuple(answers.get(r.id, ())),
            decision_number=_text(r.data.get("decision_number")),
            decision_date=_decision_date(workflows, r),
            granted_title=_granted(workflows, r.data)))
    return out


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _decision_date(workflows: Workflows, row: Any) -> dt.date | None:
    raw = row.data.get("decision_date")
    if raw:
        try:
            return dt.date.fromisoformat(str(raw)[:10])
        except ValueError:
            pass
    return workflows.clock.date_of(row.decided_at) if row.decided_at is not None else None


def _granted(workflows: Workflows, data: Mapping[str, Any]) -> str | None:
    code = data.get("granted_title")
    if not code or code == data.get("title") or workflows.rulebook is None:
        return None
    ref = data["rule_set"]
    try:
        return str(workflows.rulebook.get(ref["code"], ref["version"]).title_rule(
            str(code)).label.vi)
    except (KeyError, LookupError, InvalidInput):
        return str(code)


def _summary(workflows: Workflows, row: Any, sessions: dict[int, Instance]) -> tuple[str, ...]:
    """What the public reads of a nominee's achievements: the dossier's own summary when it
    has one, the result of the cluster's vote that chose it and its achievement report."""
    lines: list[str] = []
    own = row.data.get("achievements") or row.data.get("summary")
    if isinstance(own, str) and own.strip():
        lines.append(own.strip())
    elif isinstance(own, list):
        lines.extend(str(x).strip() for x in own if str(x).strip())
    vote = _vote_line(workflows, row, sessions)
    if vote:
        lines.append(vote)
    if row.report_filename:
        lines.append(f"Báo cáo thành tích: {row.report_filename} (nộp ngày "
                     f"{workflows.clock.date_of(row.report_uploaded_at):%d/%m/%Y})")
    return tuple(lines)


def _vote_line(workflows: Workflows, row: Any, sessions: dict[int, Instance]) -> str | None:
    raw = row.data.get("vote_session_id")
    if raw is None:
        return None
    session_id = int(raw)
    if session_id not in sessions:
        try:
            sessions[session_id] = workflows.get(session_id)
        except NotFound:
            return None
    tally = sessions[session_id].data.get("tally") or {}
    if not tally:
        return None
    last = tally[max(tally, key=int)]
    line = next((c for c in last.get("titles", {}).get(row.data.get("title"), {}).get(
        "candidates", []) if c.get("candidate") == row.data.get("nominee_unit_id")), None)
    if line is None:
        return None
    return (f"Được {line['yes']}/{last['eligible']} đơn vị thành viên suy tôn trong cuộc "
            "bình xét của cụm, khối")


def _title_label(workflows: Workflows, data: Mapping[str, Any]) -> str:
    if workflows.rulebook is None:
        return str(data.get("title"))
    ref = data["rule_set"]
    return str(workflows.rulebook.get(ref["code"], ref["version"]).title_rule(
        data["title"]).label.vi)


def decision_list(
    workflows: Workflows, dossier_ids: Sequence[int], actor: Actor, folder: Path, *,
    number: str, decider: str,
) -> str:
    """The list attached to the decision (danh sách kèm theo quyết định), attached to each
    decided dossier with its hash recorded."""
    decided = [workflows.get(i) for i in dossier_ids]
    if any(d.state != "decided" for d in decided):
        raise InvalidInput("dossier_ids: decided dossiers only")
    names = _names(workflows)
    approved = [d for d in decided if d.data.get("outcome") in ("approved", "downgraded")]
    today = workflows.clock.today()
    doc = gen.decision_list(gen.DecisionList(
        issuer="THỦ TƯỚNG CHÍNH PHỦ", number=number, date=today, decider=decider,
        decided_title=_title(workflows, decided[0]).label.vi,
        subject="Về việc tặng Cờ thi đua của Chính phủ",
        entries=tuple(gen.DecisionEntry(names.get(d.unit_id or 0, ""),
                                        _title(workflows, d).label.vi,
                                        "; ".join(d.data.get("reasons") or []) if isinstance(
                                            d.data.get("reasons"), list)
                                        else str(d.data.get("reasons", "")))
                      for d in approved)))
    for d in decided:
        attach(workflows, d, actor, folder, "quyet_dinh", doc.filename, doc.content)
    return doc.sha256

