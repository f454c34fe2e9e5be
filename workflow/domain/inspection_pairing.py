"""Cross-inspection pairing (kiểm tra chéo) for the member units of an emulation cluster.

Every member unit leads exactly one inspection and is inspected by exactly one other member.
An assignment is a permutation of the units with no fixed point (no unit inspects itself) and
no 2-cycle (no two units inspect each other), i.e. a derangement whose cycles all have length
three or more. Such an assignment exists for every cluster of three or more units.

Among the valid assignments, `propose_pairs` returns one that reuses as few of last year's
pairs as possible; when none has to be reused, none is. The search builds the assignment cycle
by cycle with a seeded random choice order, and is exhaustive under a budget of repeats that
grows from a lower bound, so the first assignment found is optimal.

If last year's pairing was itself valid (each unit inspected once, no reciprocal pair), every
pair can always be avoided for three or more units: reversing last year's cycles is one way,
and this stays true when the cluster was re-formed (last year's pairs restricted to the
current members are disjoint paths and cycles, which can be reversed and joined). Repeats are
only forced by unusual histories, e.g. three units of which two inspected each other last year
(a former 2-unit cluster), or pairs gathered from more than one year.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workflow.errors import InvalidInput, WorkflowError

Pair = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Pairing:
    """A proposed cross-inspection plan for one year."""

    pairs: tuple[Pair, ...]  # (inspector_unit_id, inspected_unit_id), sorted by inspector
    repeated: tuple[Pair, ...]  # pairs that also occurred last year (empty when avoided)
    notes: tuple[str, ...]  # English sentences: repeats, ignored history, unavoidable cases


class PairingImpossible(WorkflowError):
    """No cross-inspection plan exists for the given units; the message says why."""

    code = "pairing_impossible"


def propose_pairs(
    units: Sequence[int], last_year: Iterable[Pair] = (), seed: int | None = None
) -> Pairing:
    """Propose who inspects whom this year, avoiding last year's pairs where possible.

    - `units`: the member unit ids; their order does not matter. A duplicate id raises
      `InvalidInput` naming it.
    - `last_year`: last year's (inspector, inspected) pairs. Pairs naming a unit that is no
      longer a member are ignored (and said so in the notes); so are self-pairs.
    - `seed`: makes the proposal reproducible; by default it is derived from the sorted unit
      ids. Different seeds may give different, equally good, answers.

    Fewer than two units raise `PairingImpossible`. Two units get the only possible plan,
    each inspecting the other, with a note that reciprocal inspection is unavoidable. Three
    or more units always get a plan with no self-inspection and no reciprocal pair that
    reuses the fewest possible of last year's pairs; those reused are listed in `repeated`
    and explained in `notes`.
    """
    members = _members(units)
    previous, ignored = _relevant_history(members, last_year)
    notes = [_ignored_note(ignored)] if ignored else []
    if len(members) == 2:
        return _pairing_of_two(members, previous, notes)
    rng = random.Random(_default_seed(members) if seed is None else seed)
    successor = _best_assignment(members, previous, rng)
    pairs = tuple(sorted(successor.items()))
    repeated = tuple(p for p in pairs if p in previous)
    if repeated:
        notes.extend(_repeat_notes(members, previous, repeated))
    elif previous:
        notes.append(f"None of last year's {len(previous)} pairs among the members repeat.")
    return Pairing(pairs, repeated, tuple(notes))


# --- input -------------------------------------------------------------------------------


def _members(units: Sequence[int]) -> tuple[int, ...]:
    seen: set[int] = set()
    duplicates: set[int] = set()
    for unit in units:
        (duplicates if unit in seen else seen).add(unit)
    if duplicates:
        listed = ", ".join(str(u) for u in sorted(duplicates))
        raise InvalidInput(f"units: unit ids must be unique, but {listed} appear more than once")
    members = tuple(sorted(seen))
    if len(members) < 2:
        raise PairingImpossible(
            f"a cluster of {len(members)} unit{'' if len(members) == 1 else 's'} cannot "
            "cross-inspect: each unit must be inspected by another member unit, "
            "so at least 2 units are needed (3 to avoid reciprocal inspection)"
        )
    return members


def _relevant_history(
    members: tuple[int, ...], last_year: Iterable[Pair]
) -> tuple[frozenset[Pair], tuple[Pair, ...]]:
    """Last year's pairs between two distinct current members, and those naming outsiders."""
    current = set(members)
    kept: set[Pair] = set()
    ignored: set[Pair] = set()
    for inspector, inspected in last_year:
        pair = (inspector, inspected)
        if inspector in current and inspected in current:
            if inspector != inspected:
                kept.add(pair)
        else:
            ignored.add(pair)
    return frozenset(kept), tuple(sorted(ignored))


def _default_seed(members: tuple[int, ...]) -> int:
    digest = hashlib.sha256(",".join(str(u) for u in members).encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big")


def _pairing_of_two(
    members: tuple[int, ...], previous: frozenset[Pair], notes: list[str]
) -> Pairing:
    a, b = members
    pairs = ((a, b), (b, a))
    repeated = tuple(p for p in pairs if p in previous)
    notes.append(
        f"A cluster of 2 units can only inspect each other: units {a} and {b} inspect each "
        "other, so reciprocal inspection is unavoidable."
    )
    if repeated:
        notes.append(
            f"{_count(len(repeated))} repeat last year's ({_listed(repeated)}); "
            "with 2 units there is no other choice."
        )
    return Pairing(pairs, repeated, tuple(notes))


# --- search ------------------------------------------------------------------------------


def _best_assignment(
    members: tuple[int, ...], previous: frozenset[Pair], rng: random.Random
) -> dict[int, int]:
    """A valid assignment (as inspector -> inspected) with the fewest pairs from `previous`."""
    order = list(members)
    rng.shuffle(order)
    index = {unit: i for i, unit in enumerate(order)}
    out_mask = [0] * len(order)  # out_mask[i]: bit j set when i -> j happened last year
    in_mask = [0] * len(order)  # in_mask[j]: bit i set when i -> j happened last year
    for a, b in previous:
        out_mask[index[a]] |= 1 << index[b]
        in_mask[index[b]] |= 1 << index[a]
    search = _CycleSearch(out_mask, in_mask, rng)
    for budget in range(search.root_bound(), len(order) + 1):
        found = search.run(budget)
        if found is not None:
            return {order[i]: order[j] for i, j in enumerate(found)}
    raise AssertionError("unreachable: every cluster of 3 or more units has an assignment")


class _CycleSearch:
    """Depth-first search over assignments, built one cycle at a time, within a repeat budget.

    A cycle starts at an unvisited unit and is extended unit by unit; it may close back to its
    start once it holds three or more units and leaves either no unit or three or more units
    for the next cycles. Costly moves (last year's pairs) are tried after free ones, and a
    branch is cut when its repeats plus a lower bound for the rest exceed the budget.
    """

    def __init__(self, out_mask: list[int], in_mask: list[int], rng: random.Random) -> None:
        self.n = len(out_mask)
        self.out_mask = out_mask
        self.in_mask = in_mask
        self.rng = rng
        self.successor = [-1] * self.n
        self.budget = 0

    def root_bound(self) -> int:
        everyone = (1 << self.n) - 1
        return self._bound(everyone, everyone)

    def run(self, budget: int) -> list[int] | None:
        self.budget = budget
        self.successor = [-1] * self.n
        unvisited = (1 << self.n) - 2  # unit 0 starts the first cycle
        return list(self.successor) if self._extend(0, 0, 1, unvisited, 0) else None

    def _extend(self, start: int, current: int, length: int, unvisited: int, cost: int) -> bool:
        if unvisited == 0:
            return self._close(start, current, length, cost)
        rest = self._bound(unvisited | (1 << current), unvisited | (1 << start))
        if cost + rest > self.budget:
            return False
        for target in self._candidates(start, current, length, unvisited):
            step = cost + (self.out_mask[current] >> target & 1)
            if step > self.budget:
                continue
            self.successor[current] = target
            if target == start:
                first = (unvisited & -unvisited).bit_length() - 1
                if self._extend(first, first, 1, unvisited & ~(1 << first), step):
                    return True
            elif self._extend(start, target, length + 1, unvisited & ~(1 << target), step):
                return True
        self.successor[current] = -1
        return False

    def _close(self, start: int, current: int, length: int, cost: int) -> bool:
        if length < 3 or cost + (self.out_mask[current] >> start & 1) > self.budget:
            return False
        self.successor[current] = start
        return True

    def _candidates(self, start: int, current: int, length: int, unvisited: int) -> list[int]:
        """Next units for `current`: free moves first, each group in a seeded random order."""
        options = _bits(unvisited)
        if length >= 3 and len(options) >= 3:
            options.append(start)
        free = [t for t in options if not self.out_mask[current] >> t & 1]
        costly = [t for t in options if self.out_mask[current] >> t & 1]
        self.rng.shuffle(free)
        self.rng.shuffle(costly)
        return free + costly

    def _bound(self, sources: int, targets: int) -> int:
        """Repeats still unavoidable: sources (or targets) whose every option is a repeat.

        `sources` still need someone to inspect and `targets` still need an inspector; no unit
        may be paired with itself.
        """
        stuck_sources = sum(
            1 for s in _bits(sources) if not targets & ~self.out_mask[s] & ~(1 << s)
        )
        stuck_targets = sum(
            1 for t in _bits(targets) if not sources & ~self.in_mask[t] & ~(1 << t)
        )
        return max(stuck_sources, stuck_targets)


def _bits(mask: int) -> list[int]:
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


# --- notes -------------------------------------------------------------------------------


def _repeat_notes(
    members: tuple[int, ...], previous: frozenset[Pair], repeated: tuple[Pair, ...]
) -> list[str]:
    n = len(members)
    notes = [
        f"Avoiding all of last year's pairs is impossible: every assignment of these {n} units "
        "with no self-inspection and no reciprocal pair reuses at least "
        f"{_count(len(repeated))}, so {_listed(repeated)} had to repeat."
    ]
    reciprocal = sorted((a, b) for a, b in previous if a < b and (b, a) in previous)
    if reciprocal:
        both = ", ".join(f"{a}↔{b}" for a, b in reciprocal)
        notes.append(f"Last year's pairs include both directions of {both}.")
    if n == 3:
        a, b, c = members
        notes.append(
            f"With 3 units the only valid assignments are {a}→{b}→{c}→{a} and its reverse "
            f"{a}→{c}→{b}→{a}, and last year's pairs touch both."
        )
    for unit in members:
        others = len(members) - 1
        if sum(1 for a, _ in previous if a == unit) == others:
            notes.append(f"Unit {unit} inspected every other member last year.")
        if sum(1 for _, b in previous if b == unit) == others:
            notes.append(f"Unit {unit} was inspected by every other member last year.")
    return notes


def _ignored_note(ignored: tuple[Pair, ...]) -> str:
    return (
        f"Ignored {_count(len(ignored))} from last year that involve units no longer in the "
        f"cluster: {_listed(ignored)}."
    )


def _count(k: int) -> str:
    return f"{k} pair" if k == 1 else f"{k} pairs"


def _listed(pairs: Iterable[Pair]) -> str:
    return ", ".join(f"{a}→{b}" for a, b in pairs)
