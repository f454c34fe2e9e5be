"""Reads for the services (instances, history, definitions, actors) and the definition drafts,
on SQLAlchemy Core. The engine's own writes are in store.py; the pages' reads in read_side.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workflow.adapters.db import new_id
from workflow.adapters.tables import (
    definition_drafts,
    definitions,
    history,
    instances,
)
from workflow.engine.instance import Instance

_I = instances.c

_SELECT_INSTANCE = sa.select(
    _I.id, _I.definition_id, _I.workflow, _I.state, _I.status, _I.version, _I.unit_id,
    _I.cluster_id, _I.year, _I.parent_id, _I.data, _I.last_hash, _I.entered_at,
)
_BY_ID = _SELECT_INSTANCE.where(_I.id == sa.bindparam("b_id"))


def _instance(row: Any) -> Instance:
    return Instance(*row)


_BY_ID_LOCKED = _BY_ID.with_for_update()


def load_instance(conn: Connection, instance_id: int, *, lock: bool = False) -> Instance | None:
    """One instance; with lock, its row stays locked to this transaction (PostgreSQL)."""
    row = conn.execute(_BY_ID_LOCKED if lock else _BY_ID, {"b_id": instance_id}).first()
    return _instance(row) if row else None


def load_instances(conn: Connection, ids: Iterable[int]) -> list[Instance]:
    rows = conn.execute(_SELECT_INSTANCE.where(_I.id.in_(list(ids))).order_by(_I.id))
    return [_instance(r) for r in rows]


def instances_where(conn: Connection, *criteria: Any) -> list[Instance]:
    return [_instance(r) for r in conn.execute(_SELECT_INSTANCE.where(*criteria).order_by(_I.id))]


def history_rows(conn: Connection, instance_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(history).where(history.c.instance_id == instance_id).order_by(history.c.seq)
    )
    return [dict(r._mapping) for r in rows]


def instance_heads(conn: Connection) -> dict[int, tuple[int, str]]:
    """Every instance's version and last hash: the end its history chain must reach."""
    rows = conn.execute(sa.select(_I.id, _I.version, _I.last_hash))
    return {r[0]: (r[1], r[2]) for r in rows}


def iter_history(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every history entry, in instance and seq order, streamed."""
    result = conn.execution_options(yield_per=2000).execute(
        sa.select(history).order_by(history.c.instance_id, history.c.seq, history.c.id)
    )
    for row in result:
        yield dict(row._mapping)


# --- definitions --------------------------------------------------------------------------


def definition_rows(conn: Connection, name: str | None = None) -> list[dict[str, Any]]:
    stmt = sa.select(definitions).order_by(definitions.c.name, definitions.c.version)
    if name is not None:
        stmt = stmt.where(definitions.c.name == name)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def definitions_revision() -> sa.ScalarSelect[int]:
    """The catalog's revision: how many definition versions are stored. Versions are only ever
    added, so it grows with every publish, whichever process made it and in whatever order
    their transactions commit (unlike the largest id)."""
    return sa.select(sa.func.count()).select_from(definitions).scalar_subquery()


def definition_revision(conn: Connection) -> int:
    return int(conn.execute(sa.select(definitions_revision())).scalar_one())


def definition_row(conn: Connection, definition_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(definitions).where(definitions.c.id == definition_id)).first()
    return dict(row._mapping) if row else None


def insert_definition(conn: Connection, **values: Any) -> int:
    result = conn.execute(definitions.insert().values(**values))
    return new_id(result)


def replace_draft(conn: Connection, name: str, text: str, saved_by: str,
                  saved_at: dt.datetime) -> None:
    """Insert or replace the draft of a workflow (works alike on SQLite and PostgreSQL)."""
    delete_draft(conn, name)
    conn.execute(definition_drafts.insert().values(
        name=name, source_text=text, saved_by=saved_by, saved_at=saved_at))


def delete_draft(conn: Connection, name: str) -> None:
    conn.execute(definition_drafts.delete().where(definition_drafts.c.name == name))
