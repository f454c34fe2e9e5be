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

from workflow.clock import Clock
from workflow.domain.roles import ROLES, SYSTEM_ACTOR
from workflow.engine.instance import ACTIVE, Instance
from workflow.errors import WorkflowError
from workflow.services import naming
from workflow.services.ports import EngineTxQueries, UnitOfWork
from workflow.services.workflows import Workflows

Render = Callable[[str, str, Mapping[str, Any]], tuple[str, str]]


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
        with self.workflows.store.write() as tx:
            queries = self.workflows.catalog.uow().in_engine_tx(tx)

            def fire(inst: Instance, trigger: str) -> None:
                self.workflows.fire_in(tx, inst, trigger, SYSTEM_ACTOR, {})

            rows = [DueRow(*r) for r in queries.claim_due(now, self.batch_size)]
            for row in rows:
                inst = tx.load_instance(row.instance_id, lock=True)
                self._one(queries, fire, row, inst, now, report)
        return len(rows)

    def _one(
        self, tx: EngineTxQueries, fire: Callable[[Instance, str], None], row: DueRow,
        inst: Instance | None, now: dt.datetime, report: SweepReport,
    ) -> None:
        late = now - row.fire_at > self.late_after
        report.late += late
        if inst is None or inst.state != row.state or inst.status != ACTIVE:
            why = "the item has left that state" if inst is not None and \
                inst.state != row.state else "the item is not active"
            report.skipped += 1
            self._mark(tx, row, "skipped", now, late, why)
            return
        if row.kind == "timeout":
            self._timeout(tx, fire, row, inst, now, late, report)
            return
        written = self._notify(tx, row, inst, now)
        report.messages += written
        if row.kind == "reminder":
            report.reminders += 1
        else:
            report.escalations += 1
        self._mark(tx, row, "done", now, late, f"{written} messages")

    def _timeout(
        self, tx: EngineTxQueries, fire: Callable[[Instance, str], None], row: DueRow,
        inst: Instance, now: dt.datetime, late: bool, report: SweepReport,
    ) -> None:
        assert row.trigger is not None
        try:
            with tx.savepoint("timeout_fire"):
                fire(inst, row.trigger)
        except WorkflowError as exc:
            report.failed += 1
            report.notes.append(f"deadline {row.id}: {exc}")
            self._mark(tx, row, "failed", now, late, str(exc))
            return
        report.timeouts += 1
        self._mark(tx, row, "done", now, late, f"fired {row.trigger}")

    def _mark(
        self, tx: EngineTxQueries, row: DueRow, status: str, now: dt.datetime, late: bool,
        note: str,
    ) -> None:
        tx.mark_deadline(row.id, status, now, late, note)

    # --- messages ------------------------------------------------------------------------

    def _notify(self, tx: EngineTxQueries, row: DueRow, inst: Instance, now: dt.datetime) -> int:
        wf = self.workflows.catalog.compiled(inst.definition_id)
        # those who can move the item on from this state are reminded; an escalation tells
        # the escalation role that they have not
        acting = {r for t in wf.spec.transitions_from(inst.state) if not t.auto
                  for r in t.roles if r != "system"}
        roles = ({row.role} if row.role else set()) if row.kind == "escalation" else acting
        people = recipients(tx, inst, roles)
        state = wf.spec.state(inst.state)
        who = tx.unit_label(inst)
        names = naming.Names({inst.unit_id: who} if inst.unit_id is not None else {},
                             {inst.cluster_id: who} if inst.cluster_id is not None else {})
        link = f"{self.base_url}{naming.item_path(inst.workflow, inst.id)}"
        days_left = (row.due_date - self.workflows.clock.date_of(now)).days
        written = 0
        for person in people:
            context = {
                "title": naming.item_title(wf.spec.title, inst, names, person.locale),
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
                tx.add_message({
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


def recipients(tx: EngineTxQueries, inst: Instance, roles: set[str]) -> list[Recipient]:
    """Active users holding one of the roles for the item's unit or cluster and year — the
    cluster's leader and deputy included through the unit heads of the units that lead it."""
    return [Recipient(*r) for r in tx.recipients(inst, roles)]


# --- leading the sweep -----------------------------------------------------------------------


def node_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def try_lead(uow: UnitOfWork, clock: Clock, name: str, holder: str, ttl: dt.timedelta
             ) -> bool:
    """Take or renew the lease of a job; True when this holder leads it until now + ttl."""
    now = clock.now()
    with uow:
        if uow.leases.renew(name, holder, now, now + ttl):
            return True
        if uow.leases.exists(name):
            return False
    with uow:  # nobody has led it yet: the first insert wins
        return uow.leases.take(name, holder, now + ttl)


def release(uow: UnitOfWork, name: str, holder: str) -> None:
    with uow:
        uow.leases.release(name, holder)
