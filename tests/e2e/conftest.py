"""Browser tests: the real app served on loopback, driven by Playwright in Debian's Chromium
(headless); screenshots go to test-output/screenshots."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import ROOT
from tests.year_support import Bloc, make_bloc
from web import create_app
from workflow.bootstrap import Services, bootstrap
from workflow.clock import FakeClock
from workflow.config import load_settings
from workflow.services import people

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "test-output" / "screenshots"
PASSWORD = "mat-khau-e2e"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def e2e_services(tmp_path: Path, clock: FakeClock) -> Iterator[Services]:
    settings = load_settings(environ={}, overrides={
        "database": {"url": f"sqlite:///{tmp_path}/e2e.db"},
        "app": {"documents_dir": str(tmp_path / "documents")},
        "scheduler": {"enabled": False}})
    svc = bootstrap(settings, clock=clock)
    svc.upgrade_schema()
    svc.sync_definitions()
    yield svc
    svc.close()


@pytest.fixture
def bloc(e2e_services: Services, clock: FakeClock) -> Bloc:
    bloc = make_bloc(e2e_services, clock)
    bloc.users["admin"] = people.create_user(e2e_services.uow(), "admin", "Quản trị")
    people.grant(e2e_services.uow(), bloc.users["admin"], "admin")
    for name in ("btp_head", "bca_head", "bca_officer", "vu_tdkt", "admin"):
        people.set_password(e2e_services.uow(), bloc.users[name], PASSWORD)
    return bloc


@pytest.fixture
def server(e2e_services: Services, bloc: Bloc) -> Iterator[str]:
    app = create_app(services=e2e_services)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is not installed: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


class Session:
    """One person in their own browser context."""

    def __init__(self, browser: object, base: str, username: str) -> None:
        self.context = browser.new_context(locale="vi-VN")  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.base = base
        self.page.goto(f"{base}/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{base}/")

    def open(self, path: str) -> object:
        self.page.goto(f"{self.base}{path}")
        return self.page

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
