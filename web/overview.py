"""The council office's overview of a year (every cluster and campaign, what is late or
missing, large gaps, votes, dossiers in appraisal; filter and download as .xlsx) and the
fairness of the clusters' votes over the years on record, with a chart drawn here as SVG.

Only the council's people and administrators see these pages (`overview.may_see_overview`)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.items import item_url
from web.refusals import date_text, number
from web.views import locale, login_required, services
from workflow.documents.overview import SheetTable, overview_workbook
from workflow.domain.overview import (
    ClusterFairness,
    FairnessRules,
    FairnessWarning,
    Issue,
    TitleHistory,
)
from workflow.services import overview
from workflow.services.overview import COUNTED, YearOverview

bp = Blueprint("overview", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = ("pledge", "report", "inspection", "score_sheet")
MAX_ID = 2**31 - 1
# the campaign date each kind of item is held to (reports: the six-month one, the first due)
DUE_KEYS = {"pledge": "pledge_deadline", "report": "six_month_report_due",
            "inspection": "inspection_end", "score_sheet": "scoring_deadline"}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _allowed() -> None:
    if not overview.may_see_overview(current_actor()):
        abort(403)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID:
        return int(value)
    return None


def _state_label(definition_id: int, state: str) -> str:
    spec = services().workflows.catalog.compiled(definition_id).spec
    if state not in spec.state_names:
        return state
    return str(spec.state(state).label.get(locale()))


def _title_label(code: str) -> str:
    book = services().workflows.rulebook
    for rule_set in reversed(book.sets if book is not None else ()):
        for title in rule_set.titles:
            if title.code == code:
                return str(title.label.get(locale()))
    return code.replace("_", " ")


def _issue_text(issue: Issue) -> str:
    periods = {"six_month": _("six months"), "year_end": _("year end")}
    period = periods.get(issue.period or "", "")
    texts: dict[str, str] = {
        "pledge_unsigned": _("Pledge not signed after the deadline"),
        "report_missing": _("Report (%(period)s) not handed in", period=period),
        "report_late": _("Report (%(period)s) handed in late", period=period),
        "inspection_not_held": _("Cross-inspection not held"),
        "sheet_not_verified": _("Score sheet not verified"),
        "appraisal_overdue": _("Appraisal past its due date"),
    }
    return texts.get(issue.kind, issue.kind)


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: its text, and the page it opens when it has one."""

    text: str
    url: str | None = None
    warn: bool = False


def _days(n: int) -> str:
    return _("%(n)s days", n=number(n)) if n else ""


def _tables(ov: YearOverview) -> dict[str, tuple[tuple[str, ...], list[list[Cell]]]]:
    """The page's tables (header and rows of cells), also the workbook's sheets."""
    names = services().reads.unit_names(ov.unit_ids)
    clusters = dict(ov.clusters)
    today = services().workflows.clock.today()

    def unit(uid: int | None) -> str:
        return names.get(uid or 0, "")

    def share(line: overview.CampaignLine, kind: str) -> Cell:
        """Done of all; in red once the campaign's date for them has passed."""
        p = line.progress.get(kind)
        due = _date(line.campaign.dates.get(DUE_KEYS[kind], ""))
        late = due is not None and today > due and line.campaign.status == "active"
        return Cell(f"{number(p.done)}/{number(p.total)}" if p and p.total else "–",
                    warn=bool(p and p.done < p.total and late))

    campaigns = [[
        Cell(line.campaign.cluster_name, item_url("campaign", line.campaign.campaign_id)),
        Cell(unit(line.campaign.leader_unit_id)),
        Cell(_state_label(line.campaign.definition_id, line.campaign.state)),
        *(share(line, kind) for kind in KINDS),
        Cell(number(line.issues), warn=line.issues > 0),
        Cell(number(line.gaps), warn=line.gaps > 0),
        Cell(number(len(line.votes))),
        Cell(number(line.dossiers)),
    ] for line in ov.campaigns]
    issues = [[
        Cell(clusters.get(i.cluster_id, "")),
        Cell(unit(i.unit_id)),
        Cell(_issue_text(i), item_url(i.workflow, i.item_id), warn=True),
        Cell(_state_label(i.definition_id, i.state)),
        Cell(date_text(i.due) if i.due else ""),
        Cell(_days(i.days_late)),
    ] for i in ov.issues]
    gaps = [[
        Cell(clusters.get(g.cluster_id, "")),
        Cell(unit(g.unit_id), item_url("score_sheet", g.sheet_id)),
        Cell(number(g.flagged)),
        Cell(number(g.largest)),
    ] for g in ov.gaps]
    votes = []
    for v in ov.votes:
        if v.state in COUNTED:
            won = "; ".join(f"{_title_label(t)}: {', '.join(unit(u) for u in us) or _('nobody')}"
                            for t, us in v.winners.items()) or _("nobody elected")
        else:
            won = _("not counted yet")
        votes.append([Cell(clusters.get(v.cluster_id, "")),
                      Cell(_("Vote session %(year)s", year=v.year),
                           item_url("vote_session", v.session_id)),
                      Cell(_state_label(v.definition_id, v.state)), Cell(won)])
    dossiers = [[
        Cell(clusters.get(d.cluster_id or 0, "")),
        Cell(unit(d.unit_id), item_url("dossier", d.dossier_id)),
        Cell(_title_label(d.title)),
        Cell(_state_label(d.definition_id, d.state)),
        Cell(number(d.days_used)),
        Cell(date_text(d.due) if d.due else "–", warn=d.dossier_id in ov.overdue),
    ] for d in ov.dossiers]
    return {
        "campaigns": ((_("Cluster or bloc"), _("Leading unit of the year"), _("Stage"),
                       _("Pledges signed"), _("Reports handed in"), _("Inspections held"),
                       _("Sheets verified"),
                       _("Late or missing"), _("Large gaps"), _("Votes"), _("Dossiers")),
                      campaigns),
        "issues": ((_("Cluster or bloc"), _("Unit"), _("What"), _("Stage"), _("Due"),
                    _("Late by")), issues),
        "gaps": ((_("Cluster or bloc"), _("Unit"), _("Criteria flagged"),
                  _("Largest gap (points)")), gaps),
        "votes": ((_("Cluster or bloc"), _("Vote"), _("Stage"), _("Result")), votes),
        "dossiers": ((_("Cluster or bloc"), _("Unit"), _("Title"), _("Stage"),
                      _("Working days used"), _("Appraisal due")), dossiers),
    }


def _overview() -> YearOverview:
    today = services().workflows.clock.today()
    year = _int_arg("year")
    if year is None:
        years = services().reads.campaign_years()
        year = today.year if today.year in years or not years else years[0]
    return overview.year_overview(services().reads, year, today,
                                  cluster_id=_int_arg("cluster"),
                                  stage=request.args.get("stage", "").strip()[:64] or None)


@bp.route("/overview")
@login_required
def year() -> str:
    _allowed()
    ov = _overview()
    order = {name: n for n, name in enumerate(
        services().workflows.catalog.latest("campaign").spec.state_names)}
    stages = [(s, _state_label(d, s))
              for s, d in sorted(ov.stages, key=lambda p: order.get(p[0], len(order)))]
    return render_template("overview.html", ov=ov, tables=_tables(ov), stages=stages,
                           cluster=_int_arg("cluster"), stage=request.args.get("stage", ""),
                           today=services().workflows.clock.today())




@bp.route("/overview.xlsx")
@login_required
def workbook() -> Response:
    _allowed()
    ov = _overview()
    tables = _tables(ov)
    sheets = [SheetTable(_sheet_name(key), header, tuple(tuple(c.text for c in row)
                                                         for row in rows),
                         tuple(40 if i < 3 else 18 for i in range(len(header))))
              for key, (header, rows) in tables.items()]
    content = overview_workbook(_("Overview of the year %(year)s", year=ov.year), sheets)
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True,
                     download_name=f"tong-quan-thi-dua-{ov.year}.xlsx")


def _sheet_name(key: str) -> str:
    names: dict[str, str] = {"campaigns": _("Campaigns"), "issues": _("Late or missing"),
             "gaps": _("Large gaps"), "votes": _("Votes"), "dossiers": _("Dossiers")}
    return names[key]


# --- fairness over the years ----------------------------------------------------------------------


def _rules() -> FairnessRules:
    wf = services().workflows
    return overview.fairness_rules(wf.rulebook, wf.clock.today())


def _warning_text(w: FairnessWarning, names: Mapping[int, str]) -> str:
    unit = names.get(w.unit_id or 0, "")
    texts: dict[str, str] = {
        "leader_won": _("%(year)s: the leading unit %(unit)s was voted in its own leading "
                        "year", year=w.year, unit=unit),
        "same_winner": _("%(unit)s won %(n)s years running (%(since)s–%(year)s)", unit=unit,
                         n=w.count, since=w.since, year=w.year),
        "low_rank": _("%(year)s: %(unit)s was voted with rank %(rank)s of the final scores",
                      year=w.year, unit=unit, rank=w.count),
        "rotation": _("The title moves from unit to unit whatever the scores: check for a "
                      "rotation by favour (up to %(year)s)", year=w.year),
    }
    return texts.get(w.kind, w.kind)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{number(round(value * 100))}%"


def _index(value: float | None) -> str:
    return "–" if value is None else number(round(value, 2))


def fairness_chart(history: TitleHistory, names: Mapping[int, str], label: str,
                   top_rank: int = 3) -> Markup:
    """One row per unit that led or won, one column per year: a filled circle where it won
    (its final-score rank written in it), a square around the leading unit of the year."""
    years = [y.year for y in history.years]
    units: list[int] = []
    for record in history.years:
        for u in (record.leader_unit_id, *record.winners):
            if u is not None and u not in units:
                units.append(u)
    if not years or not units:
        return Markup("")
    left, top, col, row = 260, 30, 64, 30
    width, height = left + col * len(years) + 20, top + row * len(units) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="fairness-chart" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(label)}">']
    for j, year in enumerate(years):
        x = left + col * j + col // 2
        parts.append(f'<text x="{x}" y="18" text-anchor="middle" font-size="13">{year}</text>')
    for i, unit in enumerate(units):
        y = top + row * i + row // 2
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" font-size="13">'
                     f'{escape(names.get(unit, ""))}</text>')
        parts.append(f'<line x1="{left}" y1="{y}" x2="{width - 20}" y2="{y}" '
                     f'stroke="#ddd"/>')
        for j, record in enumerate(history.years):
            x = left + col * j + col // 2
            if record.leader_unit_id == unit:
                parts.append(f'<rect x="{x - 12}" y="{y - 12}" width="24" height="24" '
                             f'fill="none" stroke="#444" stroke-width="2"><title>'
                             f'{escape(_("Leading unit of the year"))} {record.year}'
                             '</title></rect>')
            if unit in record.winners:
                rank = record.ranks.get(unit)
                colour = "#c00000" if record.leader_unit_id == unit or (
                    rank is not None and rank > top_rank) else "#1f6f3f"
                parts.append(f'<circle cx="{x}" cy="{y}" r="9" fill="{colour}"><title>'
                             f'{escape(_("Voted"))} {record.year}</title></circle>')
                if rank is not None:
                    parts.append(f'<text x="{x}" y="{y + 4}" text-anchor="middle" '
                                 f'font-size="11" fill="#fff">{rank}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _names_of(found: Sequence[ClusterFairness]) -> dict[int, str]:
    ids: set[int] = set()
    for c in found:
        ids |= {y.leader_unit_id for y in c.years if y.leader_unit_id}
        for h in c.titles:
            ids |= set(h.wins)
    return services().reads.unit_names(ids)


@bp.route("/fairness")
@login_required
def fairness() -> str:
    _allowed()
    rules = _rules()
    found = overview.fairness(services().reads, rules)
    names = _names_of(found)
    return render_template("fairness.html", clusters=found, names=names, rules=rules,
                           title_label=_title_label, percent=_percent, index=_index,
                           warning_text=_warning_text, summary_chart=_summary_chart(found))


@bp.route("/fairness/<code>")
@login_required
def fairness_cluster(code: str) -> str:
    _allowed()
    rules = _rules()
    found = overview.fairness(services().reads, rules, code[:64])
    if not found:
        abort(404)
    names = _names_of(found)
    cluster = found[0]
    charts = {h.title: fairness_chart(h, names, _title_label(h.title), rules.top_rank)
              for h in cluster.titles}
    return render_template("fairness_cluster.html", cluster=cluster, names=names, rules=rules,
                           title_label=_title_label, percent=_percent, index=_index,
                           warning_text=_warning_text, charts=charts)


def _summary_chart(found: Sequence[ClusterFairness]) -> Markup:
    """A bar per cluster and title: its rotation index (0 to 1), red where it warns."""
    bars = [(c, h) for c in found for h in c.titles if h.rotation_index is not None]
    if not bars:
        return Markup("")
    left, row, scale = 330, 24, 300
    width, height = left + scale + 60, row * len(bars) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="fairness-chart" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(_("Rotation index by cluster"))}">']
    for i, (c, h) in enumerate(bars):
        y = 10 + row * i
        value = h.rotation_index or 0.0
        warned = any(w.kind == "rotation" for w in h.warnings)
        parts.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" font-size="12">'
                     f'{escape(c.name)} – {escape(_title_label(h.title))}</text>')
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{round(scale * value)}" height="16" '
                     f'fill="{"#c00000" if warned else "#1f6f3f"}"/>')
        parts.append(f'<text x="{left + round(scale * value) + 6}" y="{y + 14}" '
                     f'font-size="12">{escape(_index(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@bp.app_template_global("may_see_overview")
def _may_see_overview(actor: Any) -> bool:
    """For the menu: whether the signed-in person sees the overview."""
    return overview.may_see_overview(actor)
