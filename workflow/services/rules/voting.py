"""Rules of a vote session: quorum, the eligible voters, the sealed ballot box, the count with
each title's rule and cap, runoffs, and the fairness warnings on the result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Protocol, cast

import marshmallow as ma

from workflow.domain.ballot_box import OpenedRound
from workflow.domain.refusals import Refusal
from workflow.domain.rulesets import RuleSet, Title, quorum_met, quorum_needed, show_share
from workflow.domain.vote_text import Sentence
from workflow.domain.voting import TitleResult, count_votes, decide_title
from workflow.engine.registry import CallContext
from workflow.services import ballot_box as bbox
from workflow.services.rules.base import YEAR, YearPort, port


class VotePort(YearPort, Protocol):
    def rule_set(self, code: str, version: int) -> RuleSet: ...
    def ballots(self, session_id: int, round_: int) -> list[dict[str, Any]]: ...
    def shuffle_ballots(self, session_id: int, round_: int) -> int: ...
    def council_members(self, year: int | None) -> list[int]: ...
    def voter_keys(self, session_id: int, round_: int) -> list[str]: ...


def vport(ctx: CallContext) -> VotePort:
    return cast(VotePort, port(ctx))


def session_rules(ctx: CallContext) -> RuleSet:
    ref = ctx.instance.data["rule_set"]
    return vport(ctx).rule_set(ref["code"], ref["version"])


def is_council(ctx: CallContext) -> bool:
    return ctx.instance.data.get("kind") == "council"


def members(ctx: CallContext) -> list[str]:
    """Who may vote: one key per member unit of the cluster, or per council member."""
    if is_council(ctx):
        return [f"user:{u}" for u in vport(ctx).council_members(ctx.instance.year)]
    assert ctx.instance.cluster_id is not None
    return [f"unit:{u}" for u in vport(ctx).member_units(ctx.instance.cluster_id)]


def written_votes_allowed(rules: RuleSet, titles: Any) -> bool:
    """Whether absent council members may vote in writing on every title of a session (the
    rule set's `absentees_in_writing`); a title without the setting takes no written vote."""
    found = [rules.title_rule(t).vote.absentees_in_writing for t in titles]
    return bool(found) and all(f is not None and f.value for f in found)


def attendees(data: Mapping[str, Any]) -> set[str]:
    """The members ticked present at the quorum check (a council's meeting)."""
    return {str(k) for k in data.get("present") or ()}


def _quorum(ctx: CallContext) -> Fraction | None:
    """The share of the members that must be present: a council's strictest title's quorum,
    a cluster's meeting quorum of the rule set (None: the set gives none)."""
    rules = session_rules(ctx)
    if not is_council(ctx):
        return None if rules.cluster_quorum is None else rules.cluster_quorum.value
    return max((rules.title_rule(t).vote.quorum.value for t in ctx.instance.data["titles"]),
               default=None)


def _below_quorum(ctx: CallContext, present: list[Any]) -> Refusal | None:
    everyone = members(ctx)
    quorum = _quorum(ctx)
    if quorum is None:
        return None
    count = len(set(present) & set(everyone))
    met, _ = quorum_met(count, len(everyone), quorum)
    if met:
        return None
    if is_council(ctx):
        return Refusal("quorum_not_met", {
            "present": count, "members": len(everyone), "quorum": quorum})
    return Refusal("cluster_quorum_not_met", {
        "present": count, "members": len(everyone), "quorum": quorum,
        "needed": quorum_needed(len(everyone), quorum)})


@YEAR.guard("vote_quorum_met")
def vote_quorum_met(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Those present are members, and enough of them for the quorum: the strictest title's
    (a council) or the cluster meeting's of the rule set (a cluster's vote)."""
    present = ctx.payload.get("present")
    if present is None:
        # not given yet: the engine's own check of the required field asks for it, so that a
        # page may offer the action with the attendance boxes to tick
        return None
    everyone = members(ctx)
    if not isinstance(present, list) or not present:
        return Refusal("present_missing")
    strangers = [p for p in present if p not in everyone]
    if strangers:
        return Refusal("present_strangers", {"people": [str(p) for p in strangers]})
    return _below_quorum(ctx, present)


@YEAR.guard("vote_quorum_held")
def vote_quorum_held(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Opening: the members recorded present at the quorum check are still enough for the
    quorum (of the members as they are now: one added since counts in the base)."""
    present = ctx.instance.data.get("present")
    if not isinstance(present, list) or not present:
        return Refusal("present_missing")
    return _below_quorum(ctx, present)


@YEAR.effect("fix_eligible_voters")
def fix_eligible_voters(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Opening fixes who may vote; later changes to the cluster or council do not count."""
    data = ctx.instance.data
    data["eligible"] = members(ctx)
    data.setdefault("round", 1)
    ctx.notes.append(f"{len(data['eligible'])} eligible voters, round {data['round']}")


@YEAR.effect("seal_ballot_box")
def seal_ballot_box(ctx: CallContext, params: Mapping[str, Any]) -> None:
    data = ctx.instance.data
    round_ = int(data["round"])
    if is_council(ctx) and data.get("present"):
        # who voted without attending: their written vote (phiếu bằng văn bản), for the minutes
        written = sorted(set(vport(ctx).voter_keys(ctx.instance.id, round_))
                         - attendees(data))
        data.setdefault("written_voters", {})[str(round_)] = written
    if bbox.sealed(ctx.instance):
        box = bbox.port(port(ctx))
        # the same ciphertexts under new ids in random order, the old rows purged: where a
        # ballot sits says nothing of when it was cast (the receipts stay checkable)
        cast_count = box.shuffle_sealed(ctx.instance.id, round_)
        if bbox.committee_of(ctx.instance) is None:
            bbox.open_with_server(box, ctx.instance)  # no committee: the server counts
    else:
        cast_count = vport(ctx).shuffle_ballots(ctx.instance.id, round_)
    data["sealed_round"] = data["round"]
    data.setdefault("ballots_cast", {})[str(data["round"])] = cast_count
    ctx.notes.append(f"{cast_count} ballots sealed")


class EarlyCloseParams(ma.Schema):
    # the fewest ballots a secret vote may be closed with before every present voter has
    # voted (with a reason): a product safeguard against learning one voter's choice, not law
    min_ballots = ma.fields.Integer(load_default=3, validate=ma.validate.Range(min=2))


def present_voters(data: Mapping[str, Any]) -> set[str]:
    """The eligible voters counted as present (those listed at the quorum check, if any)."""
    eligible = {str(k) for k in data.get("eligible") or ()}
    present = {str(k) for k in data.get("present") or ()} & eligible
    return present or eligible


def early_close(
    data: Mapping[str, Any], ballots_cast: int, now: dt.datetime, min_ballots: int,
    reason: str,
) -> tuple[str, dict[str, Any]] | None:
    """Why a vote may not close now, as a code and its parameters, or None. A secret vote
    closes at its scheduled end or once every present voter has voted; before that, only with
    a reason and at least `min_ballots` ballots: a box of one ballot (or a few) would tell the
    chair, from the turnout and the result, who chose what."""
    if not data.get("secret", True):
        return None
    ends_at = data.get("ends_at")
    if ends_at and now >= dt.datetime.fromisoformat(str(ends_at)):
        return None
    expected = len(present_voters(data))
    if ballots_cast >= expected:
        return None
    if ballots_cast < min_ballots:
        return "too_few_ballots", {"cast": ballots_cast, "expected": expected,
                                   "minimum": min_ballots}
    if not reason.strip():
        return "reason_required", {"cast": ballots_cast, "expected": expected}
    return None


@YEAR.guard("vote_may_close", params=EarlyCloseParams)
def vote_may_close(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """A secret vote closes at its end or once every present voter has voted; earlier only
    with a reason and at least `min_ballots` ballots (so that no ballot can be traced)."""
    data = ctx.instance.data
    round_ = int(data.get("round", 1))
    cast_count = len(vport(ctx).ballots(ctx.instance.id, round_)) + (
        bbox.port(port(ctx)).sealed_count(ctx.instance.id, round_)
        if bbox.sealed(ctx.instance) else 0)
    found = early_close(data, cast_count, ctx.now, int(params["min_ballots"]),
                        str(ctx.payload.get("comment") or ""))
    if found is None:
        return None
    code, values = found
    return Refusal(code, values)


@YEAR.guard("ballot_box_sealed")
def ballot_box_sealed(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    data = ctx.instance.data
    if data.get("sealed_round") != data.get("round"):
        return Refusal("box_not_sealed")
    if bbox.sealed(ctx.instance) and _counted(ctx) is None:
        # the sums are decrypted once k members of the committee have released their shares
        committee = bbox.committee_of(ctx.instance)
        return Refusal("count_awaits_committee",
                       {"threshold": committee.threshold if committee else 0})
    return None


def _counted(ctx: CallContext) -> OpenedRound | None:
    """A sealed round's decrypted sums, or the paper tally the committee entered instead."""
    paper = (ctx.instance.data.get("paper_tally") or {}).get(str(ctx.instance.data["round"]))
    if paper:
        return OpenedRound.of(paper)
    return bbox.opened(bbox.port(port(ctx)), ctx.instance)


def _decide(ctx: CallContext, title: Title, eligible: int, present: int,
            attending: int | None = None) -> Any:
    if is_council(ctx):
        return lambda yes: title.vote.judge(yes, eligible, present, attending)
    rule = title.cluster_vote
    if rule is None:
        return lambda yes: (False, (Sentence("not_cluster_title", {"title": title.code}),))
    return lambda yes: rule.judge(yes, eligible, present)


def _cap(ctx: CallContext, title: Title) -> int | None:
    per_cluster = title.caps.per_cluster
    return None if is_council(ctx) or per_cluster is None else int(per_cluster.value)


@YEAR.effect("count_votes")
def count_round(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Count this round: each candidate against its title's rule, winners within the cap."""
    data = ctx.instance.data
    round_ = int(data["round"])
    counted = _counted(ctx)
    box = vport(ctx).ballots(ctx.instance.id, round_) if counted is None else []
    rules = session_rules(ctx)
    # a council counts those present at the meeting and the absent members who voted in
    # writing (never more than the eligible voters: a ballot is refused from anyone else);
    # a cluster, the ballots cast
    eligible = len(data["eligible"])
    attending: int | None = None  # who sat at the council's meeting: the quorum's count
    if is_council(ctx) and data.get("present"):
        written = (data.get("written_voters") or {}).get(str(round_)) or []
        present = min(eligible, len(attendees(data) | set(written)))
        attending = min(eligible, len(attendees(data)))
    else:
        present = len(box) if counted is None else counted.ballots
    ranks = {int(k): int(v) for k, v in (data.get("ranks") or {}).items()}
    results: dict[str, Any] = {}
    runoff: dict[str, list[int]] = {}
    winners = data.setdefault("winners", {})
    seats = data.setdefault("runoff_seats", {})
    for code, candidates in data["candidates"].items():
        title = rules.title_rule(code)
        cap = seats.get(code, _cap(ctx, title)) if round_ > 1 else _cap(ctx, title)
        votes = count_votes(box, code) if counted is None else counted.votes.get(code, {})
        outcome = decide_title(code, candidates, votes,
                               _decide(ctx, title, eligible, present, attending), cap,
                               runoff_round=round_ > 1, rank=ranks)
        results[code] = _as_data(outcome, rules)
        # winners of earlier rounds stay; a tie leaves its seats to the runoff
        winners[code] = (winners.get(code, []) if round_ > 1 else []) + list(outcome.winners)
        if outcome.runoff:
            runoff[code] = list(outcome.runoff)
            seats[code] = None if cap is None else cap - len(outcome.winners)
    abstained = sum(1 for choices in box if not any(choices.values())) if counted is None \
        else counted.blank
    data.setdefault("tally", {})[str(round_)] = {
        "eligible": eligible, "ballots": present, "abstained": abstained, "titles": results}
    data["runoff"] = runoff
    if not runoff:
        found = fairness_sentences(data, rules)
        data["warnings"] = [w.english() for w in found]
        data["warning_rules"] = [w.as_data() for w in found]
    ctx.notes.append(f"round {round_} counted: {present} ballots of {eligible} eligible")


TIE_BROKEN = ("tie_runoff", "tie_rank")


def _as_data(outcome: TitleResult, rules: RuleSet) -> dict[str, Any]:
    notes = [outcome.note_sentence] if outcome.note_sentence else []
    share = rules.women_priority_share
    if share is not None and notes and notes[0].code in TIE_BROKEN:
        # where a tie is broken, the priority the decree gives among equals (the engine does
        # not know the share of women of a unit: the meeting weighs it)
        notes.append(Sentence("tie_women_priority", {"share": show_share(share.value)}))
    return {
        "winners": list(outcome.winners), "runoff": list(outcome.runoff),
        "note": "; ".join(n.english() for n in notes),
        # the same sentences as codes and parameters, rendered in the reader's language
        "note_rule": [n.as_data() for n in notes],
        "candidates": [{"candidate": r.candidate, "yes": r.yes, "carried": r.carried,
                        "elected": r.elected, "reason": r.reason,
                        "rule": [s.as_data() for s in r.sentences]}
                       for r in outcome.candidates],
    }


def fairness_warnings(data: Mapping[str, Any], rules: RuleSet) -> list[str]:
    """Recorded and shown with the result, never blocking (luân phiên, nể nang)."""
    return [s.english() for s in fairness_sentences(data, rules)]


def fairness_sentences(data: Mapping[str, Any], rules: RuleSet) -> list[Sentence]:
    """The fairness warnings as sentences of the vote catalogue (unit and title codes)."""
    warnings = []
    fair = rules.fairness
    ranks = {int(k): int(v) for k, v in (data.get("ranks") or {}).items()}
    past = data.get("past_winners") or {}
    leader = data.get("leader_unit_id")
    for code, winners in (data.get("winners") or {}).items():
        for unit in winners:
            if fair.leader_wins_own and unit == leader:
                warnings.append(Sentence("warn_leader_self", {"title": code, "unit": unit}))
            years = past.get(code) or {}
            recent = sorted(years, reverse=True)[: fair.same_winner_years]
            if len(recent) == fair.same_winner_years and all(unit in years[y] for y in recent):
                warnings.append(Sentence("warn_same_winner", {
                    "title": code, "unit": unit, "years": ", ".join(sorted(recent))}))
            if unit in ranks and ranks[unit] > fair.top_rank:
                warnings.append(Sentence("warn_rank", {
                    "title": code, "unit": unit, "rank": ranks[unit], "top": fair.top_rank}))
            elif ranks and unit not in ranks:
                warnings.append(Sentence("warn_no_score", {"title": code, "unit": unit}))
    return warnings


@YEAR.guard("runoff_needed")
def runoff_needed(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    return None if ctx.instance.data.get("runoff") else Refusal("no_tie")


@YEAR.guard("no_runoff_pending")
def no_runoff_pending(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    tied = ctx.instance.data.get("runoff") or {}
    return None if not tied else Refusal("runoff_pending", {"titles": sorted(tied)})


@YEAR.effect("start_runoff")
def start_runoff(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """A new round among the tied only; titles already decided keep their winners."""
    data = ctx.instance.data
    data["round"] = int(data["round"]) + 1
    data["candidates"] = {code: tied for code, tied in data["runoff"].items()}
    data["runoff"] = {}
    ctx.notes.append(f"runoff round {data['round']}: {data['candidates']}")
