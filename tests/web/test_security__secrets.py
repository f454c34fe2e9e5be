"""The session and history keys are the installation's own: the example values shipped in
config.toml (which anyone can read) are never used, whatever the scheme the site is served on."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from tests.conftest import YEAR, Org
from tests.year_support import Bloc
from web import create_app
from workflow.adapters.tables import history
from workflow.bootstrap import Services, bootstrap
from workflow.config import Settings, load_settings
from workflow.engine.hashing import HistoryChain
from workflow.errors import InvalidInput
from workflow.secrets import generated_secret
from workflow.services import people
from workflow.services.audit import verify

EXAMPLE_SECRET = "change-me-in-production"
EXAMPLE_CHAIN = "thidua-development-chain-key"


def _settings(services: Services, instance: Path, **app: str) -> Settings:
    return load_settings(environ={}, overrides={
        "database": {"url": services.settings.database.url},
        "app": {"instance_dir": str(instance), **app},
        "audit": {"chain_key": EXAMPLE_CHAIN}})


def _forged_cookie(key: str, payload: dict[str, object]) -> str:
    forger = Flask("forger")
    forger.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    assert serializer is not None
    return serializer.dumps(payload)


@pytest.mark.parametrize("configured", [EXAMPLE_SECRET, "dev", ""])
def test_a_session_signed_with_the_example_secret_is_not_accepted_over_http(
    services: Services, bloc: Bloc, tmp_path: Path, configured: str,
) -> None:
    admin = people.create_user(services.uow(), "quan_tri", "Quản trị")
    people.grant(services.uow(), admin, "admin")
    actor = people.actor(services.uow(), admin)
    assert actor is not None
    settings = _settings(services, tmp_path / "instance", secret_key=configured,
                         base_url="http://127.0.0.1:5000")
    client = create_app(settings, services, testing=True).test_client()
    client.set_cookie("session", _forged_cookie(EXAMPLE_SECRET, {
        "_user_id": str(admin), "epoch": actor.extra.get("session_epoch"), "_fresh": True}))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_generated_session_secret_is_private_and_shared_by_every_app(
    services: Services, tmp_path: Path,
) -> None:
    instance = tmp_path / "instance"
    settings = _settings(services, instance, secret_key=EXAMPLE_SECRET)

    first = create_app(settings, services, testing=True)
    second = create_app(settings, services, testing=True)

    path = instance / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.secret_key == second.secret_key == path.read_text().strip()
    assert first.secret_key not in (EXAMPLE_SECRET, "dev")
    assert len(str(first.secret_key)) >= 32


def test_a_configured_secret_of_the_site_is_used_as_it_is(services: Services,
                                                          tmp_path: Path) -> None:
    app = create_app(_settings(services, tmp_path, secret_key="k" * 32), services, testing=True)

    assert app.secret_key == "k" * 32
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:5000", "https://thidua.example.gov.vn"])
def test_a_short_secret_is_refused_naming_the_variable(services: Services, tmp_path: Path,
                                                       base_url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_app(_settings(services, tmp_path, secret_key="short", base_url=base_url),
                   services, testing=True)

    assert "app.secret_key: shorter than 16 characters" in str(refused.value)
    assert "THIDUA_APP_SECRET_KEY" in str(refused.value)


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    found: list[str] = []

    def read() -> None:
        found.append(generated_secret(tmp_path, "chain_key"))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(found)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chain_key"]  # no temporary left


@pytest.mark.tampers
def test_a_chain_rewritten_with_the_example_chain_key_is_reported(org: Org,
                                                                  tmp_path: Path) -> None:
    """Before: services built from config.toml's example key accepted a chain re-sealed by
    anyone who had read config.toml."""
    settings = _settings(org.services, tmp_path / "instance")
    services = bootstrap(settings, clock=org.services.clock)
    try:
        wf = services.workflows
        item = wf.start("approval", org.actor("officer_c"), unit_id=org.units["c"],
                        cluster_id=org.cluster, year=YEAR)
        wf.fire(item, "submit", org.actor("officer_c"), {"title": "Báo cáo"})
        wf.fire(item, "return", org.actor("head_a"), {"comment": "Bổ sung số liệu"})
        assert verify(services.uow(), services.chain).ok
        forger = HistoryChain(EXAMPLE_CHAIN)
        with services.engine.begin() as conn:
            rows = conn.execute(sa.select(history).where(history.c.instance_id == item.id)
                                .order_by(history.c.seq)).mappings().all()
            prev = rows[0]["prev_hash"]
            for row in rows:
                entry = dict(row) | {"prev_hash": prev}
                if row["seq"] == 3:
                    entry["comment"] = "đã sửa"
                prev = forger.entry_hash(prev, entry)
                conn.execute(history.update().where(history.c.id == row["id"]).values(
                    comment=entry["comment"], prev_hash=entry["prev_hash"], hash=prev))

        report = verify(services.uow(), services.chain)

        assert not report.ok
        assert f"instance {item.id}, entry 3: content was altered after it was written" in [
            str(p) for p in report.problems]
    finally:
        services.close()


@pytest.mark.tampers  # written with a key of its own, not the fixture's
def test_the_cli_verifies_with_the_key_the_web_app_uses(org: Org, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from workflow.cli import cli

    instance = tmp_path / "instance"
    app = create_app(_settings(org.services, instance), testing=True)  # as `thidua serve` does
    web_services = app.extensions["thidua"]
    try:
        wf = web_services.workflows
        item = wf.start("approval", org.actor("officer_c"), unit_id=org.units["c"],
                        cluster_id=org.cluster, year=YEAR)
        wf.fire(item, "submit", org.actor("officer_c"), {"title": "Báo cáo"})
    finally:
        web_services.close()
    env = {"THIDUA_DATABASE_URL": org.services.settings.database.url,
           "THIDUA_APP_INSTANCE_DIR": str(instance), "THIDUA_AUDIT_CHAIN_KEY": EXAMPLE_CHAIN}

    result = CliRunner().invoke(cli, ["audit", "verify"], env=env, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output
    assert (instance / "chain_key").read_text().strip() not in (EXAMPLE_CHAIN, "")
