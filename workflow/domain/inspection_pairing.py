"""Cross-inspection pairing (kiểm tra chéo) for the member units of an emulation cluster.

Every member unit leads exactly one inspection and is inspected by exactly one other member.
An assignment is a permutation of the units with no fixed point (no unit inspects itself) and
no 2-cycle (no two units inspect each other), i.e. a derangement whose cycles all have length
three or more. Such an assignment exists for every cluster of three or more units.

Among the valid assignments, `propose_pairs` returns one that reuses as few of last year's
pairs as possible; when none has to be reused, none is. The search is an exact branch and
bound (see `_Search`) run under a budget of repeats that grows from a lower bound, so the first
assignment found is optimal; choices are tried in a seeded random order.

When each unit led at most one and received at most one of last year's inspections among the
current members (the normal case, also after the cluster was re-formed), every pair can be
avoided for four or more units, and for three units too unless two of them inspected each
other last year (a former 2-unit cluster). If last year's pairing was valid, its reverse is
one such answer. Other repeats come only from unusual histories, e.g. pairs gathered from
several years, where a unit may have inspected every other member already. Normal histories
take milliseconds for 40 units; for arbitrary histories the problem is NP-hard in general, but
the bounds keep even dense random ones of 40 units well under a second.
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
    everyone = (1 << len(order)) - 1
    new_out = [everyone & ~(1 << i) for i in range(len(order))]  # bit j: i -> j is new
    new_in = list(new_out)  # bit i of new_in[j]: i -> j is new
    for a, b in previous:
        new_out[index[a]] &= ~(1 << index[b])
        new_in[index[b]] &= ~(1 << index[a])
    search = _Search(new_out, new_in, rng)
    for budget in range(search.root_bound(), len(order) + 1):
        if search.run(budget):
            return {order[i]: order[j] for i, j in enumerate(search.assignment())}
    raise AssertionError("unreachable: every cluster of 3 or more units has an assignment")


class _Search:
    """Exhaustive depth-first search for an assignment with at most `budget` repeats.

    Each unit either gets a new (non-repeat) pair or is marked to repeat. New pairs form paths
    and cycles; a cycle needs three or more units and must leave none or three or more units
    outside closed cycles. The units off closed cycles are finally joined into one cycle by
    one pair per path, the only pairs that may repeat, so the repeats are the number of paths.
    Which repeat pair to use is thus never a branch. The unit with the fewest new options is
    placed first, its options in a seeded random order before marking it, and a branch is cut
    when a lower bound on its final repeats exceeds the budget. Units are bits of an int.
    """

    def __init__(self, new_out: list[int], new_in: list[int], rng: random.Random) -> None:
        self.n = len(new_out)
        self.new_out = new_out
        self.new_in = new_in
        self.rng = rng
        self.budget = 0
        self.reset()

    def reset(self) -> None:
        self.successor = [-1] * self.n  # -1: no new pair (yet)
        self.head = list(range(self.n))  # head[t]: first unit of the path whose last is t
        self.tail = list(range(self.n))  # tail[h]: last unit of the path whose first is h
        self.size = [1] * self.n  # size[h]: units on the path whose first is h
        self.sources = (1 << self.n) - 1  # units not yet given a pair nor marked to repeat
        self.targets = (1 << self.n) - 1  # units nobody has a new pair to yet (path starts)
        self.open_units = self.n  # units not on a closed cycle

    def run(self, budget: int) -> bool:
        self.budget = budget
        self.reset()
        return self._place(0, {})

    def _place(self, cost: int, matched: dict[int, int]) -> bool:
        if not self.sources:
            return True
        new = {s: self._options(s) for s in _bits(self.sources)}
        matched = _max_matching(new, matched)
        if self._bound(cost, new, matched) > self.budget:
            return False
        source = min(new, key=lambda s: new[s].bit_count())
        options = _bits(new[source])
        self.rng.shuffle(options)
        for target in options:
            closed = self._join(source, target)
            if self._place(cost, matched):
                return True
            self._split(source, target, closed)
        if cost < self.budget:
            self.sources &= ~(1 << source)
            if self._place(cost + 1, matched):
                return True
            self.sources |= 1 << source
        return False

    def _options(self, source: int) -> int:
        """Units `source` may still be newly paired with."""
        mask = self.targets & self.new_out[source]
        first = self.head[source]
        if first != source and self._cannot_close(first):
            mask &= ~(1 << first)
        return mask

    def _cannot_close(self, first: int) -> bool:
        size = self.size[first]
        return size < 3 or self.open_units - size in (1, 2)

    def root_bound(self) -> int:
        new = {s: self._options(s) for s in _bits(self.sources)}
        return self._bound(0, new, _max_matching(new, {}))

    def _bound(self, cost: int, new: dict[int, int], matched: dict[int, int]) -> int:
        """A lower bound on the final repeats of any completion of the current branch.

        Units left without a new pair in a maximum matching, units with no new partner or
        with a sole new partner whose sole new partner they are, and path starts that no
        new pair can reach, each force a repeat.
        """
        into: dict[int, int] = {}
        for target in _bits(self.targets):
            mask = self.sources & self.new_in[target]
            last = self.tail[target]
            if last != target and self._cannot_close(target):
                mask &= ~(1 << last)
            into[target] = mask
        unmatched = len(new) - len(matched)
        return max(cost + unmatched, cost + _unavoidable(new), _unavoidable(into))

    def _join(self, source: int, target: int) -> bool:
        self.successor[source] = target
        self.sources &= ~(1 << source)
        self.targets &= ~(1 << target)
        first = self.head[source]
        if first == target:
            self.open_units -= self.size[first]
            return True
        last = self.tail[target]
        self.head[last] = first
        self.tail[first] = last
        self.size[first] += self.size[target]
        return False

    def _split(self, source: int, target: int, closed: bool) -> None:
        self.successor[source] = -1
        self.sources |= 1 << source
        self.targets |= 1 << target
        if closed:
            self.open_units += self.size[target]
            return
        first = self.head[self.tail[target]]
        self.head[self.tail[target]] = target
        self.tail[first] = source
        self.size[first] -= self.size[target]

    def assignment(self) -> list[int]:
        """The found pairs, with the paths joined into one cycle in a seeded random order."""
        successor = list(self.successor)
        starts = _bits(self.targets)
        self.rng.shuffle(starts)
        for i, first in enumerate(starts):
            successor[self.tail[first]] = starts[(i + 1) % len(starts)]
        return successor


def _unavoidable(new: dict[int, int]) -> int:
    """Repeats that no completion avoids, given each unit's remaining new partners.

    A unit with no new partner left must repeat; so must one of two units whose only new
    partners are each other (using both would make them inspect each other).
    """
    stuck = sum(1 for mask in new.values() if not mask)
    pairs = sum(
        1 for unit, mask in new.items()
        if mask.bit_count() == 1 and (other := mask.bit_length() - 1) > unit
        and new.get(other) == 1 << unit
    )
    return stuck + pairs


def _max_matching(new: dict[int, int], previous: dict[int, int]) -> dict[int, int]:
    """A maximum matching (target -> source) of units to new partners, grown from `previous`."""
    matched = {t: s for t, s in previous.items() if s in new and new[s] >> t & 1}
    done = set(matched.values())
    for source in new:
        if source not in done:
            _augment(source, new, matched, [0])
    return matched


def _augment(source: int, new: dict[int, int], matched: dict[int, int], seen: list[int]) -> bool:
    for target in _bits(new[source]):
        if seen[0] >> target & 1:
            continue
        seen[0] |= 1 << target
        if target not in matched or _augment(matched[target], new, matched, seen):
            matched[target] = source
            return True
    return False


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
