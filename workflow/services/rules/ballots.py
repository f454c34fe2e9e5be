"""Rules of the sealed ballot box: opening only once every committee member holds their share,
a re-run with a recorded reason when the committee cannot gather k shares, a counted paper
tally entered instead of electronic ballots, and the counting key forgotten after the count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.domain.refusals import Refusal
from workflow.engine.registry import CallContext
from workflow.services import ballot_box as bbox
from workflow.services.rules.base import YEAR, port


def _box(ctx: CallContext) -> bbox.BallotBoxPort:
    return bbox.port(port(ctx))


@YEAR.guard("committee_ready")
def committee_ready(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """A vote with a counting committee opens once every member has collected their share:
    from then on the server holds no share while ballots are in the box."""
    committee = bbox.committee_of(ctx.instance)
    if committee is None:
        return None
    box = _box(ctx)
    if box.counting_key(ctx.instance.id) is None:
        return Refusal("box_not_ready")
    waiting = box.shares(ctx.instance.id, bbox.DEALT)
    if waiting:
        return Refusal("shares_not_collected", {"count": len(waiting),
                                                "members": len(committee.members)})
    return None


@YEAR.effect("prepare_ballot_box")
def prepare_ballot_box(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """A secret vote's ballots go into the sealed box; without a committee the server keeps
    the counting key (and counts at the close)."""
    data = ctx.instance.data
    if not data.get("secret", True) or data.get("sealed_box"):
        return
    data["sealed_box"] = True
    if _box(ctx).counting_key(ctx.instance.id) is None:
        bbox.deal_key(_box(ctx), ctx.instance.id, bbox.committee_of(ctx.instance))
    ctx.notes.append("ballots are sealed")


@YEAR.guard("count_not_opened")
def count_not_opened(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """A re-run replaces a round nobody could count; a counted round stands."""
    if bbox.sealed(ctx.instance) and bbox.opened(_box(ctx), ctx.instance) is not None:
        return Refusal("count_done")
    return None


@YEAR.effect("discard_round")
def discard_round(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """The round's ballots and who voted in it are deleted, the reason recorded, and a new
    counting key dealt to the committee (its members collect their new shares before the
    vote opens again)."""
    data = ctx.instance.data
    round_ = int(data.get("round", 1))
    box = _box(ctx)
    box.delete_round(ctx.instance.id, round_, participation=True)
    data.setdefault("reruns", []).append({
        "round": round_, "reason": str(ctx.payload.get("comment") or ""),
        "at": ctx.now.isoformat()})
    data.pop("sealed_round", None)
    if bbox.sealed(ctx.instance):
        bbox.deal_key(box, ctx.instance.id, bbox.committee_of(ctx.instance))
    ctx.notes.append(f"round {round_} discarded, to be voted again")


def _paper(ctx: CallContext) -> Mapping[str, Any] | None:
    found = ctx.payload.get("paper_tally")
    return found if isinstance(found, Mapping) else None


@YEAR.guard("paper_tally_valid")
def paper_tally_valid(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """A paper tally replaces electronic ballots (none cast in the round): ballots counted
    at most the eligible voters, blank ones and each candidate's votes at most the ballots,
    every candidate of the round given."""
    paper = _paper(ctx)
    if paper is None:
        return None  # the engine's check of the required field asks for it
    data = ctx.instance.data
    round_ = int(data.get("round", 1))
    if bbox.sealed(ctx.instance) and _box(ctx).sealed_count(ctx.instance.id, round_):
        return Refusal("paper_after_electronic")
    try:
        ballots, blank = int(paper["ballots"]), int(paper["blank"])
        votes = {str(t): {int(c): int(n) for c, n in v.items()}
                 for t, v in paper["votes"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        return Refusal("paper_tally_incomplete")
    eligible = len(data.get("eligible") or ())
    candidates = {t: {int(c) for c in cs} for t, cs in data["candidates"].items()}
    if not 0 <= ballots <= eligible or not 0 <= blank <= ballots:
        return Refusal("paper_tally_ballots", {"eligible": eligible})
    if {t: set(v) for t, v in votes.items()} != candidates:
        return Refusal("paper_tally_incomplete")
    if any(not 0 <= n <= ballots - blank for v in votes.values() for n in v.values()):
        return Refusal("paper_tally_votes")
    return None


@YEAR.effect("record_paper_tally")
def record_paper_tally(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """The committee's counted paper tally stands for the round (checked by the guard)."""
    paper = _paper(ctx)
    assert paper is not None
    data = ctx.instance.data
    round_ = int(data.get("round", 1))
    data.setdefault("paper_tally", {})[str(round_)] = {
        "votes": {str(t): {str(c): int(n) for c, n in v.items()}
                  for t, v in paper["votes"].items()},
        "ballots": int(paper["ballots"]), "blank": int(paper["blank"])}
    data["sealed_round"] = round_
    data.setdefault("ballots_cast", {})[str(round_)] = int(paper["ballots"])
    ctx.notes.append(f"paper tally of round {round_}: {int(paper['ballots'])} ballots")


@YEAR.effect("forget_counting_key")
def forget_counting_key(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """After the last count (or a cancellation) the sealed private key is deleted: no set of
    shares opens anything any more."""
    box = _box(ctx)
    if box.counting_key(ctx.instance.id) is not None:
        box.forget_private_key(ctx.instance.id)
