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
    return verify(org.services.uow(), org.services.chain)


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


def _changed(value: object) -> object:
    """A different value of the same kind, as someone editing the row by hand would write."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, dict):
        return {**value, "note": "thêm"}
    if hasattr(value, "tzinfo"):  # a timestamp: a minute earlier
        import datetime as dt
        return value - dt.timedelta(minutes=1)  # type: ignore[operator]
    if not value:
        return "x"
    text = str(value)  # the last character changed: the column's length still fits
    return text[:-1] + ("y" if text.endswith("x") else "x")


@pytest.mark.tampers
def test_editing_any_field_of_any_entry_is_reported(org: Org) -> None:
    other = org.services.workflows.start("approval", org.actor("officer_c"),
                                         unit_id=org.units["c"], cluster_id=org.cluster, year=YEAR)
    item = _walked(org)
    engine = org.services.engine
    with engine.connect() as conn:
        rows = conn.execute(sa.select(history).where(history.c.instance_id == item.id)
                            .order_by(history.c.seq)).mappings().all()
    columns = [c.name for c in history.columns if c.name != "id"]  # id is the row's address only
    missed = []
    for row in rows:
        for column in columns:
            # instance_id: the entry moved to another item's history (one entry long)
            value = other.id if column == "instance_id" else _changed(row[column])
            try:
                with engine.begin() as conn:
                    conn.execute(history.update().where(history.c.id == row["id"])
                                 .values({column: value}))
            except sa.exc.IntegrityError:
                continue  # the database itself refuses this edit (a second entry 1 of `other`)
            if _report(org).ok:
                missed.append(f"entry {row['seq']}.{column}")
            with engine.begin() as conn:
                conn.execute(history.update().where(history.c.id == row["id"])
                             .values({column: row[column]}))
    assert missed == []
    assert _report(org).ok  # restored, the chain verifies again: the check is of content


@pytest.mark.tampers
def test_deleting_any_entry_or_inserting_one_anywhere_is_reported(org: Org) -> None:
    item = _walked(org)
    engine = org.services.engine
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(
            sa.select(history).where(history.c.instance_id == item.id)
            .order_by(history.c.seq)).mappings()]
    for row in rows:
        with engine.begin() as conn:
            conn.execute(history.delete().where(history.c.id == row["id"]))
        assert not _report(org).ok, f"deleting entry {row['seq']} went unnoticed"
        with engine.begin() as conn:
            conn.execute(history.insert().values(row))
        assert _report(org).ok

    for position in range(1, len(rows) + 2):  # before each entry, and after the last
        with engine.begin() as conn:
            for row in reversed(rows[position - 1:]):  # make room: shift the later ones up
                conn.execute(history.update().where(history.c.id == row["id"])
                             .values(seq=row["seq"] + 1))
            before = rows[position - 2] if position > 1 else None
            forged = {k: v for k, v in rows[0].items() if k != "id"} | {
                "seq": position, "kind": "fire", "actor": "intruder", "to_state": "approved",
                "prev_hash": before["hash"] if before else rows[0]["prev_hash"]}
            forged["hash"] = org.services.chain.entry_hash(forged["prev_hash"], forged)
            conn.execute(history.insert().values(forged))
        assert not _report(org).ok, f"an entry slipped in at {position} went unnoticed"
        with engine.begin() as conn:
            conn.execute(history.delete().where(history.c.instance_id == item.id,
                                                history.c.actor == "intruder"))
            for row in rows:
                conn.execute(history.update().where(history.c.id == row["id"])
                             .values(seq=row["seq"]))
        assert _report(org).ok
