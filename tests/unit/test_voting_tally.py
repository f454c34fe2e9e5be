"""Counting one title: the rule decides who is carried, the cap who wins, a tie at the cap
goes to a runoff, and a runoff that ties again is settled by the final score rank."""

from __future__ import annotations

from fractions import Fraction

from workflow.domain.rulesets import passes
from workflow.domain.voting import count_votes, decide_title


def more_than_half_of(members: int):  # type: ignore[no-untyped-def]
    return lambda yes: passes(yes, members, members, Fraction(1, 2), "all_members", True)


def test_votes_are_counted_once_per_ballot_and_title() -> None:
    box = [{"flag": [1]}, {"flag": [1, 1]}, {"flag": [2]}, {}, {"other": [1]}]

    assert count_votes(box, "flag") == {1: 2, 2: 1}


def test_everyone_carried_wins_when_there_is_no_cap() -> None:
    result = decide_title("x", [1, 2, 3], {1: 6, 2: 5, 3: 2}, more_than_half_of(9), None)

    assert result.winners == (1, 2)
    assert [r.carried for r in result.candidates] == [True, True, False]


def test_the_cap_keeps_the_most_voted() -> None:
    result = decide_title("x", [1, 2], {1: 7, 2: 6}, more_than_half_of(9), 1)

    assert result.winners == (1,)
    assert "cap is filled" in result.candidates[1].reason


def test_a_tie_at_the_cap_goes_to_a_runoff() -> None:
    result = decide_title("x", [1, 2, 3], {1: 6, 2: 6, 3: 1}, more_than_half_of(9), 1)

    assert result.winners == ()
    assert result.runoff == (1, 2)
    assert "a runoff among them decides" in result.note
    assert "goes to a runoff" in result.candidates[0].reason


def test_a_runoff_tied_again_is_settled_by_the_final_score_rank() -> None:
    result = decide_title("x", [1, 2], {1: 6, 2: 6}, more_than_half_of(9), 1,
                          runoff_round=True, rank={1: 4, 2: 2})

    assert result.winners == (2,)
    assert "the final score rank decides" in result.note


def test_a_runoff_tie_without_ranks_elects_nobody() -> None:
    result = decide_title("x", [1, 2], {1: 6, 2: 6}, more_than_half_of(9), 1,
                          runoff_round=True, rank={})

    assert result.winners == ()
    assert "rank is unknown" in result.note


def test_nobody_carried_means_no_winner_even_with_seats_left() -> None:
    result = decide_title("x", [1, 2], {1: 4, 2: 4}, more_than_half_of(8), 1)

    assert result.winners == ()
    assert result.runoff == ()
