"""Cross-inspection pairing on every cluster size from 2 to 40, and over consecutive years."""

from __future__ import annotations

import pytest

from workflow.domain.inspection_pairing import PairingImpossible, propose_pairs
from workflow.errors import InvalidInput


def assert_valid(units: list[int], pairs: tuple[tuple[int, int], ...]) -> None:
    inspectors = [a for a, _ in pairs]
    inspected = [b for _, b in pairs]
    assert sorted(inspectors) == sorted(units)  # each unit leads exactly one inspection
    assert sorted(inspected) == sorted(units)  # and is inspected exactly once
    assert all(a != b for a, b in pairs)
    if len(units) > 2:
        assert not any((b, a) in set(pairs) for a, b in pairs)


@pytest.mark.parametrize("size", range(2, 41))
def test_every_cluster_size_gets_a_valid_plan(size: int) -> None:
    units = [100 + 7 * i for i in range(size)]

    pairing = propose_pairs(units)

    assert_valid(units, pairing.pairs)
    assert pairing.repeated == ()


@pytest.mark.parametrize("size", range(3, 41))
def test_five_years_in_a_row_never_repeat_last_years_pairs(size: int) -> None:
    units = list(range(1, size + 1))
    last: tuple[tuple[int, int], ...] = ()
    for year in range(2025, 2030):
        pairing = propose_pairs(units, last, seed=year)
        assert_valid(units, pairing.pairs)
        assert pairing.repeated == ()
        assert not set(pairing.pairs) & set(last)
        last = pairing.pairs


def test_two_units_must_inspect_each_other_and_are_told_so() -> None:
    pairing = propose_pairs([5, 9])

    assert set(pairing.pairs) == {(5, 9), (9, 5)}
    assert any("reciprocal" in note for note in pairing.notes)


@pytest.mark.parametrize("units", [[], [4]])
def test_fewer_than_two_units_cannot_inspect(units: list[int]) -> None:
    with pytest.raises(PairingImpossible) as err:
        propose_pairs(units)

    assert "at least 2 units are needed" in str(err.value)


def test_a_unit_listed_twice_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        propose_pairs([1, 2, 2, 3])

    assert "2 appear more than once" in str(err.value)


def test_the_same_seed_gives_the_same_plan() -> None:
    units = list(range(1, 13))

    assert propose_pairs(units, seed=3).pairs == propose_pairs(units, seed=3).pairs


def test_a_re_formed_cluster_ignores_pairs_of_units_that_left() -> None:
    last = [(1, 2), (2, 3), (3, 1), (4, 5), (5, 6), (6, 4)]  # 4, 5, 6 moved to another bloc

    pairing = propose_pairs([1, 2, 3, 7, 8], last)

    assert_valid([1, 2, 3, 7, 8], pairing.pairs)
    assert not set(pairing.pairs) & {(1, 2), (2, 3), (3, 1)}
    assert any("ignored" in note.lower() for note in pairing.notes)


def test_three_units_reverse_last_years_cycle() -> None:
    pairing = propose_pairs([1, 2, 3], [(1, 2), (2, 3), (3, 1)])

    assert set(pairing.pairs) == {(2, 1), (3, 2), (1, 3)}


def test_a_forced_repeat_is_listed_and_explained() -> None:
    # three units, two of which inspected each other last year: with no reciprocal pair
    # allowed now, the only plans are the two 3-cycles, and each reuses one of those pairs
    pairing = propose_pairs([1, 2, 3], [(1, 2), (2, 1)])

    assert_valid([1, 2, 3], pairing.pairs)
    assert len(pairing.repeated) == 1
    assert pairing.notes
