"""The council office's view of a year and of the years on record: plain records the read side
answers with (workflow/services/read_side.py), and the pure rules that find what is late and
what looks unfair in the votes (luân phiên, nể nang). Nothing here reads the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# --- records of the read side ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearCampaign:
    """A cluster's campaign of the year, with its cluster."""

    campaign_id: int
    cluster_id: int
    cluster_code: str
    cluster_name: str
    cluster_kind: str  # cum | khoi
    year: int
    state: str
    status: str
    definition_id: int
    theme: str
    dates: Mapping[str, str]  # the campaign's dates (ISO), e.g. pledge_deadline
    leader_unit_id: int | None
    members: int  # member units of the cluster


@dataclass(frozen=True, slots=True)
class YearItem:
    """A pledge, report, inspection or score sheet of a campaign of the year."""

    item_id: int
    workflow: str
    state: str
    definition_id: int
    unit_id: int | None
    campaign_id: int
    cluster_id: int
    period: str | None  # reports: six_month | year_end


@dataclass(frozen=True, slots=True)
class GapLine:
    """A score sheet whose self-scores and inspection scores differ too much on some
    criteria (the ranking's gap flags)."""

    sheet_id: int
    campaign_id: int
    cluster_id: int
    unit_id: int
    flagged: int  # criteria flagged
    largest: Decimal  # the largest difference between self and inspection points


@dataclass(frozen=True, slots=True)
class YearVote:
    """A cluster's vote session: its winners per title once counted, and the final-score rank
    of each candidate when the vote was scheduled."""

    session_id: int
    campaign_id: int | None
    cluster_id: int
    year: int
    state: str
    status: str
    definition_id: int
    winners: Mapping[str, Sequence[int]]
    ranks: Mapping[int, int]
    leader_unit_id: int | None


@dataclass(frozen=True, slots=True)
class YearDossier:
    """A dossier of the year on its way through the council office, with its appraisal clock."""

    dossier_id: int
    unit_id: int | None
    cluster_id: int | None
    state: str
    definition_id: int
    title: str  # the title's code
    days_used: int  # working days of appraisal used before the current stretch
    due: dt.date | None  # the appraisal's due date while it runs
    entered_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ClusterYear:
    """One year of a cluster (clusters are kept per year under a stable code)."""

    cluster_id: int
    code: str
    name: str
    kind: str
    year: int
    leader_unit_id: int | None
    deputy_unit_id: int | None


# --- what is late or missing ---------------------------------------------------------------------

# the campaign date each kind of item is held to
REPORT_DUE = {"six_month": "six_month_report_due", "year_end": "year_end_report_due"}
OPEN_STATES = {
    "pledge": frozenset({"draft", "submitted", "returned", "accepted"}),
    "report": frozenset({"due", "returned"}),
    "inspection": frozenset({"planned"}),
    "score_sheet": frozenset({"self_scoring", "submitted", "cross_checked", "disputed"}),
}
DONE_STATES = {
    "pledge": frozenset({"signed", "amending"}),
    "report": frozenset({"submitted", "accepted"}),
    "inspection": frozenset({"conducted", "minutes_signed", "applied"}),
    "score_sheet": frozenset({"verified", "final"}),
}
ISSUE_KINDS = ("pledge_unsigned", "report_missing", "report_late", "inspection_not_held",
               "sheet_not_verified", "appraisal_overdue")
APPRAISAL_STATES = frozenset({"submitted", "received", "appraising", "returned",
                              "council_review"})


@dataclass(frozen=True, slots=True)
class Issue:
    """Something late or missing: the item, its campaign and unit, the date it was due."""

    kind: str  # one of ISSUE_KINDS
    item_id: int
    workflow: str
    state: str
    definition_id: int
    cluster_id: int
    unit_id: int | None
    due: dt.date | None
    days_late: int
    period: str | None = None
    campaign_id: int | None = None


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def due_of(item: YearItem, dates: Mapping[str, str]) -> dt.date | None:
    """The campaign date an item is held to, None when the campaign has none."""
    key = {"pledge": "pledge_deadline", "inspection": "inspection_end",
           "score_sheet": "scoring_deadline"}.get(item.workflow)
    if item.workflow == "report":
        key = REPORT_DUE.get(item.period or "")
    return _date(dates.get(key)) if key else None


def late_items(items: Sequence[YearItem], campaigns: Mapping[int, YearCampaign],
               late_reports: Mapping[int, str], today: dt.date) -> list[Issue]:
    """The items past their campaign's date and still not done; reports handed in late
    (`late_reports`: report id -> the penalty's reason) are listed too. Oldest due first."""
    out: list[Issue] = []
    for item in items:
        campaign = campaigns.get(item.campaign_id)
        if campaign is None or campaign.status != "active":
            continue
        due = due_of(item, campaign.dates)
        kind = None
        if item.state in OPEN_STATES.get(item.workflow, ()) and due is not None and today > due:
            kind = {"pledge": "pledge_unsigned", "report": "report_missing",
                    "inspection": "inspection_not_held",
                    "score_sheet": "sheet_not_verified"}[item.workflow]
        elif item.workflow == "report" and item.item_id in late_reports:
            kind = "report_late"
        if kind is None:
            continue
        late = (today - due).days if due is not None and kind != "report_late" else 0
        out.append(Issue(kind, item.item_id, item.workflow, item.state, item.definition_id,
                         item.cluster_id, item.unit_id, due, late, item.period,
                         item.campaign_id))
    return sorted(out, key=lambda i: (i.due or dt.date.max, i.cluster_id, i.item_id))


def overdue_dossiers(dossiers: Sequence[YearDossier], today: dt.date) -> list[Issue]:
    """Dossiers whose appraisal is past its due date."""
    return [Issue("appraisal_overdue", d.dossier_id, "dossier", d.state, d.definition_id,
                  d.cluster_id or 0, d.unit_id, d.due, (today - d.due).days)
            for d in dossiers
            if d.state == "appraising" and d.due is not None and today > d.due]


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a campaign's items are: done of all, per kind."""

    done: int = 0
    total: int = 0


def progress(items: Sequence[YearItem]) -> dict[int, dict[str, Progress]]:
    """Per campaign and kind of item: how many are done of how many."""
    counts: dict[int, dict[str, list[int]]] = {}
    for item in items:
        pair = counts.setdefault(item.campaign_id, {}).setdefault(item.workflow, [0, 0])
        pair[1] += 1
        if item.state in DONE_STATES.get(item.workflow, ()):
            pair[0] += 1
    return {c: {k: Progress(*v) for k, v in kinds.items()} for c, kinds in counts.items()}


# --- fairness over the years ---------------------------------------------------------------------

WARNING_KINDS = ("leader_won", "same_winner", "low_rank", "rotation")


@dataclass(frozen=True, slots=True)
class FairnessRules:
    """When to warn (the rule set's `fairness`, design rather than law)."""

    leader_wins_own: bool = True
    same_winner_years: int = 3
    top_rank: int = 3
    rotation_at: float = 0.75  # rotation index from which a rotation is suspected
    merit_below: float = 0.5  # ... when fewer of the winners than this were ranked first


@dataclass(frozen=True, slots=True)
class FairnessWarning:
    kind: str  # one of WARNING_KINDS
    title: str
    year: int
    session_id: int | None  # the vote it comes from
    unit_id: int | None
    count: int = 0  # same_winner: years running; low_rank: the rank
    since: int = 0  # same_winner: the first year of the run


@dataclass(frozen=True, slots=True)
class WinnerYear:
    """One year of a title in a cluster: who led, who won, with the winners' ranks."""

    year: int
    cluster_id: int
    leader_unit_id: int | None
    session_id: int | None
    winners: tuple[int, ...]
    ranks: Mapping[int, int]  # winner -> final-score rank
    leader_won: bool


@dataclass(frozen=True, slots=True)
class TitleHistory:
    """A title voted in a cluster over the years on record, and its measures."""

    title: str
    years: tuple[WinnerYear, ...]
    wins: Mapping[int, tuple[int, ...]]  # unit -> the years it won
    rotation_index: float | None  # None with fewer than two years won
    merit_share: float | None  # share of winning years whose winner was ranked first
    warnings: tuple[FairnessWarning, ...]

    @property
    def repeated(self) -> dict[int, tuple[int, ...]]:
        """Units that won more than once, with their years."""
        return {u: ys for u, ys in self.wins.items() if len(ys) > 1}


@dataclass(frozen=True, slots=True)
class ClusterFairness:
    code: str
    name: str
    kind: str
    years: tuple[ClusterYear, ...]  # oldest first
    titles: tuple[TitleHistory, ...]
    warnings: tuple[FairnessWarning, ...] = field(default=())


def rotation_index(winners_by_year: Sequence[tuple[int, ...]]) -> float | None:
    """How much the title moves from unit to unit: (distinct winners − 1) / (years − 1) over
    the years with a winner, the first winner of each year. 1 means a different unit every
    year (a perfect rotation), 0 the same unit every year; None with fewer than two years."""
    firsts = [w[0] for w in winners_by_year if w]
    if len(firsts) < 2:
        return None
    return (len(set(firsts)) - 1) / (len(firsts) - 1)


def title_history(title: str, years: Sequence[WinnerYear], rules: FairnessRules
                  ) -> TitleHistory:
    """The measures and warnings of one title's years (oldest first)."""
    warnings: list[FairnessWarning] = []
    wins: dict[int, list[int]] = {}
    for y in years:
        for unit in y.winners:
            wins.setdefault(unit, []).append(y.year)
            rank = y.ranks.get(unit)
            if rank is not None and rank > rules.top_rank:
                warnings.append(FairnessWarning("low_rank", title, y.year, y.session_id, unit,
                                                count=rank))
        if rules.leader_wins_own and y.leader_won:
            warnings.append(FairnessWarning("leader_won", title, y.year, y.session_id,
                                            y.leader_unit_id))
    # the same unit winning k years running (each year on record counts)
    ordered = sorted(years, key=lambda y: y.year)
    runs: dict[int, int] = {}
    starts: dict[int, int] = {}
    previous_year: int | None = None
    for y in ordered:
        consecutive = previous_year is not None and y.year == previous_year + 1
        for unit in list(runs):
            if unit not in y.winners or not consecutive:
                runs.pop(unit)
        for unit in y.winners:
            if unit not in runs:
                starts[unit] = y.year
            runs[unit] = runs.get(unit, 0) + 1
            if runs[unit] == rules.same_winner_years or runs[unit] > rules.same_winner_years:
                warnings.append(FairnessWarning("same_winner", title, y.year, y.session_id,
                                                unit, count=runs[unit], since=starts[unit]))
        previous_year = y.year
    won = [y for y in ordered if y.winners]
    index = rotation_index([y.winners for y in won])
    merit = (sum(1 for y in won if y.ranks.get(y.winners[0]) == 1) / len(won)) if won else None
    if (index is not None and merit is not None and len(won) >= 3
            and index >= rules.rotation_at and merit < rules.merit_below):
        last = won[-1]
        warnings.append(FairnessWarning("rotation", title, last.year, last.session_id, None))
    return TitleHistory(title, tuple(ordered), {u: tuple(ys) for u, ys in wins.items()},
                        index, merit, tuple(sorted(warnings, key=lambda w: (w.year, w.kind))))


def cluster_fairness(years: Sequence[ClusterYear], votes: Sequence[YearVote],
                     rules: FairnessRules) -> ClusterFairness:
    """The fairness of one cluster's votes over its years on record (`years` of one code;
    `votes`: its counted cluster votes, the newest counted one of each year is taken)."""
    ordered = sorted(years, key=lambda c: c.year)
    by_cluster = {c.cluster_id: c for c in ordered}
    latest: dict[int, YearVote] = {}
    for v in sorted(votes, key=lambda v: v.session_id):
        if v.cluster_id in by_cluster:
            latest[by_cluster[v.cluster_id].year] = v
    titles = sorted({t for v in latest.values() for t in v.winners})
    histories = []
    for title in titles:
        rows = []
        for c in ordered:
            vote = latest.get(c.year)
            if vote is None or title not in vote.winners:
                continue
            winners = tuple(int(u) for u in vote.winners[title])
            leader = vote.leader_unit_id if vote.leader_unit_id is not None \
                else c.leader_unit_id
            rows.append(WinnerYear(c.year, c.cluster_id, leader, vote.session_id, winners,
                                   {u: vote.ranks[u] for u in winners if u in vote.ranks},
                                   leader is not None and leader in winners))
        histories.append(title_history(title, rows, rules))
    last = ordered[-1]
    every = tuple(w for h in histories for w in h.warnings)
    return ClusterFairness(last.code, last.name, last.kind, tuple(ordered), tuple(histories),
                           every)
