"""Dossiers as people handle them: opened from a vote, documents generated and recorded,
objections filed by anyone and answered, the council's vote, the decision and what the public
may read."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.documents import generated as gen
from workflow.domain import vote_text
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services import documents as attachments
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


def file_objection(
    workflows: Workflows, dossier_id: int, text: str, contact: str | None = None
) -> int:
    """Anyone may object to a dossier while it is posted; no sign-in needed."""
    text = (text or "").strip()
    if not text or len(text) > 5000:
        raise InvalidInput("text: say what the objection is (at most 5,000 characters)")
    dossier = workflows.get(dossier_id)
    if dossier.workflow != "dossier" or dossier.state != "posting":
        raise TransitionNotAllowed("status", "objections are taken while a dossier is posted")
    with workflows.catalog.uow() as uow:
        return uow.year.add_objection(dossier_id, text, (contact or "").strip()[:200] or None,
                                      workflows.clock.now())


def answer_objection(workflows: Workflows, objection_id: int, actor: Actor, answer: str) -> None:
    """The cluster leader or the council office answers an objection, once."""
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput("answer: an objection needs a written answer")
    with workflows.catalog.uow() as uow:
        row = uow.year.objection(objection_id)
        if row is None:
            raise NotFound(f"no objection {objection_id}")
        dossier_id, answered_at = row
        dossier = workflows.get(dossier_id)
        held = actor.roles_for(dossier.unit_id, dossier.cluster_id, dossier.year)
        if not held & {"cluster_leader", "council_secretariat"}:
            raise PermissionDenied("objections are answered by the cluster leader or the "
                                   "council office")
        if answered_at is not None:
            raise InvalidInput(f"objection {objection_id} is already answered")
        uow.year.answer_objection(objection_id, answer, actor.username, workflows.clock.now())


# --- the council -------------------------------------------------------------------------------


def schedule_council_vote(
    workflows: Workflows, actor: Actor, dossier_ids: Sequence[int], year: int
) -> Instance:
    """A council meeting voting on dossiers under review; candidates are the dossiers."""
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
        "rule_set": ref, "secret": True})


def record_council_results(workflows: Workflows, session_id: int, actor: Actor) -> None:
    """Write the council's verdict into each dossier it voted on."""
    session = workflows.get(session_id)
    if session.data.get("kind") != "council" or session.state != "locked":
        raise TransitionNotAllowed("status", "a locked council vote is needed")
    tally = session.data["tally"][max(session.data["tally"], key=int)]
    for outcome in tally["titles"].values():
        for line in outcome["candidates"]:
            workflows.fire(line["candidate"], "record_council_result", actor, {
                "council_result": {"carried": line["carried"], "yes": line["yes"],
                                   "reason": line["reason"]},
                "council_session_id": session_id})


# --- the public page ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicDossier:
    id: int
    state: str
    unit: str
    title: str
    year: int | None
    outcome: str | None
    objections_open: bool


def public_listing(workflows: Workflows) -> list[PublicDossier]:
    """What anyone may read without signing in: dossiers under public posting (open to
    objections) and announced results. Nothing else of a dossier is shown."""
    with workflows.catalog.uow().read() as uow:
        rows = uow.year.public_dossiers(PUBLIC_STATES)
    out = []
    for r in rows:
        title = _title_label(workflows, r.data)
        out.append(PublicDossier(r.id, r.state, r.name, title, r.year, r.data.get("outcome"),
                                 r.state == "posting"))
    return out


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

