"""The sealed ballot box as people use it: the counting key dealt to the vote-counting
committee (ban kiểm phiếu) when the vote is scheduled, each member collecting their share once,
ballots sealed as they are cast, and at the count the members releasing their shares until k
are in: then the server opens the key in memory, decrypts only the sums and forgets the key.

See workflow/domain/ballot_box.py for the cryptography and README.md (secret ballots) for who
can learn what."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from workflow.domain import ballot_box as bb
from workflow.domain.refusals import Refusal
from workflow.domain.roles import SYSTEM_ACTOR, Actor
from workflow.engine.instance import Instance
from workflow.engine.registry import InstanceView
from workflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services.workflows import Fired, Workflows

DEALT, RELEASED = "dealt", "released"


class BallotBoxPort(Protocol):
    """What the box uses of the engine's write transaction (adapters/ballot_store.py)."""

    ballot_key: bytes

    def add_sealed_ballot(self, session_id: int, round_: int, sealed: str,
                          receipt: str) -> None: ...
    def sealed_ballots(self, session_id: int, round_: int) -> list[tuple[str, str]]: ...
    def sealed_count(self, session_id: int, round_: int) -> int: ...
    def shuffle_sealed(self, session_id: int, round_: int) -> int: ...
    def delete_round(self, session_id: int, round_: int, *, participation: bool) -> None: ...
    def counting_key(self, session_id: int) -> dict[str, Any] | None: ...
    def put_counting_key(self, values: Mapping[str, Any]) -> None: ...
    def set_opened(self, session_id: int, opened: Mapping[str, Any]) -> None: ...
    def forget_private_key(self, session_id: int) -> None: ...
    def put_share(self, session_id: int, user_id: int, kind: str, wrapped: str) -> None: ...
    def shares(self, session_id: int, kind: str) -> dict[int, str]: ...
    def delete_shares(self, session_id: int, kind: str | None,
                      user_id: int | None = None) -> None: ...


def port(tx: object) -> BallotBoxPort:
    return cast(BallotBoxPort, tx)


@dataclass(frozen=True, slots=True)
class Committee:
    """The vote-counting committee named when the vote is scheduled: k of its n members
    open the count."""

    members: tuple[int, ...]  # user ids
    threshold: int

    def as_data(self) -> dict[str, Any]:
        return {"members": list(self.members), "threshold": self.threshold}

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Committee | None:
        if not data:
            return None
        return cls(tuple(int(m) for m in data["members"]), int(data["threshold"]))

    def check(self) -> None:
        if len(set(self.members)) != len(self.members):
            raise Conflict("committee: name each member once")
        if len(self.members) < 2:
            raise Conflict("committee: name at least two members, so that no one alone "
                           "can open the count")
        if not 2 <= self.threshold <= len(self.members):
            raise Conflict(f"committee.threshold: between 2 and {len(self.members)} (the "
                           "members needed to open the count)")


def committee_of(session: InstanceView) -> Committee | None:
    return Committee.of(session.data.get("committee"))


def sealed(session: InstanceView) -> bool:
    """Whether the session's ballots go into the sealed box (every secret vote opened since
    the box exists; an open vote, or one opened before, keeps its plain ballots)."""
    return bool(session.data.get("sealed_box"))


# --- the key -------------------------------------------------------------------------------


def _wrap(tx: BallotBoxPort, session_id: int, raw: bytes) -> str:
    return bb.seal_bytes(tx.ballot_key, f"{session_id}:".encode() + raw).hex()


def _unwrap(tx: BallotBoxPort, session_id: int, wrapped: str) -> bytes:
    plain = bb.open_bytes(tx.ballot_key, bytes.fromhex(wrapped))
    prefix = f"{session_id}:".encode()
    if not plain.startswith(prefix):
        raise bb.WrongShares("a share of another vote")
    return plain[len(prefix):]


def deal_key(tx: BallotBoxPort, session_id: int, committee: Committee | None) -> None:
    """A new counting key for the session: split among the committee, each share waiting
    (wrapped under the installation's key) until its member collects it; or, without a
    committee, its opener wrapped by the server (which then counts on its own)."""
    key, opener = bb.new_counting_key()
    values: dict[str, Any] = {"session_id": session_id, "public_n": str(key.public_n),
                              "sealed_private": key.sealed_private.hex(), "opened": {}}
    tx.delete_shares(session_id, None)
    if committee is None:
        values.update(threshold=0, committee=[], server_opener=_wrap(tx, session_id, opener))
    else:
        values.update(threshold=committee.threshold, committee=list(committee.members),
                      server_opener=None)
        shares = bb.split(opener, committee.threshold, len(committee.members))
        for member, share in zip(committee.members, shares, strict=True):
            tx.put_share(session_id, member, DEALT, _wrap(tx, session_id, share.encode()))
    tx.put_counting_key(values)


def stored_key(tx: BallotBoxPort, session_id: int) -> bb.CountingKey:
    row = tx.counting_key(session_id)
    if row is None or not row["sealed_private"]:
        raise TransitionNotAllowed("status", "this vote's counting key is gone",
                                   Refusal("counting_key_gone"))
    return bb.CountingKey(int(row["public_n"]), bytes.fromhex(str(row["sealed_private"])))


def seal(tx: BallotBoxPort, session: InstanceView, choices: Mapping[str, Sequence[int]]) -> str:
    """Seal checked choices into the box; returns the voter's receipt. The plain choices are
    not written anywhere."""
    row = tx.counting_key(session.id)
    if row is None:
        raise TransitionNotAllowed("status", "the ballot box is not ready",
                                   Refusal("box_not_ready"))
    slots = bb.layout(session.data["candidates"])
    ballot = bb.seal_ballot(int(row["public_n"]), slots, choices)
    receipt = bb.receipt(ballot)
    tx.add_sealed_ballot(session.id, int(session.data["round"]), ballot, receipt)
    return receipt


def open_round(tx: BallotBoxPort, session: InstanceView, opener: bytes) -> bb.OpenedRound:
    """Add up the round's sealed ballots, decrypt the sums only, record them."""
    round_ = int(session.data["round"])
    slots = bb.layout(session.data["candidates"])
    key = stored_key(tx, session.id)
    box = [s for s, _ in tx.sealed_ballots(session.id, round_)]
    totals = bb.open_sums(key, opener, bb.add_up(key.public_n, box, len(slots)))
    found = bb.opened_round(slots, totals, len(box))
    row = tx.counting_key(session.id) or {}
    tx.set_opened(session.id, {**(row.get("opened") or {}), str(round_): found.as_data()})
    return found


def open_with_server(tx: BallotBoxPort, session: InstanceView) -> bool:
    """Without a committee the server opens the count at the close; False if it may not."""
    row = tx.counting_key(session.id)
    if row is None or not row.get("server_opener"):
        return False
    open_round(tx, session, _unwrap(tx, session.id, str(row["server_opener"])))
    return True


def opened(tx: BallotBoxPort, session: InstanceView) -> bb.OpenedRound | None:
    row = tx.counting_key(session.id)
    found = ((row or {}).get("opened") or {}).get(str(session.data.get("round")))
    return bb.OpenedRound.of(found) if found else None


# --- the committee -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommitteeStatus:
    """What a vote's page says of its committee (never a share)."""

    members: tuple[int, ...]
    threshold: int
    waiting_to_collect: tuple[int, ...]  # members who have not collected their share
    released: tuple[int, ...]  # members who released theirs for the count now under way
    counted: bool  # the round now under way is counted


def status(workflows: Workflows, session: Instance) -> CommitteeStatus | None:
    committee = committee_of(session)
    if committee is None:
        return None
    with workflows.store.read() as tx:
        box = port(tx)
        dealt = box.shares(session.id, DEALT)
        released = box.shares(session.id, RELEASED)
        done = opened(box, session) is not None
    return CommitteeStatus(committee.members, committee.threshold,
                           tuple(m for m in committee.members if m in dealt),
                           tuple(m for m in committee.members if m in released), done)


def _member(session: Instance, actor: Actor) -> Committee:
    committee = committee_of(session)
    if committee is None or actor.user_id not in committee.members:
        raise PermissionDenied("only a member of this vote's counting committee holds a share")
    return committee


def collect_share(workflows: Workflows, session_id: int, actor: Actor) -> str:
    """The member's share, handed out once: the server's copy is deleted as it is read."""
    with workflows.store.write() as tx:
        session = _session(tx, session_id)
        _member(session, actor)
        box = port(tx)
        assert actor.user_id is not None
        wrapped = box.shares(session_id, DEALT).get(actor.user_id)
        if wrapped is None:
            raise TransitionNotAllowed("status", "you have already collected your share",
                                       Refusal("share_collected"))
        share = _unwrap(box, session_id, wrapped).decode("ascii")
        box.delete_shares(session_id, DEALT, actor.user_id)
    return share


def release_share(workflows: Workflows, session_id: int, actor: Actor, text: str
                  ) -> Fired | None:
    """A member releases their share at the count. Once k are in, the sums are decrypted and
    the votes counted (the step is returned); before, None. Shares that do not open the key
    (one mistyped) are all dropped: the members release them again."""
    try:
        bb.parse_share(text)
    except ValueError as exc:
        raise InvalidInput(f"share: {exc}") from exc
    with workflows.store.write() as tx:
        session = _session(tx, session_id)
        committee = _member(session, actor)
        if session.state != "closed" or session.data.get("sealed_round") != \
                session.data.get("round"):
            raise TransitionNotAllowed("status", "shares are released once the vote is closed",
                                       Refusal("count_not_due"))
        box = port(tx)
        if opened(box, session) is not None:
            raise TransitionNotAllowed("status", "this round is counted already",
                                       Refusal("count_done"))
        assert actor.user_id is not None
        box.put_share(session_id, actor.user_id, RELEASED,
                      _wrap(box, session_id, "".join(text.split()).upper().encode()))
        released = box.shares(session_id, RELEASED)
        if len(released) < committee.threshold:
            return None
        texts = [_unwrap(box, session_id, w).decode("ascii") for w in released.values()]
        box.delete_shares(session_id, RELEASED)
        try:
            open_round(box, session, bb.combine(texts, committee.threshold))
        except bb.WrongShares:
            wrong = True
        else:
            wrong = False
    if wrong:
        raise TransitionNotAllowed("status", "the shares released do not open the count: one "
                                   "was mistyped", Refusal("shares_do_not_open"))
    return workflows.fire(session_id, "tally", SYSTEM_ACTOR)


def receipts(workflows: Workflows, session: Instance, round_: int | None = None) -> list[str]:
    """The published list of the round's ballot receipts (hashes of the sealed ballots),
    sorted: anyone may check that a receipt is in it; it shows no choice."""
    with workflows.store.read() as tx:
        found = port(tx).sealed_ballots(session.id, round_ or int(session.data.get("round", 1)))
    return sorted(r for _, r in found)


def check_receipt(workflows: Workflows, session: Instance, receipt: str) -> int | None:
    """The round whose box holds this receipt, or None."""
    wanted = "".join(receipt.split()).lower()
    for round_ in range(1, int(session.data.get("round", 1)) + 1):
        if wanted in receipts(workflows, session, round_):
            return round_
    return None


def _session(tx: Any, session_id: int) -> Instance:
    session: Instance | None = tx.load_instance(session_id, lock=True)
    if session is None or session.workflow != "vote_session":
        raise NotFound(f"no vote session with id {session_id}")
    return session
