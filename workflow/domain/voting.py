"""Counting a vote (kiểm phiếu): per title, who is carried under the rule, who wins within the
cap, and what to do with a tie — a runoff among the tied, then the final score rank."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

Decide = Callable[[int], tuple[bool, str]]  # yes votes -> carried?, the arithmetic in words


@dataclass(frozen=True, slots=True)
class CandidateResult:
    candidate: int
    yes: int
    carried: bool  # met the threshold (and quorum) of the rule
    elected: bool  # carried and within the cap
    reason: str


@dataclass(frozen=True, slots=True)
class TitleResult:
    title: str
    candidates: tuple[CandidateResult, ...]
    winners: tuple[int, ...]
    runoff: tuple[int, ...]  # tied at the cap: a new round among them decides
    note: str


def count_votes(ballots: Iterable[Mapping[str, Sequence[int]]], title: str) -> Counter[int]:
    votes: Counter[int] = Counter()
    for choices in ballots:
        votes.update(set(choices.get(title, ())))
    return votes


def decide_title(
    title: str, candidates: Sequence[int], votes: Mapping[int, int], decide: Decide,
    cap: int | None, *, runoff_round: bool = False, rank: Mapping[int, int] | None = None,
) -> TitleResult:
    """The result of one title: everyone carried wins, unless more are carried than the cap
    allows; then the most votes win, and a tie at the last seat goes to a runoff — or, in a
    runoff that ties again, to the better final score rank."""
    judged = [(c, votes.get(c, 0), *decide(votes.get(c, 0))) for c in candidates]
    carried = sorted(((c, yes) for c, yes, ok, _ in judged if ok), key=lambda p: -p[1])
    winners, runoff, note = _within_cap(carried, cap, runoff_round, rank or {})
    results = tuple(
        CandidateResult(c, yes, ok, c in winners, reason + _cap_reason(c, ok, winners, runoff))
        for c, yes, ok, reason in judged
    )
    return TitleResult(title, results, tuple(winners), tuple(runoff), note)


def _within_cap(
    carried: list[tuple[int, int]], cap: int | None, runoff_round: bool, rank: Mapping[int, int]
) -> tuple[list[int], list[int], str]:
    if cap is None or len(carried) <= cap:
        return [c for c, _ in carried], [], ""
    boundary = carried[cap - 1][1]
    above = [c for c, yes in carried if yes > boundary]
    tied = [c for c, yes in carried if yes == boundary]
    seats = cap - len(above)
    if len(tied) <= seats:
        return above + tied, [], ""
    if not runoff_round:
        return above, tied, (f"{len(tied)} candidates tied with {boundary} votes for "
                             f"{seats} place(s): a runoff among them decides")
    unranked = [c for c in tied if c not in rank]
    if unranked:
        return above, tied, ("tied again in the runoff, and the final score rank is unknown "
                             f"for {', '.join(map(str, unranked))}")
    best = sorted(tied, key=lambda c: rank[c])[:seats]
    return above + best, [], (f"tied again with {boundary} votes: the final score rank "
                              "decides (" + ", ".join(f"{c}: rank {rank[c]}" for c in tied) + ")")


def _cap_reason(candidate: int, carried: bool, winners: list[int], runoff: list[int]) -> str:
    if not carried or candidate in winners:
        return ""
    if candidate in runoff:
        return "; tied at the cap, goes to a runoff"
    return "; carried, but the cap is filled by candidates with more votes"
