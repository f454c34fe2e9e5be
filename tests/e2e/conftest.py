"""Browser tests: the real app served on loopback, driven by Playwright in Debian's Chromium
(headless); screenshots go to test-output/screenshots."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def _buffered(app: Any) -> Any:
    """The app with every body read and closed before the server writes it.

    werkzeug's development server closes a response (and so a static file it streams) only
    after draining the connection; when the browser drops the connection first (Chromium
    closing at the end of a test while a 304 for a style sheet is on its way) the drain raises
    and the file is left to the garbage collector, which the suite's warnings-as-errors turns
    into a failure of whichever test runs next. The pages are small: buffering costs nothing."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@contextmanager
def serving(services: Services) -> Iterator[str]:
    """The real app on a loopback port, in a thread; its base URL."""
    httpd = make_server("127.0.0.1", 0, _buffered(create_app(services=services)), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(e2e_services: Services, bloc: Bloc) -> Iterator[str]:
    with serving(e2e_services) as base:
        yield base


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
