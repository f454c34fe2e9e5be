"""The competent head's decision on a dossier the council carried (quyết định khen thưởng): đồng
ý, không đồng ý or khen mức thấp hơn, with reasons, the decision's number and date; the
decision document generated and attached; its announcement; its revocation with a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from workflow.documents import generated as gen
from workflow.domain.refusals import Refusal
from workflow.domain.roles import Actor
from workflow.domain.rulesets import Prize, RuleSet
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound
from workflow.services import documents as attachments
from workflow.services.workflows import Workflows

# the outcomes as the head writes them, and their codes in the dossier's data
OUTCOMES = {"approved": "đồng ý", "rejected": "không đồng ý", "downgraded": "khen mức thấp hơn"}
SPOKEN = {"đồng ý": "approved", "dong y": "approved", "không đồng ý": "rejected",
          "khong dong y": "rejected", "khen mức thấp hơn": "downgraded",
          "khen muc thap hon": "downgraded"}
# who signs at each level of a title (the issuer of the decision and its signer's title)
ISSUERS = {"state": ("THỦ TƯỚNG CHÍNH PHỦ", "Thủ tướng Chính phủ", "THỦ TƯỚNG"),
           "ministry": ("BỘ TRƯỞNG, CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH",
                        "Bộ trưởng, Chủ tịch Ủy ban nhân dân tỉnh", "BỘ TRƯỞNG"),
           "unit": ("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "Thủ trưởng cơ quan, đơn vị", "THỦ TRƯỞNG")}


@dataclass(frozen=True, slots=True)
class DecisionForm:
    """What the head typed: the outcome (a code or its Vietnamese words), the reasons, the
    decision's number and date, the lower title of a downgrade, and who signs."""

    outcome: str
    reasons: str
    number: str
    day: dt.date | None
    granted_title: str = ""
    signer_name: str = ""


def outcome_code(text: str) -> str | None:
    """`approved` for "approved" or "đồng ý" (any case); None when it is neither."""
    value = " ".join(text.strip().lower().split())
    return value if value in OUTCOMES else SPOKEN.get(value)


def rules_of(workflows: Workflows, dossier: Instance) -> RuleSet:
    assert workflows.rulebook is not None
    ref = dossier.data["rule_set"]
    return workflows.rulebook.get(ref["code"], ref["version"])


def lower_titles(workflows: Workflows, dossier: Instance) -> list[tuple[str, str]]:
    """The titles a downgrade may grant instead: the rule set's other titles of the same kind."""
    rules = rules_of(workflows, dossier)
    asked = rules.title_rule(dossier.data["title"])
    return [(t.code, t.label.vi) for t in rules.titles
            if t.code != asked.code and t.kind == asked.kind]


def prize_of(workflows: Workflows, dossier: Instance) -> Prize | None:
    """The prize money of a decided award: the granted title's coefficient times the base
    salary in force on the decision date, rounded up as the rule set says; None when nothing
    was awarded (not decided, không đồng ý, revoked) or the set gives no prize for the title
    or knows no base salary on that day."""
    data = dossier.data
    if data.get("outcome") not in ("approved", "downgraded") or not data.get("decision_date"):
        return None
    if dossier.state == "revoked":
        return None
    rules = rules_of(workflows, dossier)
    granted = str(data.get("granted_title") or data["title"])
    try:
        return rules.prize_money(granted, dt.date.fromisoformat(str(data["decision_date"])))
    except NotFound:
        return None


def decide(
    workflows: Workflows, dossier_id: int, actor: Actor, form: DecisionForm, folder: Path, *,
    expected_version: int | None = None,
) -> Instance:
    """Record the decision; an award (đồng ý, khen mức thấp hơn) gets its decision document
    generated and attached, with its hash in the dossier's history."""
    code = outcome_code(form.outcome)
    if code is None:
        raise InvalidInput("outcome: đồng ý, không đồng ý or khen mức thấp hơn",
                           Refusal("decision_outcome_invalid"))
    reasons = [line.strip() for line in form.reasons.splitlines() if line.strip()]
    day = form.day or workflows.clock.today()
    payload = {"outcome": code, "reasons": reasons, "decision_number": form.number.strip(),
               "decision_date": day.isoformat(),
               **({"granted_title": form.granted_title} if code == "downgraded" else {})}
    dossier = workflows.fire(dossier_id, "decide", actor, payload,
                             expected_version=expected_version).instance
    if code != "rejected":
        document(workflows, dossier, actor, folder, signer_name=form.signer_name)
    return workflows.get(dossier_id)


def document(workflows: Workflows, dossier: Instance, actor: Actor, folder: Path, *,
             signer_name: str = "") -> str:
    """Generate the decision (.docx) of a decided dossier and attach it; its hash."""
    rules = rules_of(workflows, dossier)
    granted = rules.title_rule(dossier.data.get("granted_title") or dossier.data["title"])
    issuer, decider, position = ISSUERS[granted.level]
    with workflows.catalog.uow().read() as uow:
        recipient = uow.organisations.unit_names().get(dossier.unit_id or 0, "")
    reasons = dossier.data.get("reasons") or []
    doc = gen.decision(gen.Decision(
        issuer=issuer, number=str(dossier.data.get("decision_number") or ""), place="Hà Nội",
        date=dt.date.fromisoformat(str(dossier.data.get("decision_date")
                                       or workflows.clock.today().isoformat())),
        decider=decider, recipient=recipient, granted_title=granted.label.vi,
        year=int(dossier.year or 0),
        reasons=tuple(reasons if isinstance(reasons, list) else [str(reasons)]),
        legal_basis=("Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15",
                     "Xét đề nghị của Hội đồng Thi đua – Khen thưởng"),
        signer_position=position, signer_name=signer_name, prize=prize_of(workflows, dossier)))
    return attachments.attach(workflows, folder, dossier, actor, "quyet_dinh", doc.filename,
                              doc.content, uploaded=False).sha256


def announce(workflows: Workflows, dossier_id: int, actor: Actor,
             expected_version: int | None = None) -> Instance:
    """The decision is announced: the dossier shows on the public page with its number."""
    return workflows.fire(dossier_id, "announce", actor, {},
                          expected_version=expected_version).instance


def revoke(workflows: Workflows, dossier_id: int, actor: Actor, reason: str,
           expected_version: int | None = None) -> Instance:
    """The award is revoked (thu hồi) when the achievement proves false; the reason is kept."""
    if not reason.strip():
        raise InvalidInput("comment: the reason for revoking", Refusal("revoke_reason_missing"))
    return workflows.fire(dossier_id, "revoke", actor, {"comment": reason.strip()},
                          expected_version=expected_version).instance


def outcome_label(code: str | None) -> str:
    return OUTCOMES.get(code or "", "")




