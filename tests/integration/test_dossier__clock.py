"""The appraisal clock pauses while a dossier is returned for supplement, and everything that
keeps time for it follows the same paused clock: the deadline rows, the inbox's due date, the
reminders and the escalation to the council's chair."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import Snapshots
from tests.integration.test_dossier import attach, cluster_vote, council_bloc, local
from tests.year_support import Bloc
from workflow.adapters.tables import deadlines, outbox
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.definitions.calendar_loader import load_calendar_paths
from workflow.engine.instance import Instance
from workflow.services import dossiers, inbox

DOCUMENTS = ["to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_suy_ton_cum"]


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    return council_bloc(services, clock, snapshots)


def pending(bloc: Bloc, dossier_id: int) -> list[dict[str, object]]:
    d = deadlines.c
    stmt = sa.select(deadlines).where(d.instance_id == dossier_id, d.status == "pending"
                                      ).order_by(d.fire_at)
    with bloc.services.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def utc(value: object) -> dt.datetime:
    """A stored time as UTC (SQLite keeps it without its zone)."""
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def escalations(bloc: Bloc, dossier_id: int) -> list[dict[str, object]]:
    o = outbox.c
    stmt = sa.select(outbox).where(o.instance_id == dossier_id, o.kind == "escalation")
    with bloc.services.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def under_appraisal(bloc: Bloc, folder: Path) -> Instance:
    wf = bloc.wf
    [dossier] = dossiers.open_dossiers(wf, cluster_vote(bloc, folder).id, bloc.leader, folder)
    wf.fire(dossier, "post", bloc.leader)
    bloc.clock.set(local("2025-12-24"))
    attach(bloc, dossier, DOCUMENTS, folder)
    wf.fire(dossier.id, "submit", bloc.leader)
    wf.fire(dossier.id, "receive", bloc.actor("vu_tdkt"))
    bloc.clock.set(local("2026-01-05"))
    return wf.fire(dossier.id, "start_appraisal", bloc.actor("vu_tdkt")).instance


def test_two_returns_pause_the_clock_and_the_deadline_rows_inbox_and_escalation_follow(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    calendar = load_calendar_paths([bloc.services.settings.definitions_dir / "holidays"])
    assert wf.rulebook is not None
    dossier = under_appraisal(bloc, tmp_path)
    ref = dossier.data["rule_set"]
    period = wf.rulebook.get(ref["code"], ref["version"]).appraisal_working_days.value

    bloc.clock.set(local("2026-01-09"))  # 6, 7, 8, 9 January: four working days
    wf.fire(dossier.id, "return", office, {"comment": "Bổ sung số liệu", "missing": ["số liệu"]})
    assert pending(bloc, dossier.id)[-1]["state"] == "returned"  # the unit's own deadline
    bloc.clock.set(local("2026-01-16"))  # paused meanwhile: Saturday 10 January worked, unused
    wf.fire(dossier.id, "resubmit", bloc.leader)
    bloc.clock.set(local("2026-01-21"))  # 19, 20, 21 January: three more
    wf.fire(dossier.id, "return", office, {"comment": "Bổ sung lần 2", "missing": ["biên bản"]})
    bloc.clock.set(local("2026-02-02"))
    dossier = wf.fire(dossier.id, "resubmit", bloc.leader).instance

    # what is left of the period, counted from today over the holiday calendar (Tết 2026)
    due = calendar.add_working_days(dt.date(2026, 2, 2), period - 7)
    assert calendar.working_days_between(dt.date(2026, 2, 2), due) == period - 7
    assert due > dt.date(2026, 2, 22)  # the count jumps over Tết
    assert dossier.data["appraisal_days_used"] == 7
    assert dossier.data["appraisal_due"] == due.isoformat()

    rows = pending(bloc, dossier.id)
    assert {r["state"] for r in rows} == {"appraising"}
    assert [(r["kind"], r["days_before"]) for r in rows] == [
        ("reminder", 5), ("reminder", 2), ("escalation", 0)]
    assert {r["due_date"] for r in rows} == {due}
    assert utc(rows[0]["fire_at"]) == local((due - dt.timedelta(days=5)).isoformat(), 8)
    assert utc(rows[-1]["fire_at"]) == local((due + dt.timedelta(days=1)).isoformat(), 0)
    [item] = [i for i in inbox.waiting_for(wf, office)[0] if i.id == dossier.id]
    assert item.due == due

    bloc.clock.set(local(due.isoformat(), 23))
    bloc.services.sweeper().sweep()
    assert escalations(bloc, dossier.id) == []
    bloc.clock.set(local((due + dt.timedelta(days=1)).isoformat(), 1))
    bloc.services.sweeper().sweep()
    assert {e["user_id"] for e in escalations(bloc, dossier.id)} == {bloc.users["hd_chutich"]}


def test_the_clock_goes_no_further_back_than_today_when_the_period_is_used_up(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    dossier = under_appraisal(bloc, tmp_path)
    bloc.clock.set(local("2026-03-02"))  # past the whole period
    wf.fire(dossier.id, "return", office, {"comment": "Bổ sung", "missing": ["số liệu"]})
    bloc.clock.set(local("2026-03-04"))

    dossier = wf.fire(dossier.id, "resubmit", bloc.leader).instance

    assert dossier.data["appraisal_due"] == "2026-03-04"  # the period is spent: due today
    assert {r["due_date"] for r in pending(bloc, dossier.id)} == {dt.date(2026, 3, 4)}
