"""The rule sets and holidays, read-only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import render_template
from flask_babel import gettext as _

from web.admin import bp, locale, paginate, services
from web.refusals import number as vi_number
from workflow.domain.impediments import KINDS
from workflow.domain.rulesets import ADMIN_LEVELS, Document, RuleSet, Sourced, Title, show_share

# --- rule sets and holidays (read-only) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleRow:
    label: str
    value: str
    basis: str
    verified: bool
    citation: str = ""  # where the law says it: "Nghị định 98/2023/NĐ-CP, Điều 30 khoản 7"
    source: str = ""  # the public copy it was read in


def shown(value: object) -> str:
    if isinstance(value, Fraction):
        return show_share(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, tuple):
        return ", ".join(str(v.label.get(locale())) if isinstance(v, Document) else str(v)
                         for v in value)
    if isinstance(value, int | Decimal):
        return vi_number(value)
    return str(value)


def row(label: str, sourced: Sourced[Any], prefix: str = "") -> RuleRow:
    return RuleRow(label, prefix + shown(sourced.value), sourced.basis, sourced.verified,
                   sourced.citation, sourced.source)


def threshold_row(
    label: str, threshold: Sourced[Fraction], comparison: str, basis: str
) -> RuleRow:
    compare = _("more than") if comparison == "more_than" else _("at least")
    whole = _("of all members") if basis == "all_members" else _("of the members present")
    text = f"{compare} {show_share(threshold.value)} {whole}"
    return RuleRow(label, text, threshold.basis, threshold.verified, threshold.citation,
                   threshold.source)


def level_label(level: str) -> str:
    return str({"central": _("central level (Ministry of Home Affairs)"),
                "ministry": _("ministry, central body or province"),
                "commune": _("commune")}.get(level, level))


def set_rows(rule_set: RuleSet) -> list[RuleRow]:
    rows = [row(_("Public posting (days)"), rule_set.public_posting_days)]
    for level in ADMIN_LEVELS:
        limits = rule_set.limits(level)
        where = level_label(level)
        rows.append(row(_("Appraisal (working days), %(level)s", level=where),
                        limits.appraisal_working_days))
        rows.append(row(_("Return notice (working days), %(level)s", level=where),
                        limits.return_notice_working_days))
    for salary in rule_set.base_salary:
        rows.append(row(_("Base salary (đồng a month) from %(date)s",
                          date=salary.start.strftime("%d/%m/%Y")), salary.amount))
    if rule_set.prize_rounding is not None:
        rows.append(row(_("Prize money rounded up to (đồng)"), rule_set.prize_rounding))
    if rule_set.cluster_quorum is not None:
        rows.append(row(_("Quorum of a cluster's vote (member units present)"),
                        rule_set.cluster_quorum, _("at least") + " "))
    rows.append(row(_("Tie rule"), rule_set.tie_rule))
    if rule_set.women_priority_share is not None:
        rows.append(row(_("Priority among equals: collectives with women at least"),
                        rule_set.women_priority_share))
    held = rule_set.award_impediments
    if held is not None:  # Decree 152/2025 art. 4(4): the kinds named in words
        rows.append(RuleRow(
            _("Impediments during which nothing is awarded"),
            "; ".join(KINDS[k].get(locale()) for k in held.value if k in KINDS), held.basis,
            held.verified, held.citation, held.source))
    received = rule_set.applies_to_dossiers_received_from
    if received is not None:
        rows.append(RuleRow(
            _("Applies to dossiers received from"), received.value.strftime("%d/%m/%Y"),
            received.basis, received.verified, received.citation, received.source))
    if rule_set.replaces is not None:
        rows.append(row(_("Replaces"), rule_set.replaces))
    return rows


def title_kind(title: Title) -> str:
    kind = _("collective") if title.kind == "collective" else _("individual")
    level = {"state": _("state level"), "ministry": _("ministry or province level"),
             "unit": _("unit level")}[title.level]
    return f"{kind} · {level}"


def title_rows(title: Title) -> list[RuleRow]:
    vote, caps = title.vote, title.caps
    rows = [
        threshold_row(_("Vote threshold"), vote.threshold, vote.comparison, vote.basis),
        row(_("Quorum"), vote.quorum, _("at least") + " "),
        row(_("Secret ballot"), vote.secret),
    ]
    if vote.ballot_required is not None:
        rows.append(row(_("Ballot required by law"), vote.ballot_required))
    if vote.absentees_in_writing is not None:
        rows.append(row(_("Absent members vote in writing"), vote.absentees_in_writing))
    rows.append(row(_("Required documents"), title.required_documents))
    if title.prize_coefficient is not None:
        rows.append(row(_("Prize money (times the base salary)"), title.prize_coefficient))
    if title.cluster_vote is not None:
        cv = title.cluster_vote
        rows.append(threshold_row(_("Cluster vote threshold"), cv.threshold, cv.comparison,
                                  cv.basis))
    if caps.per_cluster is not None:
        rows.append(row(_("At most per cluster"), caps.per_cluster))
    if caps.share_of_cluster_leaders is not None:
        rows.append(row(_("At most, share of cluster leaders"), caps.share_of_cluster_leaders))
    if (r := caps.leader_quota_rounding) is not None:  # the share made a whole number (council)
        rows.append(RuleRow(_("The share of leading units rounded"), {"down": _("down"), "nearest": _("to the nearest"), "up": _("up")}[r.value], r.basis, r.verified, r.citation, r.source))  # noqa: E501
    return rows


@bp.route("/rules")
def rules() -> str:
    rulebook = services().workflows.rulebook
    sets = list(rulebook.sets) if rulebook is not None else []
    calendar = services().workflows.calendar
    years = sorted(getattr(calendar, "years", {}).values(), key=lambda y: y.year)
    return render_template(
        "admin_rules.html", listing=paginate(sets, per=2), set_rows=set_rows,
        title_rows=title_rows, title_kind=title_kind, years=paginate(years, "ypage", per=3),
        locale=locale())
