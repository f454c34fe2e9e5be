"""Verification of the history hash chains: finds entries altered, inserted or removed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from workflow.clock import Clock
from workflow.domain.roles import Actor
from workflow.engine.hashing import GENESIS, HistoryChain
from workflow.errors import InvalidInput, PermissionDenied
from workflow.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class AuditProblem:
    instance_id: int
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"instance {self.instance_id}"
        if self.seq is not None:
            where += f", entry {self.seq}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class AuditReport:
    instances: int
    entries: int
    problems: tuple[AuditProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(uow: UnitOfWork, chain: HistoryChain) -> AuditReport:
    """Walk every instance's chain once and report each break."""
    problems: list[AuditProblem] = []
    entries = 0
    with uow.read():
        heads = uow.history.heads()
        seen: set[int] = set()
        rows = uow.history.entries()
        for instance_id, group in groupby(rows, key=lambda r: int(r["instance_id"])):
            chain_rows = list(group)
            entries += len(chain_rows)
            seen.add(instance_id)
            head = heads.get(instance_id)
            problems.extend(_check_chain(chain, instance_id, chain_rows, head))
        for instance_id in sorted(heads.keys() - seen):
            problems.append(AuditProblem(instance_id, None, "has no history at all (removed)"))
    return AuditReport(len(heads), entries, tuple(problems))


def _check_chain(
    chain: HistoryChain, instance_id: int, rows: list[dict[str, Any]],
    head: tuple[int, str] | None,
) -> Iterator[AuditProblem]:
    if head is None:
        yield AuditProblem(instance_id, None, "history for an instance that does not exist")
    prev_hash = GENESIS
    expected_seq = 1
    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}–{seq - 1}"
            if seq > expected_seq:
                yield AuditProblem(instance_id, seq, f"entries before it are missing ({missing})")
            else:
                yield AuditProblem(instance_id, seq, f"out of order after entry {expected_seq - 1}")
        if row["prev_hash"] != prev_hash:
            yield AuditProblem(
                instance_id, seq,
                "does not follow the entry before it (an entry was inserted or removed)",
            )
        if chain.entry_hash(row["prev_hash"], row) != row["hash"]:
            yield AuditProblem(instance_id, seq, "content was altered after it was written")
        prev_hash = row["hash"]
        expected_seq = seq + 1
    if head is not None:
        version, last_hash = head
        last = rows[-1]["seq"] if rows else 0
        if version != last:
            yield AuditProblem(
                instance_id, None,
                f"history ends at entry {last} but the instance is at version {version} "
                "(entries removed or added at the end)",
            )
        elif last_hash != prev_hash:
            yield AuditProblem(instance_id, None, "the instance's last hash does not match its "
                               "last history entry")


def reseal(
    uow: UnitOfWork, clock: Clock, old: HistoryChain, new: HistoryChain, actor: Actor,
    reason: str,
) -> tuple[int, int]:
    """After the chain key changed: check every chain with the old key, then rehash it with
    the new one and append to each an entry recording the re-seal (who, when, why). Refused,
    with nothing written, if any chain does not verify with the old key: re-sealing would
    launder an alteration. Returns (instances, entries re-sealed)."""
    if not actor.has_global_role("admin"):
        raise PermissionDenied(f"'{actor.username}' is not an administrator and cannot re-seal "
                               "the history")
    if not reason.strip():
        raise InvalidInput("reason: say why the history is re-sealed (kept in every chain)")
    report = verify(uow, old)
    if not report.ok:
        raise InvalidInput(
            f"the history does not verify with the old key ({len(report.problems)} problem(s), "
            f"first: {report.problems[0]}); nothing was re-sealed: check the old key, or "
            "investigate with `thidua audit verify` under it")
    with uow:
        return uow.history.reseal(new, actor=actor.username, reason=reason, at=clock.now())
