"""The sealed ballot box (hòm phiếu niêm phong): ballots stored only encrypted, counted without
ever being decrypted one by one.

Each ballot is one Paillier ciphertext per slot: a slot per (title, candidate) of the round,
1 if chosen else 0, and a last slot, 1 for a blank ballot. Paillier is additively
homomorphic: the product of the ciphertexts of a slot encrypts the sum of its plaintexts, so
the count decrypts only the sums. Paillier comes from `phe` (python-paillier), its private key
is sealed with AES-GCM under a random 16-byte key, and that key is split k of n among the
vote-counting committee with Shamir's scheme (pycryptodome); with fewer than k shares the
combined key is wrong and the GCM tag refuses it: nothing is decrypted.

Only these libraries' primitives are used; nothing here is a home-made cipher.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from Crypto.Cipher import AES
from Crypto.Protocol.SecretSharing import Shamir
from phe import paillier

KEY_BITS = 2048  # Paillier modulus: 112-bit security (NIST SP 800-57), like RSA-2048
BLANK = ("", 0)  # the blank-ballot slot, last of every layout
SHARE_PREFIX = "TDKP"  # how a printed share starts: TDKP-<index>-<32 hex digits>


class WrongShares(Exception):
    """The shares given do not open the counting key (too few, or one mistyped)."""


Slot = tuple[str, int]


def layout(candidates: Mapping[str, Sequence[int]]) -> list[Slot]:
    """The slots of a round's ballot: each title's candidates in order, then the blank slot."""
    return [(code, int(c)) for code in sorted(candidates) for c in candidates[code]] + [BLANK]


@dataclass(frozen=True, slots=True)
class CountingKey:
    """A vote's counting key as stored: the public modulus and the private key sealed under
    the 16-byte key whose shares the committee holds (never the 16-byte key itself)."""

    public_n: int
    sealed_private: bytes  # nonce (16) | tag (16) | AES-GCM ciphertext of {"p", "q"}

    def public(self) -> paillier.PaillierPublicKey:
        return paillier.PaillierPublicKey(self.public_n)


def new_counting_key(bits: int | None = None) -> tuple[CountingKey, bytes]:
    """A fresh Paillier key pair (KEY_BITS unless told); returns the stored form and the
    16-byte key that opens it (to be split among the committee, or wrapped by the server,
    then forgotten)."""
    public, private = paillier.generate_paillier_keypair(n_length=bits or KEY_BITS)
    opener = secrets.token_bytes(16)
    return CountingKey(public.n, seal_bytes(opener, json.dumps(
        {"p": str(private.p), "q": str(private.q)}).encode())), opener


def seal_bytes(key: bytes, plain: bytes) -> bytes:
    """AES-GCM with a random nonce: nonce | tag | ciphertext."""
    cipher = AES.new(key, AES.MODE_GCM, nonce=secrets.token_bytes(16))
    body, tag = cipher.encrypt_and_digest(plain)
    return bytes(cipher.nonce) + tag + body


def open_bytes(key: bytes, sealed: bytes) -> bytes:
    """The plain bytes, or WrongShares when the key is not the one they were sealed with."""
    cipher = AES.new(key, AES.MODE_GCM, nonce=sealed[:16])
    try:
        return bytes(cipher.decrypt_and_verify(sealed[32:], sealed[16:32]))
    except ValueError as exc:
        raise WrongShares("the key does not open this seal") from exc


# --- shares ----------------------------------------------------------------------------------


def split(opener: bytes, threshold: int, members: int) -> list[str]:
    """The opener split k of n, each share written as people copy it: TDKP-<i>-<hex>."""
    if not 1 <= threshold <= members <= 255:
        raise ValueError("a committee of 1 to 255 members, the threshold within it")
    return [f"{SHARE_PREFIX}-{index}-{share.hex()}"
            for index, share in Shamir.split(threshold, members, opener)]


def parse_share(text: str) -> tuple[int, bytes]:
    """A share as typed or pasted (spaces, case and line breaks forgiven); ValueError if it
    is not one."""
    cleaned = "".join(text.split()).upper().replace("TDKP", SHARE_PREFIX, 1)
    parts = cleaned.split("-")
    if len(parts) != 3 or parts[0] != SHARE_PREFIX or not parts[1].isdigit():
        raise ValueError("not a share: it reads TDKP-<number>-<32 hexadecimal digits>")
    index, digits = int(parts[1]), parts[2].lower()
    if not 1 <= index <= 255 or len(digits) != 32:
        raise ValueError("not a share: it reads TDKP-<number>-<32 hexadecimal digits>")
    try:
        return index, bytes.fromhex(digits)
    except ValueError as exc:
        raise ValueError("not a share: only the digits 0-9 and letters A-F") from exc


def combine(shares: Sequence[str], threshold: int) -> bytes:
    """The opener from at least `threshold` shares; WrongShares with fewer."""
    parsed = {index: raw for index, raw in map(parse_share, shares)}
    if len(parsed) < threshold:
        raise WrongShares(f"{len(parsed)} of the {threshold} shares needed")
    return bytes(Shamir.combine(sorted(parsed.items())[:threshold]))


def private_key(key: CountingKey, opener: bytes) -> paillier.PaillierPrivateKey:
    primes = json.loads(open_bytes(opener, key.sealed_private))
    return paillier.PaillierPrivateKey(key.public(), int(primes["p"]), int(primes["q"]))


# --- ballots -------------------------------------------------------------------------------


def seal_ballot(public_n: int, slots: Sequence[Slot], choices: Mapping[str, Sequence[int]]
                ) -> str:
    """One ballot as stored: the ciphertext of each slot (hex), in the layout's order. The
    choices must have been checked (candidates, caps) before."""
    public = paillier.PaillierPublicKey(public_n)
    chosen = {(code, int(c)) for code, picked in choices.items() for c in picked}
    blank = not chosen
    values = [int(slot in chosen) if slot != BLANK else int(blank) for slot in slots]
    return json.dumps([format(public.encrypt(v).ciphertext(), "x") for v in values])


def receipt(sealed: str) -> str:
    """The voter's receipt: the SHA-256 of their sealed ballot as stored. It proves the
    ballot is in the box and says nothing about what it holds."""
    return hashlib.sha256(sealed.encode("ascii")).hexdigest()


def add_up(public_n: int, sealed: Sequence[str], width: int) -> list[int]:
    """The ciphertext of each slot's sum (the product of the ballots' ciphertexts); anyone
    holding the public list can recompute it."""
    public = paillier.PaillierPublicKey(public_n)
    totals = [public.encrypt(0, r_value=1) for _ in range(width)]  # 0 with no randomness
    for ballot in sealed:
        cells = json.loads(ballot)
        if len(cells) != width:
            raise ValueError("a ballot of another round's layout")
        totals = [t + paillier.EncryptedNumber(public, int(c, 16)) for t, c in zip(
            totals, cells, strict=True)]
    return [t.ciphertext(be_secure=False) for t in totals]


def open_sums(key: CountingKey, opener: bytes, sums: Sequence[int]) -> list[int]:
    """Decrypt the sums (and only them); the private key lives in this call only."""
    private = private_key(key, opener)
    public = key.public()
    return [int(private.decrypt(paillier.EncryptedNumber(public, s))) for s in sums]


@dataclass(frozen=True, slots=True)
class OpenedRound:
    """What the count of a round reads: yes votes per title and candidate, ballots, blanks."""

    votes: dict[str, dict[int, int]]
    ballots: int
    blank: int

    def as_data(self) -> dict[str, object]:
        return {"votes": {t: {str(c): n for c, n in v.items()} for t, v in self.votes.items()},
                "ballots": self.ballots, "blank": self.blank}

    @classmethod
    def of(cls, data: Mapping[str, object]) -> OpenedRound:
        votes = data["votes"]
        assert isinstance(votes, Mapping)
        return cls({str(t): {int(c): int(n) for c, n in v.items()} for t, v in votes.items()},
                   int(str(data["ballots"])), int(str(data["blank"])))


def opened_round(slots: Sequence[Slot], totals: Sequence[int], ballots: int) -> OpenedRound:
    votes: dict[str, dict[int, int]] = {}
    blank = 0
    for slot, total in zip(slots, totals, strict=True):
        if slot == BLANK:
            blank = total
        else:
            votes.setdefault(slot[0], {})[slot[1]] = total
    return OpenedRound(votes, ballots, blank)
