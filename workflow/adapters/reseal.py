"""Re-sealing every history chain under a new chain key, in one write transaction (SQL of
`thidua audit reseal`; the use case is workflow/services/audit.reseal)."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workflow.adapters.tables import history, instances
from workflow.engine.hashing import GENESIS, HistoryChain

_H = history.c
_I = instances.c


def reseal_all(
    conn: Connection, new: HistoryChain, *, actor: str, reason: str, at: dt.datetime,
) -> tuple[int, int]:
    """Rehash every chain with `new` and append to each one entry recording the re-seal
    (who, when, why, how many entries); returns (instances, entries rehashed)."""
    heads = {r.id: r for r in conn.execute(
        sa.select(_I.id, _I.version, _I.state, _I.definition_id).with_for_update())}
    rows = conn.execute(sa.select(history).order_by(_H.instance_id, _H.seq, _H.id)).mappings()
    entries = 0
    chains: dict[int, tuple[str, int]] = {}
    for instance_id, group in groupby(list(rows), key=lambda r: int(r["instance_id"])):
        prev = GENESIS
        count = 0
        for row in group:
            entry: dict[str, Any] = dict(row) | {"prev_hash": prev}
            prev = new.entry_hash(prev, entry)
            conn.execute(history.update().where(_H.id == row["id"]).values(
                prev_hash=entry["prev_hash"], hash=prev))
            count += 1
        chains[instance_id] = (prev, count)
        entries += count
    for instance_id, head in heads.items():
        prev, count = chains.get(instance_id, (GENESIS, 0))
        seq = int(head.version) + 1
        entry = {"instance_id": instance_id, "seq": seq, "definition_id": head.definition_id,
                 "kind": "reseal", "from_state": head.state, "to_state": head.state,
                 "trigger": None, "actor": actor, "on_behalf_of": None, "role": "admin",
                 "at": at, "comment": reason, "payload": {"entries_resealed": count},
                 "prev_hash": prev}
        entry["hash"] = new.entry_hash(prev, entry)
        conn.execute(history.insert().values(**entry))
        conn.execute(instances.update().where(_I.id == instance_id, _I.version == head.version)
                     .values(version=seq, last_hash=entry["hash"]))
    return len(heads), entries
