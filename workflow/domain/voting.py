"""Counting a vote (kiểm phiếu): per title, who is carried under the rule, who wins within the
cap, and what to do with a tie — a runoff among the tied, then the final score rank."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from workflow.domain.vote_text import Sentence, english

# yes votes -> carried?, the arithmetic: in English words, or as sentences of the catalogue
Decide = Callable[[int], tuple[bool, str | tuple[Sentence, ...]]]


@dataclass(frozen=True, slots=True)
class CandidateResult:
    candidate: int
    yes: int
    carried: bool  # met the threshold (and quorum) of the rule
    elected: bool  # carried and within the cap
    reason: str  # in English, for logs and machines
    sentences: tuple[Sentence, ...] = ()  # the same, for a reader in their language


@dataclass(frozen=True, slots=True)
class TitleResult:
    title: str
    candidates: tuple[CandidateResult, ...]
    winners: tuple[int, ...]
    runoff: tuple[int, ...]  # tied at the cap: a new round among them decides
    note: str
    note_sentence: Sentence | None = None


def _because(found: str | tuple[Sentence, ...]) -> tuple[str, tuple[Sentence, ...]]:
    if isinstance(found, str):
        return found, ()
    return english(found), found


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
    judged = [(c, votes.get(c, 0), ok, *_because(why))
              for c in candidates for ok, why in [decide(votes.get(c, 0))]]
    carried = sorted(((c, yes) for c, yes, ok, _, _ in judged if ok), key=lambda p: -p[1])
    winners, runoff, note = _within_cap(carried, cap, runoff_round, rank or {})
    results = []
    for c, yes, ok, reason, sentences in judged:
        extra = _cap_reason(c, ok, winners, runoff)
        results.append(CandidateResult(
            c, yes, ok, c in winners, reason + (f"; {extra.english()}" if extra else ""),
            sentences + ((extra,) if extra and sentences else ())))
    return TitleResult(title, tuple(results), tuple(winners), tuple(runoff),
                       note.english() if note else "", note)


def _within_cap(
    carried: list[tuple[int, int]], cap: int | None, runoff_round: bool, rank: Mapping[int, int]
) -> tuple[list[int], list[int], Sentence | None]:
    if cap is None or len(carried) <= cap:
        return [c for c, _ in carried], [], None
    boundary = carried[cap - 1][1]
    above = [c for c, yes in carried if yes > boundary]
    tied = [c for c, yes in carried if yes == boundary]
    seats = cap - len(above)
    if len(tied) <= seats:
        return above + tied, [], None
    if not runoff_round:
        return above, tied, Sentence("tie_runoff", {"count": len(tied), "votes": boundary,
                                                    "seats": seats})
    unranked = [c for c in tied if c not in rank]
    if unranked:
        return above, tied, Sentence("tie_rank_unknown", {"candidates": unranked})
    best = sorted(tied, key=lambda c: rank[c])[:seats]
    return above + best, [], Sentence("tie_rank", {"votes": boundary,
                                                   "ranks": [[c, rank[c]] for c in tied]})


def _cap_reason(candidate: int, carried: bool, winners: list[int], runoff: list[int]
                ) -> Sentence | None:
    if not carried or candidate in winners:
        return None
    if candidate in runoff:
        return Sentence("cap_runoff")
    return Sentence("cap_filled")
