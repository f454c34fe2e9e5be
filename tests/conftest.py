"""Shared fixtures: services on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from workflow.bootstrap import Services, bootstrap
from workflow.clock import FakeClock
from workflow.config import PROJECT_ROOT, load_settings
from workflow.domain.roles import Actor
from workflow.services import organisations, people
from workflow.services.audit import verify

pytest_plugins = ["tests.smtp_support"]

ROOT = PROJECT_ROOT
TEST_WORKFLOWS = ROOT / "tests" / "data" / "workflows"
PG_URL = os.environ.get("THIDUA_TEST_PG_URL")
YEAR = 2025


WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1, … under pytest-xdist
TEMPLATE_CLOCK = dt.datetime(2025, 1, 6, 2, 0, tzinfo=dt.UTC)


def _pg_admin(sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on the test server."""
    assert PG_URL
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def fresh_pg_url(label: str, template: str | None = None) -> str:
    """A new database of this worker's on the test server, empty or copied from `template`;
    each worker has its own, so tests run in parallel (pytest-xdist) never share one."""
    assert PG_URL
    name = f"thidua_{label}_{WORKER}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _migrate(url: str, documents: Path) -> None:
    """What every `services` database starts from: the schema, the shipped and the test
    definitions published."""
    settings = load_settings(environ={}, overrides={
        "database": {"url": url}, "app": {"documents_dir": str(documents)}})
    svc = bootstrap(settings, clock=FakeClock(TEMPLATE_CLOCK))
    try:
        svc.upgrade_schema()
        svc.catalog.sync([ROOT / "definitions", TEST_WORKFLOWS], base=ROOT)
        if url.startswith("sqlite"):
            with svc.engine.connect() as conn:  # the file alone holds everything: no WAL left
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        svc.close()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """Migrating takes longer than copying: each worker migrates once per kind of database, and
    every test that uses `services` starts from a copy (a file copy for SQLite,
    CREATE DATABASE … TEMPLATE for PostgreSQL). Gives the template of a kind, made at first use."""
    made: dict[str, str] = {}

    def template(kind: str) -> str:
        if kind not in made:
            folder = tmp_path_factory.mktemp("template")
            if kind == "sqlite":
                path = folder / "template.db"
                _migrate(f"sqlite:///{path}", folder / "documents")
                made[kind] = str(path)
            else:
                url = fresh_pg_url("template")
                _migrate(url, folder / "documents")
                made[kind] = sa.make_url(url).database or ""
        return made[kind]

    return template


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_template: Callable[[str], str]
) -> str:
    """A fresh database of each kind: migrated with the definitions published when the test
    uses `services`, empty otherwise."""
    migrated = "services" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "thidua.db"
        if migrated:
            shutil.copyfile(migrated_template("sqlite"), path)
        return f"sqlite:///{path}"
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("THIDUA_TEST_PG_URL is not set: run the tests with `make test`")
        pytest.skip("PostgreSQL not configured (THIDUA_TEST_PG_URL); `make test` starts one")
    return fresh_pg_url("test", migrated_template("postgresql") if migrated else None)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TEMPLATE_CLOCK)


@pytest.fixture
def services(
    db_url: str, clock: FakeClock, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Services]:
    """Services on a migrated database with the shipped and the test definitions published
    (copied from the worker's template by `db_url`)."""
    settings = load_settings(
        environ={},
        overrides={
            "database": {"url": db_url},
            "app": {"documents_dir": str(tmp_path / "documents")},
        },
    )
    svc = bootstrap(settings, clock=clock)
    yield svc
    try:
        assert_history_intact(svc, request)
    finally:
        svc.close()


def assert_history_intact(svc: Services, request: pytest.FixtureRequest) -> None:
    """`thidua audit verify` on the database every test used: whatever the test did through
    the services, every history chain must still verify (tests that tamper on purpose say so)."""
    if request.node.get_closest_marker("tampers"):
        return
    report = verify(svc.engine, svc.chain)
    problems = "\n".join(str(p) for p in report.problems[:10])
    assert report.ok, f"the history chain does not verify after this test:\n{problems}"


@dataclass
class Org:
    """A bloc of three units in 2025 with a user per role; the leader heads unit a."""

    services: Services
    units: dict[str, int]
    cluster: int
    other_cluster: int
    users: dict[str, int]

    def actor(self, username: str) -> Actor:
        found = people.actor(self.services.engine, self.users[username])
        assert found is not None
        return found


@pytest.fixture
def org(services: Services) -> Org:
    engine = services.engine
    units = {code: organisations.create_unit(engine, code, f"Đơn vị {code}") for code in "abcd"}
    cluster = organisations.create_cluster(
        engine, "K1", "Khối 1", "khoi", YEAR, [units["a"], units["b"], units["c"]]
    )
    other = organisations.create_cluster(engine, "K2", "Khối 2", "khoi", YEAR, [units["d"]])
    users: dict[str, int] = {}

    def user(name: str, *grants: tuple[str, dict[str, int | None]]) -> None:
        users[name] = people.create_user(engine, name, name.replace("_", " ").title())
        for role, scope in grants:
            people.grant(engine, users[name], role, **scope)

    user("admin", ("admin", {}))
    user("office", ("council_secretariat", {"year": YEAR}))
    for code in "abcd":
        user(f"officer_{code}", ("unit_officer", {"unit_id": units[code], "year": YEAR}))
        user(f"head_{code}", ("unit_head", {"unit_id": units[code], "year": YEAR}))
    people.grant(engine, users["head_a"], "cluster_leader", cluster_id=cluster, year=YEAR)
    people.grant(engine, users["head_b"], "cluster_deputy", cluster_id=cluster, year=YEAR)
    user("leader_2024", ("cluster_leader", {"cluster_id": cluster, "year": 2024}))
    user("leader_k2", ("cluster_leader", {"cluster_id": other, "year": YEAR}))
    return Org(services, units, cluster, other, users)
