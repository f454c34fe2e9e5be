"""The engine's unit of work: every statement a fire, start, repair or migration runs, on one
write transaction (see executor.py for why these do not go through a SQLAlchemy Connection)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workflow.adapters import repository as repo
from workflow.adapters.ballot_store import BallotBoxQueries, purge
from workflow.adapters.db import read_connection
from workflow.adapters.executor import StatementCache, Transaction
from workflow.adapters.repository import definitions_revision
from workflow.adapters.tables import (
    cluster_members,
    deadlines,
    documents,
    history,
    instances,
    role_assignments,
    users,
)
from workflow.adapters.year_store import YearQueries
from workflow.domain.criteria import CriteriaTable
from workflow.domain.rulesets import RuleBook, RuleSet
from workflow.engine.instance import CANCELLED, Instance
from workflow.services.ports import ImpedimentStatements

_I = instances.c
INSTANCE_COLUMNS = (
    _I.id, _I.definition_id, _I.workflow, _I.state, _I.status, _I.version, _I.unit_id,
    _I.cluster_id, _I.year, _I.parent_id, _I.data, _I.last_hash, _I.entered_at,
)
_STATE_VALUES = ("state", "version", "last_hash", "entered_at")
HISTORY_COLUMNS = (
    "instance_id", "seq", "definition_id", "kind", "from_state", "to_state", "trigger", "actor",
    "on_behalf_of", "role", "at", "comment", "payload", "prev_hash", "hash",
)
DEADLINE_COLUMNS = (
    "instance_id", "state", "entry_version", "kind", "days_before", "due_date", "fire_at",
    "anchor", "role", "trigger", "status",
)
DOCUMENT_COLUMNS = (
    "instance_id", "kind", "ref", "filename", "content_type", "size", "sha256", "storage_key",
    "uploaded_by", "uploaded_at",
)
NEW_INSTANCE_COLUMNS = (
    "definition_id", "workflow", "state", "status", "version", "unit_id", "cluster_id", "year",
    "parent_id", "data", "last_hash", "created_at", "entered_at",
)


def _update(*extra: str) -> sa.Update:
    cols = _STATE_VALUES + extra
    return (
        instances.update()
        .where(_I.id == sa.bindparam("b_id"), _I.version == sa.bindparam("b_version"))
        .values({c: sa.bindparam(c) for c in cols})
    )


def _update_and_record(*extra: str) -> sa.Insert:
    """PostgreSQL: the UPDATE and the history INSERT in one statement, one round trip.

    The INSERT selects from the UPDATE's RETURNING, so a stale version inserts nothing.
    """
    updated = _update(*extra).returning(_I.id).cte("updated")
    values = sa.select(
        *(sa.bindparam(f"h_{c}", type_=history.c[c].type) for c in HISTORY_COLUMNS)
    ).select_from(updated)
    return history.insert().from_select(list(HISTORY_COLUMNS), values)


def _revision() -> sa.Label[int]:
    """The catalog's revision as a column of a statement already sent (see DefinitionCatalog):
    a publish by another process is seen without one more statement, or round trip."""
    return definitions_revision().label("revision")


def _returning_revision(
    build: Callable[..., sa.Update | sa.Insert], *extra: str
) -> sa.Update | sa.Insert:
    return build(*extra).returning(_revision())


def _variant(status: bool, data: bool, definition: bool) -> tuple[str, ...]:
    return (
        (("status",) if status else ())
        + (("data",) if data or definition else ())
        + (("definition_id",) if definition else ())
    )


class Store:
    """Opens write transactions whose methods are the engine's only SQL."""

    def __init__(
        self, engine: Engine, criteria: Callable[[str, int | None], CriteriaTable] | None = None,
        rulebook: RuleBook | None = None, calendar: Any = None, tz: dt.tzinfo | None = None,
        ballot_key: bytes | None = None,
    ) -> None:
        # the installation's key wrapping what the server holds of a vote's counting key
        # (shares waiting for their member or for the count): derived from the history's key
        self.ballot_key = ballot_key
        self.criteria = criteria
        self.rulebook = rulebook
        self.calendar = calendar  # working days (domain.calendar.HolidayCalendar)
        self.tz = tz  # the clock's zone: local dates in the rules
        self.engine = engine
        self.cache = StatementCache(engine)
        c = self.cache
        self._select = c.get("select", lambda: sa.select(*INSTANCE_COLUMNS).where(
            _I.id == sa.bindparam("b_id")))
        self._select_locked = c.get("select_locked", lambda: sa.select(*INSTANCE_COLUMNS).where(
            _I.id == sa.bindparam("b_id")).with_for_update())
        self._select_for_fire = c.get("select_for_fire", lambda: sa.select(
            *INSTANCE_COLUMNS, _revision()).where(_I.id == sa.bindparam("b_id")).with_for_update())
        self._children = c.get("children", lambda: sa.select(*INSTANCE_COLUMNS).where(
            _I.parent_id == sa.bindparam("b_parent")).order_by(_I.id))
        # Only the columns that changed: SQLite rewrites an index entry (status is indexed)
        # whenever its column is in the SET list, even with the same value.
        flags = [(a, b, d) for a in (False, True) for b in (False, True) for d in (False, True)]
        self._updates = {f: c.get(f"update-{f}", partial(_update, *_variant(*f))) for f in flags}
        self._combined = {
            f: c.get(f"update-record-{f}", partial(_update_and_record, *_variant(*f)))
            for f in flags
        } if not c.is_sqlite else {}
        # the same, also returning the catalog's revision: the first write of a fire
        self._updates_rev = {
            f: c.get(f"update-rev-{f}", partial(_returning_revision, _update, *_variant(*f)))
            for f in flags
        }
        self._combined_rev = {
            f: c.get(f"update-record-rev-{f}",
                     partial(_returning_revision, _update_and_record, *_variant(*f)))
            for f in flags
        } if not c.is_sqlite else {}
        self._insert_history = c.get("insert_history", history.insert, HISTORY_COLUMNS)
        self._insert_instance = c.get(
            "insert_instance", lambda: instances.insert().returning(_I.id), NEW_INSTANCE_COLUMNS)
        self._insert_instance_rev = c.get(
            "insert_instance_rev", lambda: instances.insert().returning(_I.id, _revision()),
            NEW_INSTANCE_COLUMNS)
        self._child_states = c.get("child_states", lambda: sa.select(_I.state, _I.status).where(
            _I.parent_id == sa.bindparam("b_parent"), _I.workflow == sa.bindparam("b_workflow")))
        self._document_kinds = c.get("document_kinds", lambda: sa.select(
            documents.c.kind).where(documents.c.instance_id == sa.bindparam("b_id")).distinct())
        self._members = c.get("members", lambda: sa.select(cluster_members.c.unit_id).where(
            cluster_members.c.cluster_id == sa.bindparam("b_cluster")).order_by(
            cluster_members.c.position, cluster_members.c.unit_id))

    def close(self) -> None:
        self.cache.close()

    def get(self, instance_id: int) -> Instance | None:
        """One instance, read outside the engine's transactions."""
        with read_connection(self.engine) as conn:
            return repo.load_instance(conn, instance_id)

    def history(self, instance_id: int) -> list[dict[str, Any]]:
        with read_connection(self.engine) as conn:
            return repo.history_rows(conn, instance_id)

    def children(self, parent_id: int) -> list[Instance]:
        with read_connection(self.engine) as conn:
            return repo.instances_where(conn, _I.parent_id == parent_id)

    def write(self) -> WriteTx:
        """A write transaction: `with store.write() as tx:`."""
        return WriteTx(self)

    def read(self) -> WriteTx:
        """A read-only transaction with the same methods; always rolled back."""
        return WriteTx(self, readonly=True)


class WriteTx(YearQueries, BallotBoxQueries, Transaction):
    """One write transaction of the engine; also the port its guards and effects use."""

    __slots__ = ("store", "revision", "purge_after")

    def __init__(self, store: Store, readonly: bool = False) -> None:
        super().__init__(store.cache, readonly)
        self.store = store
        # the catalog's revision, when a statement of this transaction asked for it
        self.revision: int | None = None
        self.purge_after = False  # the ballot box rewrote or deleted rows: purge once committed

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        super().__exit__(exc_type, exc, tb)
        if self.purge_after and exc_type is None and not self.readonly:
            purge(self.store.engine)

    @property
    def ballot_key(self) -> bytes:
        """The installation's key wrapping the shares the server holds for a while."""
        if self.store.ballot_key is None:
            raise RuntimeError("no ballot key is wired to the engine store")
        return self.store.ballot_key

    @property
    def tz(self) -> dt.tzinfo:
        """The installation's time zone (the clock's), for the rules' local dates."""
        if self.store.tz is None:
            raise RuntimeError("no time zone is wired to the engine store")
        return self.store.tz

    def criteria_table(self, code: str, version: int | None) -> CriteriaTable:
        if self.store.criteria is None:
            raise RuntimeError("no criteria catalog is wired to the engine store")
        return self.store.criteria(code, version)

    def rule_set(self, code: str, version: int) -> RuleSet:
        if self.store.rulebook is None:
            raise RuntimeError("no rule book is wired to the engine store")
        return self.store.rulebook.get(code, version)

    def rule_book(self) -> RuleBook:
        if self.store.rulebook is None:
            raise RuntimeError("no rule book is wired to the engine store")
        return self.store.rulebook

    def instance_data(self, instance_id: int) -> dict[str, Any] | None:
        inst = self.load_instance(instance_id)
        return inst.data if inst is not None else None

    def load_instance(self, instance_id: int, *, lock: bool = False) -> Instance | None:
        """One instance; with lock, its row stays locked to this transaction (PostgreSQL)."""
        s = self.store
        row = self.fetchone(s._select_locked if lock else s._select, {"b_id": instance_id})
        return Instance(*row) if row is not None else None

    def load_for_fire(self, instance_id: int) -> Instance | None:
        """One instance, locked (PostgreSQL), and the catalog's revision in `revision`."""
        row = self.fetchone(self.store._select_for_fire, {"b_id": instance_id})
        if not self._took_revision(row):
            return None
        return Instance(*row[:-1])  # type: ignore[index]

    def children(self, parent_id: int) -> list[Instance]:
        return [Instance(*r) for r in self.fetchall(self.store._children,
                                                        {"b_parent": parent_id})]

    def insert_instance(
        self, inst: Instance, created_at: dt.datetime, *, revision: bool = False
    ) -> int:
        """Insert a new instance; its id. With revision, the catalog's in `revision` too."""
        values = {name: getattr(inst, name) for name in NEW_INSTANCE_COLUMNS
                  if name != "created_at"}
        values["created_at"] = created_at
        s = self.store
        row = self.fetchone(s._insert_instance_rev if revision else s._insert_instance, values)
        assert row is not None
        if revision:
            self.revision = int(row[1])
        return int(row[0])

    def update_and_record(
        self, inst: Instance, expected_version: int, entry: dict[str, Any], *,
        data_changed: bool = True, status_changed: bool = True, definition_changed: bool = False,
        revision: bool = False,
    ) -> bool:
        """Write the instance's new state and its history entry, if nobody changed the instance
        since `expected_version`; False (and nothing written) if somebody did. With revision,
        the catalog's revision comes back in `revision` (when it wrote)."""
        values: dict[str, Any] = {
            "b_id": inst.id, "b_version": expected_version, "state": inst.state,
            "status": inst.status, "version": inst.version, "last_hash": inst.last_hash,
            "entered_at": inst.entered_at, "data": inst.data,
            "definition_id": inst.definition_id,
        }
        flags = (status_changed, data_changed, definition_changed)
        store = self.store
        if store._combined:
            for name in HISTORY_COLUMNS:
                values["h_" + name] = entry[name]
            if revision:
                return self._took_revision(self.fetchone(store._combined_rev[flags], values))
            return self.execute(store._combined[flags], values) == 1
        if revision:
            if not self._took_revision(self.fetchone(store._updates_rev[flags], values)):
                return False
        elif self.execute(store._updates[flags], values) != 1:
            return False
        self.execute(store._insert_history, entry)
        return True

    def _took_revision(self, row: Sequence[Any] | None) -> bool:
        """Whether a write returned its row, and with it the catalog's revision."""
        if row is None:
            return False
        self.revision = int(row[-1])
        return True

    def insert_deadlines(self, rows: list[dict[str, Any]]) -> None:
        stmt = self.cache.get("insert_deadline", deadlines.insert, DEADLINE_COLUMNS)
        for row in rows:
            self.execute(stmt, row)

    def cancel_deadlines(self, instance_id: int, at: dt.datetime) -> int:
        """Cancel what is still pending for the instance (it left the state, or ended)."""
        d = deadlines.c
        stmt = self.cache.get("cancel_deadlines", lambda: deadlines.update().where(
            d.instance_id == sa.bindparam("b_id"), d.status == "pending",
        ).values(status="cancelled", done_at=sa.bindparam("at")))
        return self.execute(stmt, {"b_id": instance_id, "at": at})

    def child_states(self, parent_id: int, workflow: str) -> list[str]:
        """The states of a parent's children of one workflow; cancelled ones are marked so."""
        rows = self.fetchall(self.store._child_states,
                                 {"b_parent": parent_id, "b_workflow": workflow})
        return ["__cancelled__" if status == CANCELLED else state for state, status in rows]

    def insert_document(self, values: dict[str, Any]) -> int:
        """Record a stored file as a document of an instance; its id."""
        stmt = self.cache.get("insert_document", lambda: documents.insert().returning(
            documents.c.id), DOCUMENT_COLUMNS)
        row = self.fetchone(stmt, values)
        assert row is not None
        return int(row[0])

    def impediments(self) -> ImpedimentStatements:
        """The impediments to an award, on this transaction."""
        from workflow.adapters.sql_impediments import SqlImpediments  # it builds on this module

        return SqlImpediments(self)

    def document_kinds(self, instance_id: int) -> set[str]:
        return {r[0] for r in self.fetchall(self.store._document_kinds, {"b_id": instance_id})}

    def member_units(self, cluster_id: int) -> list[int]:
        return [r[0] for r in self.fetchall(self.store._members, {"b_cluster": cluster_id})]

    def home_units(self, usernames: Sequence[str], year: int | None) -> dict[str, set[int]]:
        """The units each user holds a unit role for in the year (or in every year)."""
        ra = role_assignments.c
        stmt = self.cache.get("home_units", lambda: sa.select(ra.unit_id).join(
            users, users.c.id == ra.user_id).where(
            users.c.username == sa.bindparam("b_user"), ra.unit_id.is_not(None),
            sa.or_(ra.year.is_(None), ra.year == sa.bindparam("b_year"))))
        return {name: {int(r[0]) for r in self.fetchall(stmt, {"b_user": name, "b_year": year})}
                for name in usernames}
