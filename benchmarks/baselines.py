"""Baselines measured in the same run as thidua: the physical limit and the naive approach."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from transitions import Machine

from benchmarks.common import STEPS

HISTORY_SQL = """CREATE TABLE history (id INTEGER PRIMARY KEY, instance_id INTEGER NOT NULL,
    seq INTEGER NOT NULL, kind TEXT, from_state TEXT, to_state TEXT, trigger TEXT, actor TEXT,
    role TEXT, at TEXT, payload TEXT, prev_hash TEXT, hash TEXT, UNIQUE (instance_id, seq))"""
ITEMS_SQL = "CREATE TABLE items (id INTEGER PRIMARY KEY, state TEXT, version INTEGER)"
HASH = "0" * 64


def raw_sqlite(path: str, n: int) -> float:
    """One UPDATE and one INSERT per commit with the sqlite3 module: the limit for durable steps."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(ITEMS_SQL)
    conn.execute(HISTORY_SQL)
    conn.executemany("INSERT INTO items VALUES (?, 's0', 0)", [(i,) for i in range(1, n + 1)])
    payload = json.dumps({"amount": 5})
    start = time.perf_counter()
    for step in range(1, STEPS + 1):
        for i in range(1, n + 1):
            conn.execute("BEGIN")
            conn.execute("UPDATE items SET state=?, version=? WHERE id=? AND version=?",
                         (f"s{step}", step, i, step - 1))
            conn.execute(
                "INSERT INTO history (instance_id, seq, kind, from_state, to_state, trigger, "
                "actor, role, at, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (i, step, "fire", f"s{step - 1}", f"s{step}", f"step{step}", "officer",
                 "unit_officer", dt.datetime.now(dt.UTC).isoformat(), payload, HASH, HASH))
            conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return n * STEPS / elapsed


def raw_psycopg(url: str, n: int) -> float:
    """The same on PostgreSQL with psycopg: one UPDATE and one INSERT per commit."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS history, items")
        conn.execute(ITEMS_SQL.replace("INTEGER PRIMARY KEY", "INTEGER PRIMARY KEY"))
        conn.execute(HISTORY_SQL.replace("id INTEGER PRIMARY KEY", "id SERIAL PRIMARY KEY"))
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO items VALUES (%s, 's0', 0)",
                            [(i,) for i in range(1, n + 1)])
    payload = json.dumps({"amount": 5})
    with psycopg.connect(dsn) as conn:
        start = time.perf_counter()
        for step in range(1, STEPS + 1):
            for i in range(1, n + 1):
                conn.execute("UPDATE items SET state=%s, version=%s WHERE id=%s AND version=%s",
                             (f"s{step}", step, i, step - 1))
                conn.execute(
                    "INSERT INTO history (instance_id, seq, kind, from_state, to_state, trigger,"
                    " actor, role, at, payload, prev_hash, hash) VALUES "
                    "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    (i, step, "fire", f"s{step - 1}", f"s{step}", f"step{step}", "officer",
                     "unit_officer", dt.datetime.now(dt.UTC).isoformat(), payload, HASH, HASH))
                conn.commit()
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE IF EXISTS history, items")
        conn.commit()
    return n * STEPS / elapsed


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


# --- the naive way: an ORM object with its own machine, loaded and committed every step -------


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "naive_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str]
    version: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    def is_bench(self, *_: Any, **__: Any) -> bool:
        return bool(self.data.get("kind") == "bench")


class Step(Base):
    __tablename__ = "naive_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("naive_items.id"))
    trigger: Mapped[str]
    from_state: Mapped[str]
    to_state: Mapped[str]
    actor: Mapped[str]
    at: Mapped[dt.datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


STATES = [f"s{i}" for i in range(STEPS + 1)]
TRANSITIONS = [
    {"trigger": f"step{i}", "source": f"s{i - 1}", "dest": f"s{i}", "conditions": "is_bench"}
    for i in range(1, STEPS + 1)
]


def naive_orm(url: str, n: int) -> float:
    """Load with the ORM, build the object's machine, fire, add a history row, commit."""
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([Item(id=i, state="s0", version=0, data={"kind": "bench"})
                   for i in range(1, n + 1)])
        s.commit()
    start = time.perf_counter()
    for step in range(1, STEPS + 1):
        trigger = f"step{step}"
        for i in range(1, n + 1):
            with Session(engine) as s:
                item = s.get(Item, i)
                assert item is not None
                Machine(model=item, states=STATES, transitions=TRANSITIONS, initial=item.state,
                        auto_transitions=False)
                source = item.state
                if not item.trigger(trigger):
                    raise RuntimeError("guard failed")
                item.version += 1
                s.add(Step(item_id=i, trigger=trigger, from_state=source, to_state=item.state,
                           actor="officer", at=dt.datetime.now(dt.UTC), payload={"amount": 5}))
                s.commit()
    elapsed = time.perf_counter() - start
    engine.dispose()
    return n * STEPS / elapsed
