"""One clock and one time zone: the clock tells UTC and local dates in the configured zone, and
no other module reads the system time or builds a time zone of its own."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from workflow.clock import Clock, FakeClock
from workflow.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
# the clock reads the system time, config builds the zone; APScheduler's first run is real
# time on purpose (the scheduler wakes on the wall clock, never on a fake one)
ALLOWED = {"workflow/clock.py", "workflow/config.py", "workflow/adapters/background.py"}


def test_the_local_date_changes_at_local_midnight() -> None:
    clock = FakeClock(dt.datetime(2025, 3, 9, 16, 59, tzinfo=dt.UTC))  # 23:59 in Hà Nội

    before = clock.today()
    clock.advance(minutes=1)

    assert before == dt.date(2025, 3, 9)
    assert clock.today() == dt.date(2025, 3, 10)
    assert clock.local().isoformat() == "2025-03-10T00:00:00+07:00"
    assert clock.now().tzinfo is dt.UTC


def test_a_naive_stored_time_is_taken_as_utc() -> None:
    clock = Clock("Asia/Ho_Chi_Minh")

    assert clock.date_of(dt.datetime(2025, 3, 9, 17, 0)) == dt.date(2025, 3, 10)


def test_the_configured_zone_reaches_the_clock_and_the_rules(tmp_path: Path) -> None:
    from workflow.bootstrap import bootstrap

    settings = load_settings(environ={"THIDUA_APP_TIMEZONE": "Europe/Paris"}, overrides={
        "database": {"url": f"sqlite:///{tmp_path}/tz.db"}})
    services = bootstrap(settings)
    try:
        assert str(services.clock.tz) == "Europe/Paris"
        with services.workflows.store.read() as query:
            assert str(query.tz) == "Europe/Paris"
    finally:
        services.close()


def _offenders(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            owner = node.func.value if isinstance(node.func, ast.Attribute) else None
            owner_name = getattr(owner, "attr", None) or getattr(owner, "id", None)
            if name == "ZoneInfo" or (name in ("now", "today", "utcnow")
                                      and owner_name in ("datetime", "date")):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                "+07:00" in node.value or node.value == "Asia/Ho_Chi_Minh"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    return found


def test_only_the_clock_reads_the_time_and_only_config_names_the_zone() -> None:
    files = [p for folder in ("workflow", "web") for p in (ROOT / folder).rglob("*.py")
             if str(p.relative_to(ROOT)) not in ALLOWED and "migrations" not in p.parts]

    assert [hit for path in files for hit in _offenders(path)] == []
