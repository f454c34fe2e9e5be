"""The sealed ballot box's cryptography (workflow/domain/ballot_box.py): ballots sealed one
ciphertext per slot, summed without being opened; fewer than k shares open nothing, k shares
open the sums and they match the ballots cast."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.conftest import REAL_KEY_BITS
from workflow.domain import ballot_box as bb

CANDIDATES = {"co": [3, 4, 5], "bang_khen": [4, 7]}


def test_k_shares_open_the_sums_of_the_ballots_and_fewer_open_nothing() -> None:
    key, opener = bb.new_counting_key(REAL_KEY_BITS)  # the size production uses
    shares = bb.split(opener, 3, 5)
    slots = bb.layout(CANDIDATES)
    rng = random.Random(19)
    ballots = []
    for _ in range(12):
        choices = {code: rng.sample(cs, rng.randint(0, 1)) for code, cs in CANDIDATES.items()}
        ballots.append({c: v for c, v in choices.items() if v})
    sealed = [bb.seal_ballot(key.public_n, slots, b) for b in ballots]
    totals = bb.add_up(key.public_n, sealed, len(slots))

    for fewer in (shares[:1], shares[1:3]):
        with pytest.raises(bb.WrongShares):
            bb.combine(fewer, 3)
        with pytest.raises(bb.WrongShares):  # forced through Shamir: a wrong key, refused
            bb.open_sums(key, bb.combine(fewer, len(fewer)), totals)

    opened = bb.opened_round(slots, bb.open_sums(key, bb.combine(shares[2:], 3), totals),
                             len(sealed))
    for code, cs in CANDIDATES.items():
        for c in cs:
            assert opened.votes[code][c] == sum(c in b.get(code, []) for b in ballots)
    assert opened.blank == sum(not b for b in ballots)
    assert opened.ballots == 12
    assert bb.OpenedRound.of(opened.as_data()) == opened


def test_a_ballot_is_only_ciphertexts_and_its_receipt_is_its_hash() -> None:
    key, _opener = bb.new_counting_key(REAL_KEY_BITS)
    assert key.public_n.bit_length() == REAL_KEY_BITS == 2048
    slots = bb.layout(CANDIDATES)
    one = bb.seal_ballot(key.public_n, slots, {"co": [3]})
    same = bb.seal_ballot(key.public_n, slots, {"co": [3]})
    assert one != same  # randomised: equal choices do not give equal ballots
    assert len(json.loads(one)) == len(slots) == 6
    assert {len(cell) > 900 for cell in json.loads(one)} == {True}
    assert bb.receipt(one) != bb.receipt(same)
    assert len(bb.receipt(one)) == 64


def test_a_share_is_read_as_people_type_it() -> None:
    _key, opener = bb.new_counting_key()
    share = bb.split(opener, 2, 3)[1]
    index, raw = bb.parse_share(" " + share.lower().replace("-", " -", 1) + "\n")
    assert index == 2
    assert len(raw) == 16
    for wrong in ("", "TDKP-1-xyz", "ABCD-1-" + "0" * 32, "TDKP-0-" + "0" * 32):
        with pytest.raises(ValueError, match="not a share"):
            bb.parse_share(wrong)
    with pytest.raises(ValueError, match="the threshold within it"):
        bb.split(opener, 3, 2)


def test_production_keys_have_2048_bits_and_tests_use_smaller_ones_in_process() -> None:
    """The suite makes small keys in its own process (tests/conftest.py); the product's size
    is the constant as written in the module."""
    source = (Path(bb.__file__)).read_text(encoding="utf-8")
    assert "\nKEY_BITS = 2048  #" in source
    key, _opener = bb.new_counting_key()
    assert key.public_n.bit_length() == bb.KEY_BITS == 512
