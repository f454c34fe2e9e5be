"""Rule sets (bộ quy định): voting thresholds, quorums, caps, documents and time limits.

These change with the law (Law 06/2022/QH15 from 2024-01-01, Decree 98/2023/NĐ-CP, Decree
152/2025/NĐ-CP from 2025-07-01), so they are data: definitions/rules/*.yaml, loaded by
`workflow.definitions.rulesets_loader`. Every legal value is `Sourced`: it carries its basis (the
legal text or the practice it comes from), where the law says it (document, article, clause),
the public source it was read in, and whether it was checked against that text. A rule
set has an effective date range; a campaign or a dossier uses the set in force on its start
date (`RuleBook.in_force`).

Shares (thresholds, quorums, caps) are exact `Fraction`s: a quorum of 2/3 has no exact decimal,
and 6 of 9 members must meet it. The vote arithmetic accepts Fractions and Decimals alike and
never uses floats; each result comes with a sentence that states the arithmetic and the rule.

Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, is_dataclass
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from typing import Any, Generic, Literal, TypeVar

from workflow.domain.labels import Label
from workflow.domain.vote_text import Sentence
from workflow.errors import InvalidInput, NotFound, WorkflowError, suggest

T = TypeVar("T")

VoteBasis = Literal["all_members", "present"]
Comparison = Literal["at_least", "more_than"]
TitleKind = Literal["collective", "individual"]
TitleLevel = Literal["state", "ministry", "unit"]
DayBasis = Literal["working", "calendar"]
# Who handles a dossier: the central level (Bộ Nội vụ, Ban Thi đua – Khen thưởng Trung ương),
# a ministry, central body or province (bộ, ban, ngành, tỉnh), or a commune (cấp xã).
AdminLevel = Literal["central", "ministry", "commune"]

VOTE_BASES: tuple[VoteBasis, ...] = ("all_members", "present")
QuotaRounding = Literal["down", "nearest", "up"]
QUOTA_ROUNDINGS: tuple[QuotaRounding, ...] = ("down", "nearest", "up")
COMPARISONS: tuple[Comparison, ...] = ("at_least", "more_than")
TITLE_KINDS: tuple[TitleKind, ...] = ("collective", "individual")
TITLE_LEVELS: tuple[TitleLevel, ...] = ("state", "ministry", "unit")
DAY_BASES: tuple[DayBasis, ...] = ("working", "calendar")
ADMIN_LEVELS: tuple[AdminLevel, ...] = ("central", "ministry", "commune")
# revote_then_rank: the tied candidates are voted on again; if still tied, the better final
# score of the year ranks first.
TIE_RULES = ("revote_then_rank",)

ShareLike = Fraction | Decimal | int


class RuleSetNotInForce(WorkflowError):
    """No rule set, or more than one, is in force on a date."""

    code = "ruleset_not_in_force"


# --- values -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """A legal value with its basis (legal text or practice) and whether it was verified.

    `document`, `article` and `clause` say where the law says it ("Nghị định 98/2023/NĐ-CP",
    "30", "7"); `source` the public copy it was read in. tests/data/legal_quotes.yaml quotes
    the sentence each verified value rests on.
    """

    value: T
    basis: str
    verified: bool
    document: str = ""
    article: str = ""
    clause: str = ""
    source: str = ""

    @property
    def citation(self) -> str:
        """Where the law says it, in Vietnamese: "Nghị định 98/2023/NĐ-CP, Điều 30 khoản 7"."""
        parts = [self.document] if self.document else []
        article = self.article
        if article[:1].isdigit():
            article = f"Điều {article}"
        where = " ".join(p for p in (article, f"khoản {self.clause}" if self.clause else "") if p)
        if where:
            parts.append(where)
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Document:
    """A document kind of a dossier, e.g. to_trinh "Tờ trình"."""

    code: str
    label: Label


@dataclass(frozen=True, slots=True)
class ClusterVoteRule:
    """The cluster's year-end vote (suy tôn) naming its leading units."""

    threshold: Sourced[Fraction]
    basis: VoteBasis  # the denominator: all member units, or those present
    comparison: Comparison

    @property
    def strictly(self) -> bool:
        return self.comparison == "more_than"

    def passes(self, yes: int, all_members: int, present: int) -> tuple[bool, str]:
        return passes(yes, all_members, present, self.threshold.value, self.basis, self.strictly)

    def judge(self, yes: int, all_members: int, present: int
              ) -> tuple[bool, tuple[Sentence, ...]]:
        ok, sentence = judge(yes, all_members, present, self.threshold.value, self.basis,
                             self.strictly)
        return ok, (sentence,)


@dataclass(frozen=True, slots=True)
class VoteRule:
    """A council's secret ballot on a title: the quorum first, then the threshold."""

    threshold: Sourced[Fraction]
    basis: VoteBasis  # the denominator: all council members, or those present
    comparison: Comparison
    secret: Sourced[bool]
    quorum: Sourced[Fraction]  # members present, at least this share of all members
    # whether the law requires the council to vote by ballot on the title at all (Decree
    # 98/2023 art. 30(7) lists the titles); false: the threshold is practice, not law
    ballot_required: Sourced[bool] | None = None
    # absent members give their opinion in writing, recorded in the minutes, and count
    absentees_in_writing: Sourced[bool] | None = None

    @property
    def strictly(self) -> bool:
        return self.comparison == "more_than"

    def decide(self, yes: int, all_members: int, present: int) -> tuple[bool, str]:
        """Whether a candidate is carried; the sentence names the first rule that fails."""
        met, why = quorum_met(present, all_members, self.quorum.value)
        if not met:
            return False, why
        carried, how = passes(
            yes, all_members, present, self.threshold.value, self.basis, self.strictly
        )
        return carried, f"{why}; {how}"

    def judge(self, yes: int, all_members: int, present: int, attending: int | None = None
              ) -> tuple[bool, tuple[Sentence, ...]]:
        """`decide`, with the sentences as codes and parameters. `attending`, when given, is
        who sat at the meeting, which the quorum counts: an absent member's written vote
        counts in `present` (the ballots' base) but never makes the meeting quorate."""
        met, why = judge_quorum(present if attending is None else attending, all_members,
                                self.quorum.value)
        if not met:
            return False, (why,)
        carried, how = judge(yes, all_members, present, self.threshold.value, self.basis,
                             self.strictly)
        return carried, (why, how)


@dataclass(frozen=True, slots=True)
class Caps:
    """Limits on how many may receive a title."""

    per_cluster: Sourced[int] | None = None
    share_of_cluster_leaders: Sourced[Fraction] | None = None
    # how the share becomes a whole number: down (the default: "at most 20%" is never
    # exceeded), nearest (half up) or up; a setting of the rule set, with its source
    leader_quota_rounding: Sourced[QuotaRounding] | None = None

    @property
    def rounding(self) -> QuotaRounding:
        return "down" if self.leader_quota_rounding is None else self.leader_quota_rounding.value

    def leader_share(self, leading_units: int) -> Fraction | None:
        """The exact share of `leading_units` before rounding, e.g. 20% of 2 = 2/5."""
        if self.share_of_cluster_leaders is None:
            return None
        if leading_units < 0:
            raise InvalidInput(f"the number of leading units is negative: {leading_units}")
        return self.share_of_cluster_leaders.value * leading_units

    def leader_quota(self, leading_units: int) -> int | None:
        """At most this many of `leading_units` cluster-leading units (rounded as set)."""
        exact = self.leader_share(leading_units)
        if exact is None:
            return None
        if self.rounding == "up":
            return math.ceil(exact)
        if self.rounding == "nearest":
            return math.floor(exact + Fraction(1, 2))
        return math.floor(exact)


@dataclass(frozen=True, slots=True)
class Title:
    """An emulation title or form of commendation and the rules for awarding it."""

    code: str
    label: Label
    kind: TitleKind
    level: TitleLevel
    decided_by: str  # a role of workflow.domain.roles.ROLES
    vote: VoteRule
    required_documents: Sourced[tuple[Document, ...]]
    cluster_vote: ClusterVoteRule | None = None
    caps: Caps = Caps()
    max_candidates_per_ballot: int = 1
    # the prize money: this many times the base salary in force on the decision date
    prize_coefficient: Sourced[Decimal] | None = None


@dataclass(frozen=True, slots=True)
class BaseSalary:
    """The base salary (mức lương cơ sở) in đồng a month, from `start` until the next one."""

    start: dt.date
    amount: Sourced[int]

    @property
    def key(self) -> str:
        return self.start.isoformat()


@dataclass(frozen=True, slots=True)
class Prize:
    """The prize money of a title on a decision date, and how it was reckoned."""

    amount: int  # đồng, rounded up to `rounding`
    coefficient: Decimal
    base_salary: int
    base_salary_from: dt.date
    rounding: int

    @property
    def exact(self) -> Decimal:
        return self.coefficient * self.base_salary

    @property
    def text(self) -> str:
        """The amount as a Vietnamese decision writes it: "28.080.000 đồng"."""
        return f"{dong(self.amount)} đồng"

    @property
    def reckoning(self) -> str:
        """How it was reckoned, in Vietnamese: "12 lần mức lương cơ sở 2.340.000 đồng (từ
        01/07/2024), làm tròn lên bội số của 10.000 đồng"."""
        times = f"{self.coefficient.normalize():f}".replace(".", ",")
        text = (f"{times} lần mức lương cơ sở {dong(self.base_salary)} đồng (từ "
                f"{self.base_salary_from.strftime('%d/%m/%Y')})")
        if self.rounding > 1:
            text += f", làm tròn lên bội số của {dong(self.rounding)} đồng"
        return text


def dong(amount: int) -> str:
    """An amount of đồng with dots between thousands, as Vietnamese write it: 1.234.000."""
    return f"{amount:,}".replace(",", ".")


@dataclass(frozen=True, slots=True)
class TimeLimits:
    """The time limits of a dossier at one administrative level, in working days."""

    level: AdminLevel
    appraisal_working_days: Sourced[int]  # from a complete dossier to the proposal
    return_notice_working_days: Sourced[int]  # to return a dossier that does not qualify


@dataclass(frozen=True, slots=True)
class Fairness:
    """When to warn about a vote's fairness (design, not law)."""

    leader_wins_own: bool = True  # the cluster leader wins its own cluster's vote
    same_winner_years: int = 3  # the same unit wins this many years running
    top_rank: int = 3  # the winner is not among the top this many of the score ranking


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One version of the rules, in force from `effective_from` to `effective_to` inclusive."""

    code: str
    version: int
    title: Label
    effective_from: dt.date
    effective_to: dt.date | None
    legal_basis: tuple[str, ...]
    public_posting_days: Sourced[int]
    public_posting_basis: DayBasis
    appraisal_working_days: Sourced[int]
    return_notice_working_days: Sourced[int]
    tie_rule: Sourced[str]
    titles: tuple[Title, ...]
    documents: tuple[Document, ...] = ()
    fairness: Fairness = Fairness()
    source_path: str | None = None
    # the limits of the other levels; the central level's are appraisal_working_days and
    # return_notice_working_days above, which callers read by default
    time_limits: tuple[TimeLimits, ...] = ()
    # the texts this set's legal basis puts out of force when it starts
    replaces: Sourced[tuple[str, ...]] | None = None
    base_salary: tuple[BaseSalary, ...] = ()  # by start date
    prize_rounding: Sourced[int] | None = None  # prize money is rounded up to a multiple
    # the share of a cluster's member units that must be present before its vote (suy tôn)
    # opens; None: the set gives none, and the cluster's vote checks no quorum
    cluster_quorum: Sourced[Fraction] | None = None
    # a transition rule of the law this set follows: dossiers RECEIVED from this date follow
    # this set; those received before follow the earlier set unless this one is more
    # favourable to them (see RuleBook.for_dossier)
    applies_to_dossiers_received_from: Sourced[dt.date] | None = None
    # among equally qualified candidates, priority to women and to collectives with at least
    # this share of women (Decree 152/2025 art. 4); the engine knows no such shares, so a vote
    # that breaks a tie reminds the meeting of it
    women_priority_share: Sourced[Fraction] | None = None
    # the kinds of impediment during which nothing is awarded or proposed (Decree 152/2025 art.
    # 4(4): discipline, investigation, an unresolved complaint; domain/impediments.py); None:
    # the set names none, and no impediment holds a dossier back
    award_impediments: Sourced[tuple[str, ...]] | None = None

    @property
    def name(self) -> str:
        return f"'{self.code}' v{self.version}"

    @property
    def period(self) -> str:
        start = self.effective_from.isoformat()
        if self.effective_to is None:
            return f"from {start}"
        return f"{start} to {self.effective_to.isoformat()}"

    def covers(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def overlaps(self, other: RuleSet) -> bool:
        end = self.effective_to or dt.date.max
        other_end = other.effective_to or dt.date.max
        return self.effective_from <= other_end and other.effective_from <= end

    def title_rule(self, code: str) -> Title:
        """The title `code`; raises NotFound naming the close matches."""
        for title in self.titles:
            if title.code == code:
                return title
        codes = [t.code for t in self.titles]
        hint = suggest(code, codes) or f" (titles: {', '.join(codes)})"
        raise NotFound(f"rule set {self.name} has no title '{code}'{hint}")

    def limits(self, level: AdminLevel = "central") -> TimeLimits:
        """The time limits at `level`; the central level's when the set gives none for it."""
        if level not in ADMIN_LEVELS:
            raise InvalidInput(f"unknown level '{level}' (expected {', '.join(ADMIN_LEVELS)})")
        for limits in self.time_limits:
            if limits.level == level:
                return limits
        return TimeLimits("central", self.appraisal_working_days,
                          self.return_notice_working_days)

    def base_salary_on(self, on: dt.date) -> BaseSalary:
        """The base salary in force on `on`; raises NotFound when none is known yet."""
        known = [b for b in self.base_salary if b.start <= on]
        if not known:
            raise NotFound(f"rule set {self.name} knows no base salary on {on.isoformat()}")
        return max(known, key=lambda b: b.start)

    def prize_money(self, code: str, on: dt.date) -> Prize:
        """The prize money of title `code` decided on `on`: its coefficient times the base
        salary in force that day, rounded up to `prize_rounding` đồng."""
        title = self.title_rule(code)
        if title.prize_coefficient is None:
            raise NotFound(f"rule set {self.name} gives no prize money for '{code}'")
        base = self.base_salary_on(on)
        step = 1 if self.prize_rounding is None else self.prize_rounding.value
        exact = title.prize_coefficient.value * base.amount.value
        amount = int((exact / step).to_integral_value(rounding=ROUND_CEILING)) * step
        return Prize(amount, title.prize_coefficient.value, base.amount.value, base.start, step)

    def sourced(self) -> tuple[tuple[str, Sourced[Any]], ...]:
        """Every legal value with its path, e.g. ("titles[co_thi_dua_bo].vote.threshold", …)."""
        return tuple(_sourced(self, ""))

    def unverified(self) -> tuple[str, ...]:
        """The paths of the values not yet verified against their legal basis."""
        return tuple(path for path, value in self.sourced() if not value.verified)


def _sourced(value: Any, path: str) -> Iterator[tuple[str, Sourced[Any]]]:
    if isinstance(value, Sourced):
        yield path, value
        return
    if isinstance(value, tuple):
        for item in value:
            key = (getattr(item, "code", None) or getattr(item, "level", None)
                   or getattr(item, "key", None))
            if isinstance(key, str):
                yield from _sourced(item, f"{path}[{key}]")
        return
    if is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from _sourced(getattr(value, f.name), f"{path}.{f.name}" if path else f.name)


@dataclass(frozen=True, slots=True)
class RuleBook:
    """Every loaded rule set, earliest first."""

    sets: tuple[RuleSet, ...]

    @classmethod
    def of(cls, sets: Iterable[RuleSet]) -> RuleBook:
        return cls(tuple(sorted(sets, key=lambda s: (s.effective_from, s.code, s.version))))

    def in_force(self, on: dt.date) -> RuleSet:
        """The rule set in force on `on`; raises RuleSetNotInForce when none or several are."""
        found = [s for s in self.sets if s.covers(on)]
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(f"{s.name} ({s.period})" for s in found)
            raise RuleSetNotInForce(f"{len(found)} rule sets are in force on {on}: {names}")
        known = "; ".join(f"{s.name} {s.period}" for s in self.sets) or "none are loaded"
        raise RuleSetNotInForce(f"no rule set is in force on {on.isoformat()} ({known})")

    def get(self, code: str, version: int) -> RuleSet:
        """The rule set a campaign or dossier was pinned to."""
        for rule_set in self.sets:
            if (rule_set.code, rule_set.version) == (code, version):
                return rule_set
        raise NotFound(f"no rule set '{code}' v{version} is loaded")

    def title(self, code: str, on: dt.date) -> Title:
        """The rules of title `code` in the set in force on `on`."""
        return self.in_force(on).title_rule(code)

    def for_dossier(self, pinned: RuleSet, title: str, received_on: dt.date) -> RulesChoice:
        """The rule set a dossier for `title` received on `received_on` follows. It keeps the
        set it was opened with (its vote's), unless a later set says which dossiers it takes
        (`applies_to_dossiers_received_from`): from that date it takes them; before it, only
        when it is more favourable to the dossier (`favourable_changes`: some value eases,
        none tightens). The last such set decides."""
        choice = RulesChoice(pinned, "pinned", received_on, None)
        for later in self.sets:
            start = later.applies_to_dossiers_received_from
            if start is None or later.effective_from <= pinned.effective_from:
                continue
            if received_on >= start.value:
                choice = RulesChoice(later, "received_from", received_on, start.value)
            elif _has_title(later, title) and favourable_changes(choice.rules, later, title):
                choice = RulesChoice(later, "more_favourable", received_on, start.value)
            else:
                choice = RulesChoice(choice.rules, "received_before", received_on, start.value)
        return choice


@dataclass(frozen=True, slots=True)
class RulesChoice:
    """Which rule set a dossier follows and why: `pinned` (no later set claims it),
    `received_from` (received on or after the later set's date), `received_before` (before
    it, so the earlier set), `more_favourable` (before it, but the later set is kinder)."""

    rules: RuleSet
    why: str
    received_on: dt.date
    boundary: dt.date | None  # the later set's date the receipt was compared with


def _has_title(rules: RuleSet, code: str) -> bool:
    return any(t.code == code for t in rules.titles)


def favourable_changes(old: RuleSet, new: RuleSet, code: str) -> tuple[str, ...] | None:
    """What `new` eases for title `code` against `old` (a lower council threshold or quorum,
    more prize money); None when `new` tightens anything of these, () when nothing changes."""
    a, b = old.title_rule(code), new.title_rule(code)
    eased: list[str] = []
    pairs: list[tuple[str, Fraction | Decimal | None, Fraction | Decimal | None, bool]] = [
        ("vote.threshold", a.vote.threshold.value, b.vote.threshold.value, False),
        ("vote.quorum", a.vote.quorum.value, b.vote.quorum.value, False),
        ("prize_coefficient", a.prize_coefficient.value if a.prize_coefficient else None,
         b.prize_coefficient.value if b.prize_coefficient else None, True),
    ]
    if a.vote.comparison != b.vote.comparison:
        if b.vote.comparison == "more_than":
            return None
        eased.append("vote.comparison")
    for name, before, after, more_is_better in pairs:
        if before is None or after is None or before == after:
            continue
        if (after > before) == more_is_better:
            eased.append(name)
        else:
            return None
    return tuple(eased)


# --- vote arithmetic ----------------------------------------------------------------------


def show_share(share: ShareLike) -> str:
    """0.9 -> "90%", 0.625 -> "62.5%", 2/3 -> "2/3": a percent when it is exact."""
    exact = Fraction(share)
    percent = exact * 100
    if (percent * 100).denominator == 1:
        return _percent_text(percent)
    return f"{exact.numerator}/{exact.denominator}"


def _percent_text(percent: Fraction) -> str:
    text = f"{Decimal(percent.numerator) / Decimal(percent.denominator):f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def show_ratio(part: int, whole: int, near: ShareLike | None = None) -> str:
    """part/whole as a percent, exact or rounded half up to one decimal: 8/9 -> "88.9%".

    When the rounded percent would read like `near` (the threshold) but differs from it, more
    decimals are shown, so 89.99% is never printed as 90%.
    """
    value = Fraction(part, whole) * 100
    target = None if near is None else Fraction(near) * 100
    places = 1
    while True:
        scale = 10**places
        rounded = Fraction(math.floor(value * scale + Fraction(1, 2)), scale)
        if rounded == value or target is None or rounded != target or places >= 6:
            return _percent_text(rounded)
        places += 1


def _check_counts(yes: int, all_members: int, present: int) -> None:
    if all_members < 1:
        raise InvalidInput(f"a vote needs at least 1 member, got {all_members}")
    if not 0 <= present <= all_members:
        raise InvalidInput(f"{present} present is not between 0 and {all_members} members")
    if not 0 <= yes <= present:
        raise InvalidInput(f"{yes} yes votes is not between 0 and {present} present")


def _check_share(share: ShareLike, what: str) -> Fraction:
    exact = Fraction(share)
    if not 0 < exact <= 1:
        raise InvalidInput(f"the {what} must be more than 0 and at most 1, got {share}")
    return exact


def passes(
    yes: int,
    all_members: int,
    present: int,
    threshold: ShareLike,
    basis: str,
    strictly: bool,
) -> tuple[bool, str]:
    """Whether `yes` votes carry: more than (`strictly`) or at least `threshold` of the basis.

    `basis` is all_members (every member counts, absent or not) or present (abstentions and
    blank ballots count as present but not as yes). E.g. (8, 9, 9, 0.9, all_members, False)
    -> (False, "8 yes of 9 members = 88.9%, does not meet the rule of at least 90% of all
    members").
    """
    ok, sentence = judge(yes, all_members, present, threshold, basis, strictly)
    return ok, sentence.english()


def judge(
    yes: int,
    all_members: int,
    present: int,
    threshold: ShareLike,
    basis: str,
    strictly: bool,
) -> tuple[bool, Sentence]:
    """`passes`, with the sentence as a code and parameters (vote_text renders it in the
    reader's language)."""
    _check_counts(yes, all_members, present)
    share = _check_share(threshold, "threshold")
    if basis not in VOTE_BASES:
        raise InvalidInput(f"unknown vote basis '{basis}' (expected {' or '.join(VOTE_BASES)})")
    whole, who = (all_members, "members") if basis == "all_members" else (present, "present")
    rule = {"comparison": "more_than" if strictly else "at_least", "share": show_share(share),
            "basis": basis}
    if whole == 0:
        return False, Sentence("rule_nobody_present", {"rule": rule})
    ratio = Fraction(yes, whole)
    ok = ratio > share if strictly else ratio >= share
    return ok, Sentence("rule_met" if ok else "rule_not_met", {
        "yes": yes, "whole": whole, "who": who, "ratio": show_ratio(yes, whole, share),
        "rule": rule})


def quorum_met(present: int, members: int, quorum: ShareLike) -> tuple[bool, str]:
    """Whether at least `quorum` of `members` are present, e.g. (5, 9, 2/3) -> (False,
    "5 of 9 members present = 55.6%, quorum of at least 2/3 not met")."""
    ok, sentence = judge_quorum(present, members, quorum)
    return ok, sentence.english()


def quorum_needed(members: int, quorum: ShareLike) -> int:
    """The fewest members present that meet `quorum` of `members`: (8, 2/3) -> 6."""
    share = _check_share(quorum, "quorum")
    whole = share * members
    return whole.numerator // whole.denominator + (1 if whole.denominator != 1 else 0)


def judge_quorum(present: int, members: int, quorum: ShareLike) -> tuple[bool, Sentence]:
    """`quorum_met`, with the sentence as a code and parameters."""
    _check_counts(0, members, present)
    share = _check_share(quorum, "quorum")
    ok = Fraction(present, members) >= share
    return ok, Sentence("quorum_met" if ok else "quorum_not_met", {
        "present": present, "members": members, "ratio": show_ratio(present, members, share),
        "share": show_share(share)})
