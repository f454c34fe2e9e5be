"""Rules of a dossier (hồ sơ đề nghị khen thưởng): documents per title, public posting and its
objections, the deadline, caps across clusters, the appraisal clock, the council and the
decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol, cast

from workflow.domain.refusals import Named, Ref, Refusal
from workflow.domain.rulesets import Caps, RuleBook, RuleSet, Title
from workflow.engine.instance import Instance
from workflow.engine.registry import CallContext
from workflow.services.rules.base import YEAR, YearPort, campaign_of, due_date, local_date, port

CLOSED = ("withdrawn", "revoked")
MINUTES = ("bien_ban_kiem_phieu", "bien_ban_suy_ton_cum")


class DossierPort(YearPort, Protocol):
    store: Any

    def rule_set(self, code: str, version: int) -> RuleSet: ...
    def rule_book(self) -> RuleBook: ...
    def document_kinds(self, instance_id: int) -> set[str]: ...
    def dossiers_of_year(
        self, year: int
    ) -> list[tuple[int, str, str, dict[str, Any], int | None]]: ...
    def clusters_of_council(self, council: str, year: int) -> list[int]: ...
    def council_of(self, cluster_id: int) -> str | None: ...
    def open_objections(self, dossier_id: int) -> int: ...
    def load_instance(self, instance_id: int, *, lock: bool = False) -> Instance | None: ...


def dport(ctx: CallContext) -> DossierPort:
    return cast(DossierPort, port(ctx))


def rules_of(ctx: CallContext) -> RuleSet:
    ref = ctx.instance.data["rule_set"]
    return dport(ctx).rule_set(ref["code"], ref["version"])


def title_of(ctx: CallContext) -> Title:
    return rules_of(ctx).title_rule(ctx.instance.data["title"])


@YEAR.guard("vote_minutes_attached")
def vote_minutes_attached(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """A dossier starts from the vote that chose it: its minutes are attached."""
    if set(MINUTES) & dport(ctx).document_kinds(ctx.instance.id):
        return None
    return Refusal("vote_minutes_missing")


def _live_dossiers(ctx: CallContext) -> list[tuple[int, str, dict[str, Any], int | None]]:
    """Other dossiers of the year for the same title that still count."""
    assert ctx.instance.year is not None
    title = ctx.instance.data["title"]
    return [(i, state, data, cluster)
            for i, state, status, data, cluster in dport(ctx).dossiers_of_year(ctx.instance.year)
            if i != ctx.instance.id and data.get("title") == title and state not in CLOSED
            and data.get("outcome") != "rejected"]


@YEAR.guard("one_dossier_per_nominee")
def one_dossier_per_nominee(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """One dossier per nominee, title and year."""
    nominee = ctx.instance.unit_id
    same = [i for i, _, data, _ in _live_dossiers(ctx)
            if data.get("nominee_unit_id", None) == nominee or _unit_of(data) == nominee]
    return Refusal("dossier_exists", {"unit": Ref("unit", nominee), "dossier": Ref("item", same[0])}
                   ) if same else None


def _unit_of(data: Mapping[str, Any]) -> int | None:
    value = data.get("nominee_unit_id")
    return int(value) if value is not None else None


@YEAR.guard("posting_period_over")
def posting_period_over(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """The dossier stayed public for the rule set's posting period."""
    rules = rules_of(ctx)
    posted = local_date(ctx, dt.datetime.fromisoformat(ctx.instance.data["posted_at"]))
    today = local_date(ctx, ctx.now)
    days = rules.public_posting_days.value
    if rules.public_posting_basis == "working":
        elapsed = dport(ctx).store.calendar.working_days_between(posted, today)
        code = "posting_period_running_working"
    else:
        elapsed, code = (today - posted).days, "posting_period_running"
    if elapsed >= days:
        return None
    return Refusal(code, {"elapsed": elapsed, "days": days})


@YEAR.guard("objections_answered")
def objections_answered(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    left = dport(ctx).open_objections(ctx.instance.id)
    return Refusal("objections_open", {"count": left}) if left else None


@YEAR.guard("title_documents_present")
def title_documents_present(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Every document the title requires is attached; the missing ones are named."""
    have = dport(ctx).document_kinds(ctx.instance.id)
    missing = [Named(d.code, d.label.vi, d.label.en)
               for d in title_of(ctx).required_documents.value if d.code not in have]
    return Refusal("title_documents_missing", {"documents": missing}) if missing else None


@YEAR.guard("dossier_deadline")
def dossier_deadline(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Cluster dossiers go in by the campaign's dossier deadline (e.g. 20 December)."""
    if ctx.instance.parent_id is None:
        return None
    deadline = due_date(campaign_of(ctx), "dossier_deadline")
    today = local_date(ctx, ctx.now)
    if deadline is None or today <= deadline:
        return None
    return Refusal("dossier_deadline_passed", {"date": deadline})


@YEAR.guard("title_caps")
def title_caps(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Caps of the title: so many per cluster, and a share of a council's leading units."""
    caps = title_of(ctx).caps
    live = [d for d in _live_dossiers(ctx) if d[1] not in ("draft", "posting")]
    cluster = ctx.instance.cluster_id
    if caps.per_cluster is not None and cluster is not None:
        same = [i for i, _, _, c in live if c == cluster]
        if len(same) + 1 > caps.per_cluster.value:
            return Refusal("title_cap_cluster",
                           {"cap": caps.per_cluster.value, "dossier": Ref("item", same[0])})
    council = dport(ctx).council_of(cluster) if cluster is not None else None
    if caps.share_of_cluster_leaders is not None and council and ctx.instance.year:
        clusters = set(dport(ctx).clusters_of_council(council, ctx.instance.year))
        quota = caps.leader_quota(len(clusters)) or 0
        taken = [i for i, _, _, c in live if c in clusters]
        if len(taken) + 1 > quota:
            return Refusal("title_cap_leaders", quota_explained(caps, len(clusters), council,
                                                               len(taken)))
    return None


ROUNDINGS = {"down": Named("down", "làm tròn xuống", "rounded down"),
             "nearest": Named("nearest", "làm tròn đến số gần nhất", "rounded to the nearest"),
             "up": Named("up", "làm tròn lên", "rounded up")}


def quota_explained(caps: Caps, leading: int, council: str, taken: int) -> dict[str, Any]:
    """The cap's rule, the count it is applied to and the result, as the refusal's values:
    20% of 2 leading units = 0.4 → at most 0 (rounded down)."""
    assert caps.share_of_cluster_leaders is not None
    exact = caps.leader_share(leading) or Fraction(0)
    share = Decimal(caps.share_of_cluster_leaders.value.numerator * 100) / Decimal(
        caps.share_of_cluster_leaders.value.denominator)
    return {"quota": caps.leader_quota(leading) or 0, "clusters": leading, "council": council,
            "share": _plain(share), "taken": taken,
            "exact": _plain(Decimal(exact.numerator) / Decimal(exact.denominator)),
            "rounding": ROUNDINGS[caps.rounding]}


def _plain(value: Decimal) -> Decimal:
    """A number to two decimals at most, without trailing zeros or an exponent (0.4, 20)."""
    value = value.quantize(Decimal("0.01"))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@YEAR.effect("start_appraisal_clock")
def start_appraisal_clock(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """The clock runs from a complete dossier; a returned one resumes where it stopped."""
    data = ctx.instance.data
    today = local_date(ctx, ctx.now)
    used = int(data.get("appraisal_days_used") or 0)
    left = max(0, rules_of(ctx).appraisal_working_days.value - used)
    data["appraisal_resumed_on"] = today.isoformat()
    data["appraisal_due"] = dport(ctx).store.calendar.add_working_days(today, left).isoformat()
    ctx.notes.append(f"appraisal: {used} working days used, due {data['appraisal_due']}")


@YEAR.effect("pause_appraisal_clock")
def pause_appraisal_clock(ctx: CallContext, params: Mapping[str, Any]) -> None:
    data = ctx.instance.data
    resumed = dt.date.fromisoformat(data["appraisal_resumed_on"])
    spent = dport(ctx).store.calendar.working_days_between(resumed, local_date(ctx, ctx.now))
    data["appraisal_days_used"] = int(data.get("appraisal_days_used") or 0) + spent
    data["times_returned"] = int(data.get("times_returned") or 0) + (
        1 if ctx.transition.trigger == "return" else 0)
    if "missing" in ctx.payload:
        data.setdefault("returns", []).append(
            {"on": local_date(ctx, ctx.now).isoformat(), "missing": ctx.payload["missing"]})


def _council_line(ctx: CallContext) -> tuple[dict[str, Any], dict[str, Any]] | Refusal:
    """The line of this dossier in the last round of the locked council session named by the
    payload, with that round's tally; or why there is none."""
    raw = ctx.payload.get("council_session_id")
    try:
        session_id = int(str(raw))
    except (TypeError, ValueError):
        return Refusal("council_session_other")
    session = dport(ctx).load_instance(session_id)
    if session is None or session.workflow != "vote_session" or (
            session.data.get("kind") != "council"):
        return Refusal("council_session_other")
    if session.state != "locked" or not session.data.get("tally"):
        return Refusal("council_session_not_counted")
    tallies = session.data["tally"]
    # a dossier tied in the first round is decided in the runoff: its last counted line
    for round_ in sorted(tallies, key=int, reverse=True):
        for outcome in tallies[round_]["titles"].values():
            for line in outcome["candidates"]:
                if int(line["candidate"]) == ctx.instance.id:
                    return line, tallies[round_]
    return Refusal("council_session_other")


@YEAR.guard("council_session_counted")
def council_session_counted(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """The session named is a locked council vote that counted this dossier."""
    found = _council_line(ctx)
    return found if isinstance(found, Refusal) else None


@YEAR.effect("write_council_result")
def write_council_result(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """The council's result, copied from the count: whatever else the payload says."""
    found = _council_line(ctx)
    assert not isinstance(found, Refusal)
    line, tally = found
    ctx.instance.data["council_result"] = {
        "carried": bool(line["carried"]), "yes": int(line["yes"]),
        "eligible": int(tally["eligible"]), "present": int(tally["ballots"]),
        "reason": line["reason"], "rule": line.get("rule") or []}
    ctx.instance.data["council_session_id"] = int(ctx.payload["council_session_id"])
    ctx.notes.append(f"council result from session {ctx.payload['council_session_id']}: "
                     f"{line['yes']} yes, carried {ctx.instance.data['council_result']['carried']}")


@YEAR.guard("council_vote_recorded")
def council_vote_recorded(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    result = ctx.instance.data.get("council_result")
    if result is None:
        return Refusal("council_not_voted")
    return None if result.get("carried") else Refusal(
        "council_not_carried", {"reason": str(result["reason"])})


@YEAR.guard("valid_decision")
def valid_decision(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    outcome = ctx.payload.get("outcome")
    if outcome not in ("approved", "rejected", "downgraded"):
        return Refusal("decision_outcome_invalid")
    # an award is made by a numbered decision (số quyết định) of a date
    if outcome != "rejected" and not str(ctx.payload.get("decision_number") or "").strip():
        return Refusal("decision_number_missing")
    day = ctx.payload.get("decision_date")
    if day is not None:
        try:
            dt.date.fromisoformat(str(day))
        except ValueError:
            return Refusal("decision_number_missing")
    if outcome == "downgraded":
        granted = ctx.payload.get("granted_title")
        codes = [t.code for t in rules_of(ctx).titles]
        if granted not in codes or granted == ctx.instance.data["title"]:
            return Refusal("decision_granted_title_missing")
    return None


@YEAR.effect("pin_rules_by_receipt")
def pin_rules_by_receipt(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Submission: the dossier's receipt date is recorded and chooses its rule set. It keeps
    the set of the vote that opened it unless a later set takes dossiers received from a date
    (a law's transition rule): received on or after it, the later set; before it, the later
    set only when it is more favourable (RuleBook.for_dossier). The set the vote used is kept
    in `opened_rule_set`, the choice and its reason in `rules_choice`, for the page."""
    data = ctx.instance.data
    book = dport(ctx).rule_book()
    opened = data.get("opened_rule_set") or data["rule_set"]
    received = local_date(ctx, ctx.now)
    choice = book.for_dossier(book.get(opened["code"], opened["version"]), data["title"],
                              received)
    data["opened_rule_set"] = dict(opened)
    data["received_on"] = received.isoformat()
    data["rule_set"] = {"code": choice.rules.code, "version": choice.rules.version}
    data["rules_choice"] = {
        "why": choice.why,
        "boundary": choice.boundary.isoformat() if choice.boundary else None}
    ctx.notes.append(f"received {received.isoformat()}: rules {choice.rules.name} "
                     f"({choice.why})")
