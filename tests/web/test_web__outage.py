"""PostgreSQL stopped and started under the running app: requests fail with a clear 503 while
it is down, nothing is half-written, and the same requests succeed once it is back."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import ROOT, TEST_WORKFLOWS
from tests.year_support import Bloc, launch, make_bloc
from web import create_app
from workflow.bootstrap import Services, bootstrap
from workflow.clock import FakeClock
from workflow.config import load_settings
from workflow.services import people

PORT = "54339"  # a server of its own: stopping it disturbs no other test
ENV = {**os.environ, "THIDUA_PG_PORT": PORT, "THIDUA_PG_DATA": f"/tmp/thidua-pg-{PORT}",
       "THIDUA_PG_DB": "outage"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def pg(action: str) -> str:
    done = subprocess.run([str(ROOT / "scripts" / "pg.sh"), action], env=ENV, text=True,
                          capture_output=True, timeout=120, check=False)
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"pg.sh {action}: {done.stderr}")
        pytest.skip(f"PostgreSQL not available: {done.stderr.strip()}")
    return done.stdout.strip()


@pytest.fixture
def outage_services(clock: FakeClock, tmp_path: Path) -> Iterator[Services]:
    url = pg("start")
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    settings = load_settings(environ={}, overrides={
        "database": {"url": url}, "app": {"documents_dir": str(tmp_path / "documents")}})
    svc = bootstrap(settings, clock=clock)
    svc.upgrade_schema()
    svc.sync_definitions()
    svc.catalog.sync([TEST_WORKFLOWS], base=ROOT)
    yield svc
    svc.close()
    pg("start")  # leave it running for the next run


def test_requests_get_503_while_postgresql_is_down_and_work_again_after(
    outage_services: Services, clock: FakeClock
) -> None:
    bloc: Bloc = make_bloc(outage_services, clock)
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    people.set_password(outage_services.uow(), bloc.users["bca_officer"], "mat-khau-thu")
    app: Flask = create_app(services=outage_services, testing=True)
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": "bca_officer", "password": "mat-khau-thu",
                                "csrf_token": token})
    page = client.get(f"/items/{pledge.id}").get_data(as_text=True)
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    history_before = len(bloc.wf.history(pledge.id))

    pg("stop")
    try:
        down_page = client.get("/")
        down_post = client.post(f"/items/{pledge.id}/targets", data={
            "target:hoan_thanh_chi_tieu": "100", "csrf_token": token})
    finally:
        pg("start")

    assert down_page.status_code == 503
    assert "Cơ sở dữ liệu tạm thời không truy cập được" in down_page.get_data(as_text=True)
    assert down_page.headers["Retry-After"] == "5"
    assert down_post.status_code == 503
    assert len(bloc.wf.history(pledge.id)) == history_before  # nothing half-written
    # a pooled connection from before the restart may fail one more request; then it works
    assert [client.get("/").status_code for _ in range(3)][-1] == 200
    again = client.post(f"/items/{pledge.id}/targets", data={
        "target:hoan_thanh_chi_tieu": "100", "csrf_token": token})
    assert again.status_code == 302
    assert len(bloc.wf.history(pledge.id)) == history_before + 1
