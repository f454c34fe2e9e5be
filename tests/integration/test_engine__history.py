"""The history is hash-chained: `audit verify` finds rows altered, inserted or removed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import YEAR, Org
from workflow.adapters.tables import history
from workflow.services.audit import verify


def _walked(org: Org):
    wf = org.services.workflows
    item = wf.start("approval", org.actor("officer_c"), unit_id=org.units["c"],
                    cluster_id=org.cluster, year=YEAR)
    wf.fire(item, "submit", org.actor("officer_c"), {"title": "Báo cáo"})
    wf.fire(item, "return", org.actor("head_a"), {"comment": "Bổ sung số liệu"})
    wf.fire(item, "submit", org.actor("officer_c"), {"title": "Báo cáo (bổ sung)"})
    return item


def _report(org: Org):
    return verify(org.services.engine, org.services.chain)


def test_every_step_is_recorded_in_order(org: Org) -> None:
    item = _walked(org)

    rows = org.services.workflows.history(item.id)

    assert [(r["seq"], r["from_state"], r["to_state"], r["actor"]) for r in rows] == [
        (1, None, "draft", "officer_c"),
        (2, "draft", "submitted", "officer_c"),
        (3, "submitted", "returned", "head_a"),
        (4, "returned", "submitted", "officer_c"),
    ]
    assert rows[2]["comment"] == "Bổ sung số liệu"
    assert rows[3]["payload"] == {"title": "Báo cáo (bổ sung)"}
    assert all(r["prev_hash"] == p["hash"] for p, r in zip(rows, rows[1:], strict=False))
    assert _report(org).ok


@pytest.mark.tampers
def test_an_edited_entry_is_reported(org: Org) -> None:
    item = _walked(org)
    with org.services.engine.begin() as conn:
        conn.execute(history.update().where(history.c.instance_id == item.id,
                                            history.c.seq == 3).values(actor="someone_else"))

    report = _report(org)

    assert [str(p) for p in report.problems] == [
        f"instance {item.id}, entry 3: content was altered after it was written"]


@pytest.mark.tampers
def test_a_deleted_entry_is_reported(org: Org) -> None:
    item = _walked(org)
    with org.services.engine.begin() as conn:
        conn.execute(history.delete().where(history.c.instance_id == item.id, history.c.seq == 2))

    problems = [str(p) for p in _report(org).problems]

    assert f"instance {item.id}, entry 3: entries before it are missing (2)" in problems
    assert any("does not follow the entry before it" in p for p in problems)


@pytest.mark.tampers
def test_a_deleted_last_entry_is_reported(org: Org) -> None:
    item = _walked(org)
    with org.services.engine.begin() as conn:
        conn.execute(history.delete().where(history.c.instance_id == item.id, history.c.seq == 4))

    problems = [str(p) for p in _report(org).problems]

    assert problems == [f"instance {item.id}: history ends at entry 3 but the instance is at "
                        "version 4 (entries removed or added at the end)"]


@pytest.mark.tampers
def test_an_inserted_entry_is_reported(org: Org) -> None:
    item = _walked(org)
    with org.services.engine.begin() as conn:
        # Shift the last entry and slip a forged one in before it.
        conn.execute(history.update().where(history.c.instance_id == item.id,
                                            history.c.seq == 4).values(seq=5))
        row = conn.execute(sa.select(history).where(history.c.instance_id == item.id,
                                                    history.c.seq == 3)).mappings().one()
        forged = {k: v for k, v in row.items() if k != "id"} | {
            "seq": 4, "from_state": "returned", "to_state": "approved", "actor": "intruder",
            "prev_hash": row["hash"], "hash": "f" * 64}
        conn.execute(history.insert().values(**forged))

    problems = [str(p) for p in _report(org).problems]

    assert f"instance {item.id}, entry 4: content was altered after it was written" in problems
    assert f"instance {item.id}, entry 5: does not follow the entry before it (an entry was " \
           "inserted or removed)" in problems


@pytest.mark.tampers
def test_a_chain_rebuilt_without_the_key_is_reported(org: Org) -> None:
    from workflow.engine.hashing import HistoryChain

    item = _walked(org)
    forger = HistoryChain("not-the-installation-key")
    with org.services.engine.begin() as conn:
        rows = conn.execute(sa.select(history).where(history.c.instance_id == item.id)
                            .order_by(history.c.seq)).mappings().all()
        prev = rows[0]["prev_hash"]
        for row in rows:
            entry = dict(row) | {"prev_hash": prev}
            if row["seq"] == 3:
                entry["comment"] = "đã sửa"
            prev = forger.entry_hash(prev, entry)
            conn.execute(history.update().where(history.c.id == row["id"]).values(
                comment=entry["comment"], prev_hash=entry["prev_hash"], hash=prev))

    assert not _report(org).ok
