"""The sweep: claims due deadline rows in batches and, in the same transaction, writes their
notifications to the outbox or fires their timeout trigger, then marks them done.

Work and marking commit together, so a process killed mid-batch leaves the batch pending and
the next sweep does it once. On PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED, so two
sweeping processes never take the same row; on SQLite one writer at a time does the same.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa

from workflow.adapters.store import WriteTx
from workflow.adapters.tables import (
    clusters,
    deadlines,
    leases,
    outbox,
    role_assignments,
    units,
    users,
)
from workflow.domain.roles import ROLES, SYSTEM_ACTOR
from workflow.engine.instance import ACTIVE, Instance
from workflow.errors import WorkflowError
from workflow.services.workflows import Workflows

Render = Callable[[str, str, Mapping[str, Any]], tuple[str, str]]
_D = deadlines.c


@dataclass
class SweepReport:
    reminders: int = 0
    escalations: int = 0
    timeouts: int = 0
    skipped: int = 0
    failed: int = 0
    late: int = 0
    messages: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.reminders + self.escalations + self.timeouts + self.skipped + self.failed

    def __str__(self) -> str:
        return (f"{self.processed} due: {self.reminders} reminders, {self.escalations} "
                f"escalations, {self.timeouts} timeouts, {self.skipped} skipped, {self.failed} "
                f"failed ({self.late} late); {self.messages} messages written")


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    full_name: str
    email: str | None
    locale: str
    digest: bool


class Sweeper:
    """Turns due deadline rows into messages and timeouts, once each."""

    def __init__(
        self, workflows: Workflows, render: Render, *, base_url: str, batch_size: int = 500,
        late_after: dt.timedelta = dt.timedelta(minutes=5),
    ) -> None:
        self.workflows = workflows
        self.render = render
        self.base_url = base_url.rstrip("/")
        self.batch_size = batch_size
        self.late_after = late_after

    def sweep(self, now: dt.datetime | None = None) -> SweepReport:
        """Handle every row due at `now` (the clock's time by default), batch by batch."""
        now = now or self.workflows.clock.now()
        report = SweepReport()
        while self._batch(now, report) == self.batch_size:
            pass
        return report

    def _batch(self, now: dt.datetime, report: SweepReport) -> int:
        store = self.workflows.store
        with store.write() as tx:
            claim = store.cache.get("claim_due", lambda: sa.select(*DUE_COLUMNS).where(
                _D.status == "pending", _D.fire_at <= sa.bindparam("now"),
            ).order_by(_D.fire_at, _D.id).limit(sa.bindparam("n")).with_for_update(
                skip_locked=True))
            rows = [DueRow(*r) for r in tx.fetchall(claim, {"now": now, "n": self.batch_size})]
            for row in rows:
                self._one(tx, row, now, report)
        return len(rows)

    def _one(self, tx: WriteTx, row: DueRow, now: dt.datetime, report: SweepReport) -> None:
        late = now - row.fire_at > self.late_after
        report.late += late
        inst = tx.load_instance(row.instance_id, lock=True)
        if inst is None or inst.state != row.state or inst.status != ACTIVE:
            why = "the item has left that state" if inst is not None and \
                inst.state != row.state else "the item is not active"
            report.skipped += 1
            self._mark(tx, row, "skipped", now, late, why)
            return
        if row.kind == "timeout":
            self._timeout(tx, row, inst, now, late, report)
            return
        written = self._notify(tx, row, inst, now)
        report.messages += written
        if row.kind == "reminder":
            report.reminders += 1
        else:
            report.escalations += 1
        self._mark(tx, row, "done", now, late, f"{written} messages")

    def _timeout(
        self, tx: WriteTx, row: DueRow, inst: Instance, now: dt.datetime, late: bool,
        report: SweepReport,
    ) -> None:
        assert row.trigger is not None
        tx.cursor.execute("SAVEPOINT timeout_fire")
        try:
            self.workflows.fire_in(tx, inst, row.trigger, SYSTEM_ACTOR, {})
        except WorkflowError as exc:
            tx.cursor.execute("ROLLBACK TO SAVEPOINT timeout_fire")
            report.failed += 1
            report.notes.append(f"deadline {row.id}: {exc}")
            self._mark(tx, row, "failed", now, late, str(exc))
            return
        tx.cursor.execute("RELEASE SAVEPOINT timeout_fire")
        report.timeouts += 1
        self._mark(tx, row, "done", now, late, f"fired {row.trigger}")

    def _mark(
        self, tx: WriteTx, row: DueRow, status: str, now: dt.datetime, late: bool, note: str
    ) -> None:
        stmt = tx.cache.get("mark_deadline", lambda: deadlines.update().where(
            _D.id == sa.bindparam("b_id")).values(
            status=sa.bindparam("status"), done_at=sa.bindparam("at"),
            late=sa.bindparam("late"), note=sa.bindparam("note")))
        tx.execute(stmt, {"b_id": row.id, "status": status, "at": now, "late": late,
                          "note": note})

    # --- messages ------------------------------------------------------------------------

    def _notify(self, tx: WriteTx, row: DueRow, inst: Instance, now: dt.datetime) -> int:
        wf = self.workflows.catalog.compiled(inst.definition_id)
        # those who can move the item on from this state are reminded; an escalation tells
        # the escalation role that they have not
        acting = {r for t in wf.spec.transitions_from(inst.state) if not t.auto
                  for r in t.roles if r != "system"}
        roles = ({row.role} if row.role else set()) if row.kind == "escalation" else acting
        people = recipients(tx, inst, roles)
        state = wf.spec.state(inst.state)
        who = unit_label(tx, inst)
        link = f"{self.base_url}/items/{inst.id}"
        days_left = (row.due_date - self.workflows.clock.date_of(now)).days
        stmt = tx.cache.get("insert_outbox", outbox.insert, OUTBOX_COLUMNS)
        written = 0
        for person in people:
            context = {
                "title": f"{wf.spec.title.get(person.locale)} – {who}",
                "recipient": person.full_name,
                "state": state.label.get(person.locale), "due_date": row.due_date,
                "days_left": days_left, "link": link,
                "waiting_on": sorted(ROLES[r].vi if person.locale == "vi" else ROLES[r].en
                                     for r in acting if r in ROLES),
            }
            subject, body = self.render(row.kind, person.locale, context)
            channels: list[tuple[str, str | None, dt.date | None]] = [("in_app", None, None)]
            if person.email:
                digest = self.workflows.clock.date_of(now) if person.digest and \
                    row.kind == "reminder" else None
                channels.append(("email", person.email, digest))
            for channel, address, digest_date in channels:
                tx.execute(stmt, {
                    "channel": channel, "user_id": person.user_id, "address": address,
                    "kind": row.kind, "instance_id": inst.id, "deadline_id": row.id,
                    "subject": subject, "body": body, "link": link, "digest_date": digest_date,
                    "status": "pending", "attempts": 0, "created_at": now})
                written += 1
        return written


class DueRow(NamedTuple):
    """A claimed deadline row."""

    id: int
    instance_id: int
    state: str
    kind: str
    due_date: dt.date
    fire_time: dt.datetime
    role: str | None
    trigger: str | None

    @property
    def fire_at(self) -> dt.datetime:
        at = self.fire_time  # SQLite gives it back without its zone: it is UTC
        return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


DUE_COLUMNS = (_D.id, _D.instance_id, _D.state, _D.kind, _D.due_date, _D.fire_at, _D.role,
               _D.trigger)
OUTBOX_COLUMNS = ("channel", "user_id", "address", "kind", "instance_id", "deadline_id",
                  "subject", "body", "link", "digest_date", "status", "attempts", "created_at")


def unit_label(tx: WriteTx, inst: Instance) -> str:
    if inst.unit_id is not None:
        stmt = tx.cache.get("unit_name", lambda: sa.select(units.c.name).where(
            units.c.id == sa.bindparam("b_id")))
        found = tx.fetchone(stmt, {"b_id": inst.unit_id})
        if found:
            return str(found[0])
    if inst.cluster_id is not None:
        stmt = tx.cache.get("cluster_name", lambda: sa.select(clusters.c.name).where(
            clusters.c.id == sa.bindparam("b_id")))
        found = tx.fetchone(stmt, {"b_id": inst.cluster_id})
        if found:
            return str(found[0])
    return f"#{inst.id}"


def recipients(tx: WriteTx, inst: Instance, roles: set[str]) -> list[Recipient]:
    """Active users holding one of the roles for the item's unit or cluster and year — the
    cluster's leader and deputy included through the unit heads of the units that lead it."""
    if not roles:
        return []
    stmt = tx.cache.get(f"recipients:{','.join(sorted(roles))}", lambda: _recipients_query(roles))
    rows = tx.fetchall(stmt, {"b_unit": inst.unit_id or -1, "b_cluster": inst.cluster_id or -1,
                              "b_year": inst.year or -1})
    return [Recipient(*r) for r in rows]


def _recipients_query(roles: set[str]) -> Any:
    ra, u = role_assignments.c, users.c
    scope = sa.or_(ra.unit_id == sa.bindparam("b_unit"),
                   ra.cluster_id == sa.bindparam("b_cluster"),
                   sa.and_(ra.unit_id.is_(None), ra.cluster_id.is_(None)))
    direct = sa.select(u.id, u.full_name, u.email, u.locale, u.digest).join(
        role_assignments, ra.user_id == u.id).where(
        u.active, sa.or_(*(ra.role == sa.literal(r) for r in sorted(roles))), scope,
        sa.or_(ra.year.is_(None), ra.year == sa.bindparam("b_year")))
    parts = [direct]
    for role, column in (("cluster_leader", clusters.c.leader_unit_id),
                         ("cluster_deputy", clusters.c.deputy_unit_id)):
        if role in roles:
            parts.append(sa.select(u.id, u.full_name, u.email, u.locale, u.digest)
                         .join(role_assignments, ra.user_id == u.id)
                         .join(clusters, sa.and_(column == ra.unit_id,
                                                 clusters.c.year == ra.year))
                         .where(u.active, ra.role == "unit_head",
                                clusters.c.id == sa.bindparam("b_cluster")))
    union = sa.union(*parts).subquery()
    return sa.select(*union.c).order_by(union.c.id)


# --- leading the sweep -----------------------------------------------------------------------


def node_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def try_lead(workflows: Workflows, name: str, holder: str, ttl: dt.timedelta) -> bool:
    """Take or renew the lease of a job; True when this holder leads it until now + ttl."""
    now = workflows.clock.now()
    with workflows.engine.begin() as conn:
        renewed = conn.execute(leases.update().where(
            leases.c.name == name,
            sa.or_(leases.c.holder == holder, leases.c.expires_at < now),
        ).values(holder=holder, expires_at=now + ttl)).rowcount
        if renewed:
            return True
        if conn.execute(sa.select(leases.c.name).where(leases.c.name == name)).first():
            return False
    try:  # nobody has led it yet: the first insert wins
        with workflows.engine.begin() as conn:
            conn.execute(leases.insert().values(name=name, holder=holder, expires_at=now + ttl))
    except sa.exc.IntegrityError:
        return False
    return True


def release(workflows: Workflows, name: str, holder: str) -> None:
    with workflows.engine.begin() as conn:
        conn.execute(leases.delete().where(leases.c.name == name, leases.c.holder == holder))
