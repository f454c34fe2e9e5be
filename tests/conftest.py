"""Shared fixtures: services on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from workflow.bootstrap import Services, bootstrap
from workflow.clock import FakeClock
from workflow.config import PROJECT_ROOT, load_settings
from workflow.domain import ballot_box
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


# Databases of this run are named after THIDUA_TEST_PG_URL's, so runs pointed at other
# databases of the same server never drop each other's.
_PG_BASE = (sa.make_url(PG_URL).database or "thidua") if PG_URL else "thidua"


def _pg_admin(sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on the test server."""
    assert PG_URL
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def _no_flush_wait(name: str) -> None:
    """A test database is thrown away: its commits need not wait for the disk (every session
    still sees them at once; only a crash of the server itself could lose them)."""
    _pg_admin(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


def fresh_pg_url(label: str, template: str | None = None) -> str:
    """A new database of this worker's on the test server, empty or copied from `template`;
    each worker has its own, so tests run in parallel (pytest-xdist) never share one."""
    assert PG_URL
    name = f"{_PG_BASE}_{label}_{WORKER}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    _no_flush_wait(name)
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


REAL_KEY_BITS = ballot_box.KEY_BITS  # the counting key's size in production


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """scrypt at its real cost takes 0.15 s a hash, and most web tests sign someone in: in this
    process passwords are hashed with the same algorithm and code at a far lower cost
    (test_passwords checks the real one; subprocesses such as the CLI keep it).

    Likewise a vote's Paillier counting key: at 2,048 bits a key takes ~0.1 s to make and a
    ballot ~0.05 s to seal, and hundreds of tests open votes and cast ballots; in this process
    keys have 512 bits, through the same code (test_ballot_box makes and uses real-size ones)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(people, "PASSWORD_HASH", "scrypt:1024:8:1")
    patch.setattr(ballot_box, "KEY_BITS", 512)
    yield
    patch.undo()


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
    report = verify(svc.uow(), svc.chain)
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
        found = people.actor(self.services.uow(), self.users[username])
        assert found is not None
        return found


@pytest.fixture
def org(services: Services) -> Org:
    uow = services.uow()
    units = {code: organisations.create_unit(uow, code, f"Đơn vị {code}") for code in "abcd"}
    cluster = organisations.create_cluster(
        uow, "K1", "Khối 1", "khoi", YEAR, [units["a"], units["b"], units["c"]]
    )
    other = organisations.create_cluster(uow, "K2", "Khối 2", "khoi", YEAR, [units["d"]])
    users: dict[str, int] = {}

    def user(name: str, *grants: tuple[str, dict[str, int | None]]) -> None:
        users[name] = people.create_user(uow, name, name.replace("_", " ").title())
        for role, scope in grants:
            people.grant(uow, users[name], role, **scope)

    user("admin", ("admin", {}))
    user("office", ("council_secretariat", {"year": YEAR}))
    for code in "abcd":
        user(f"officer_{code}", ("unit_officer", {"unit_id": units[code], "year": YEAR}))
        user(f"head_{code}", ("unit_head", {"unit_id": units[code], "year": YEAR}))
    people.grant(uow, users["head_a"], "cluster_leader", cluster_id=cluster, year=YEAR)
    people.grant(uow, users["head_b"], "cluster_deputy", cluster_id=cluster, year=YEAR)
    user("leader_2024", ("cluster_leader", {"cluster_id": cluster, "year": 2024}))
    user("leader_k2", ("cluster_leader", {"cluster_id": other, "year": YEAR}))
    return Org(services, units, cluster, other, users)


# --- snapshots of a fixture's world ------------------------------------------------------------

T = TypeVar("T")


@dataclass
class _Saved:
    database: str  # a file (SQLite) or a database name (PostgreSQL)
    documents: Path
    now: dt.datetime
    value: Any
    services: Services  # the originals the value refers to, mapped to a test's own on restore
    clock: FakeClock


class Snapshots:
    """Worlds that take seconds to build (a bloc walked to its year-end vote), built once per
    worker and kind of database, then restored for every test that needs them: the database
    (a file copy for SQLite, CREATE DATABASE … TEMPLATE for PostgreSQL), the stored documents,
    the clock, and a deep copy of what the build returned, bound to the test's own services."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.saved: dict[tuple[str, str], _Saved] = {}

    def world(self, key: str, services: Services, clock: FakeClock, build: Callable[[], T]) -> T:
        url = services.settings.database_url
        kind = "sqlite" if url.startswith("sqlite") else "postgresql"
        key = f"{key} from {clock.now().isoformat()}"  # a world built at another time differs
        saved = self.saved.get((key, kind))
        if saved is None:
            value = build()
            self.saved[(key, kind)] = self._save(key, kind, services, clock, value)
            return value
        self._restore(saved, services, clock)
        memo = {id(saved.services): services, id(saved.clock): clock}
        restored: T = copy.deepcopy(saved.value, memo)
        return restored

    def _save(
        self, key: str, kind: str, services: Services, clock: FakeClock, value: Any
    ) -> _Saved:
        n = len(self.saved)
        folder = self.folder / f"{n}-{kind}"
        folder.mkdir()
        url = services.settings.database_url
        services.engine.dispose()  # no connection may stay open on a template database
        if kind == "sqlite":
            database = str(folder / "snapshot.db")
            with closing(sqlite3.connect(url[len("sqlite:///"):])) as source, \
                    closing(sqlite3.connect(database)) as target:
                source.backup(target)
        else:
            database = f"{_PG_BASE}_snapshot{n}_{WORKER}"
            _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            _pg_admin(f'CREATE DATABASE "{database}" TEMPLATE "{sa.make_url(url).database}"')
        documents = folder / "documents"
        if services.settings.documents_dir.exists():
            shutil.copytree(services.settings.documents_dir, documents)
        kept = copy.deepcopy(value, {id(services): services, id(clock): clock})
        return _Saved(database, documents, clock.now(), kept, services, clock)

    def _restore(self, saved: _Saved, services: Services, clock: FakeClock) -> None:
        url = services.settings.database_url
        services.engine.dispose()
        if url.startswith("sqlite"):
            path = url[len("sqlite:///"):]
            for suffix in ("-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
            shutil.copyfile(saved.database, path)
        else:
            name = sa.make_url(url).database
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{saved.database}"')
            _no_flush_wait(name)
        if saved.documents.exists():
            shutil.copytree(saved.documents, services.settings.documents_dir, dirs_exist_ok=True)
        clock.set(saved.now)


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Snapshots:
    return Snapshots(tmp_path_factory.mktemp("snapshots"))
