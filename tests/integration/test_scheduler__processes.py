"""The sweep across real processes: killed in the middle of a batch it loses and duplicates
nothing; two processes sweeping at once never send the same reminder twice."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from tests.year_support import Bloc, launch, make_bloc
from workflow.adapters.tables import deadlines, outbox
from workflow.bootstrap import Services
from workflow.clock import FakeClock

EXTRA = 600  # reminder rows per pledge added on top of the real ones, all overdue
NOW = "2025-12-31T09:00"


@pytest.fixture
def bloc(services: Services, clock: FakeClock) -> Bloc:
    services.criteria.sync([services.settings.definitions_dir / "criteria"],
                           base=services.settings.definitions_dir.parent)
    bloc = make_bloc(services, clock)
    launch(bloc)
    _many_due_rows(bloc)
    return bloc


def _many_due_rows(bloc: Bloc) -> None:
    """A backlog: many overdue reminders for the eight pledges still in draft."""
    fire_at = dt.datetime(2025, 3, 1, 1, 0, tzinfo=dt.UTC)
    rows = [{"instance_id": p.id, "state": "draft", "entry_version": p.version,
             "kind": "reminder", "days_before": 100 + n, "due_date": dt.date(2025, 3, 26),
             "fire_at": fire_at, "anchor": "campaign_date:pledge_deadline:-5",
             "status": "pending"}
            for p in bloc.children("pledge") for n in range(EXTRA)]
    with bloc.services.engine.begin() as conn:
        conn.execute(deadlines.insert(), rows)


def _sweep_process(url: str, batch: int) -> subprocess.Popen[str]:
    env = {**os.environ, "THIDUA_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "workflow.cli", "sweep", "--now", NOW, "--batch", str(batch)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _counts(bloc: Bloc) -> tuple[int, int, int, int]:
    """(pending rows, done rows, outbox rows, distinct (deadline, user, channel) in outbox)."""
    d, o = deadlines.c, outbox.c
    with bloc.services.engine.connect() as conn:
        pending = conn.execute(sa.select(sa.func.count()).where(d.status == "pending")).scalar()
        done = conn.execute(sa.select(sa.func.count()).where(d.status == "done")).scalar()
        sent = conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar()
        distinct = conn.execute(sa.select(sa.func.count()).select_from(
            sa.select(o.deadline_id, o.user_id, o.channel).distinct().subquery())).scalar()
    return int(pending or 0), int(done or 0), int(sent or 0), int(distinct or 0)


def _pledge_reminders(bloc: Bloc) -> tuple[int, int]:
    """(pledge reminder rows, messages written for them): each goes to the unit's officer
    and head, so there must be exactly two messages per row."""
    d, o = deadlines.c, outbox.c
    pledges = [p.id for p in bloc.children("pledge")]
    with bloc.services.engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).where(
            d.kind == "reminder", d.instance_id.in_(pledges))).scalar()
        sent = conn.execute(sa.select(sa.func.count()).select_from(outbox).join(
            deadlines, d.id == o.deadline_id).where(
            d.kind == "reminder", d.instance_id.in_(pledges))).scalar()
    return int(rows or 0), int(sent or 0)


def test_a_sweep_killed_mid_batch_loses_and_duplicates_nothing(
    bloc: Bloc, db_url: str
) -> None:
    proc = _sweep_process(db_url, batch=25)
    deadline = time.monotonic() + 60
    while _counts(bloc)[1] < 50 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)  # reap it and close its pipes
    pending_after_kill, done_after_kill, _, _ = _counts(bloc)

    rerun = _sweep_process(db_url, batch=200)
    out, err = rerun.communicate(timeout=300)

    assert rerun.returncode == 0, err
    assert pending_after_kill > 0, "the kill came too late to interrupt the sweep"
    assert done_after_kill > 0
    pending, done, sent, distinct = _counts(bloc)
    assert pending == 0
    assert sent == distinct  # nothing written twice
    rows, messages = _pledge_reminders(bloc)
    assert messages == 2 * rows  # nothing lost: the officer and the head, for every reminder


def test_two_processes_sweeping_at_once_never_send_a_reminder_twice(
    bloc: Bloc, db_url: str
) -> None:
    first, second = _sweep_process(db_url, batch=20), _sweep_process(db_url, batch=20)
    results = [p.communicate(timeout=300) for p in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], results
    pending, done, sent, distinct = _counts(bloc)
    assert pending == 0
    assert sent == distinct
    rows, messages = _pledge_reminders(bloc)
    assert messages == 2 * rows
    processed = [int(re.search(r"(\d+) due", out).group(1)) for out, _ in results]  # type: ignore[union-attr]
    assert sum(processed) == done  # each row handled by exactly one of the two
