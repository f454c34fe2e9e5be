"""`thidua tokens create|list|revoke` and `thidua migrate` limited to a campaign, cluster or
year, as an operator runs them."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from workflow.cli import cli

STRONG = "Vu-TDKT-2026!"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"THIDUA_DATABASE_URL": f"sqlite:///{tmp_path}/tokens.db",
           "THIDUA_APP_DOCUMENTS_DIR": str(tmp_path / "documents")}
    run(env, "db", "upgrade")
    assert run(env | {"THIDUA_ADMIN_PASSWORD": STRONG}, "users", "create-admin",
               "quantri").exit_code == 0
    return env


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def _rows(env: dict[str, str], sql: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(env["THIDUA_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def test_a_token_is_printed_once_and_only_its_hash_is_kept(env: dict[str, str]) -> None:
    last_day = dt.date.today() + dt.timedelta(days=200)
    made = run(env, "tokens", "create", "quantri", "--name", "Máy chủ tích hợp",
               "--expires", last_day.isoformat())

    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert len(token) >= 40
    assert "\n" not in token
    assert f"works through {last_day:%d/%m/%Y}" in made.stderr
    assert "shown only now" in made.stderr
    [(digest, name)] = _rows(env, "SELECT token_hash, name FROM api_tokens")
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert name == "Máy chủ tích hợp"


def test_an_expiry_further_than_two_years_or_past_is_refused(env: dict[str, str]) -> None:
    far = run(env, "tokens", "create", "quantri", "--name", "x", "--expires", "2199-01-01")
    past = run(env, "tokens", "create", "quantri", "--name", "x", "--expires", "2001-01-01")

    assert far.exit_code == 1
    assert "at most 730 days" in far.stderr
    assert past.exit_code == 1
    assert "already past" in past.stderr
    assert _rows(env, "SELECT count(*) FROM api_tokens") == [(0,)]


def test_list_then_revoke_and_the_history_records_both(env: dict[str, str]) -> None:
    run(env, "tokens", "create", "quantri", "--name", "CI", "--days", "30", "--as", "quantri")
    [(token_id,)] = _rows(env, "SELECT id FROM api_tokens")

    listed = run(env, "tokens", "list")
    revoked = run(env, "tokens", "revoke", str(token_id), "--as", "quantri")
    again = run(env, "tokens", "revoke", str(token_id))
    after = run(env, "tokens", "list", "--user", "quantri")
    unknown = run(env, "tokens", "revoke", "999")

    assert listed.exit_code == 0
    [line] = [x for x in listed.stdout.splitlines() if x.startswith(f"{token_id}\t")]
    assert line.split("\t")[1:3] == ["quantri", "CI"]
    assert line.endswith("\tactive")
    assert revoked.stdout.strip() == f"token {token_id} revoked"
    assert again.stdout.strip() == f"token {token_id} was already revoked"
    assert after.stdout.splitlines()[1].endswith("\trevoked")
    assert unknown.exit_code == 1
    assert "no API token with id 999" in unknown.stderr
    assert _rows(env, "SELECT action, actor FROM admin_changes WHERE subject = 'token' "
                      "ORDER BY id") == [("token_created", "quantri"),
                                         ("token_revoked", "quantri")]


def test_a_token_for_an_unknown_user_is_a_clear_error(env: dict[str, str]) -> None:
    result = run(env, "tokens", "create", "nobody", "--name", "x")

    assert result.exit_code == 1
    assert "no user named 'nobody'" in result.stderr


def test_migrate_counts_within_a_campaign_a_cluster_or_a_year(tmp_path: Path) -> None:
    env = {"THIDUA_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
           "THIDUA_APP_DOCUMENTS_DIR": str(tmp_path / "documents")}
    assert run(env, "demo").exit_code == 0
    [(campaign, code, year)] = _rows(
        env, "SELECT i.id, c.code, i.year FROM workflow_instances i JOIN clusters c "
             "ON c.id = i.cluster_id WHERE i.workflow = 'campaign' LIMIT 1")

    by_campaign = run(env, "migrate", "pledge", "--to", "1", "--dry-run",
                      "--campaign", str(campaign))
    by_cluster = run(env, "migrate", "pledge", "--to", "1", "--dry-run",
                     "--cluster", str(code), "--year", str(year))
    no_year = run(env, "migrate", "pledge", "--to", "1", "--dry-run", "--cluster", str(code))
    not_campaign = run(env, "migrate", "pledge", "--to", "1", "--dry-run", "--campaign",
                       str(_rows(env, "SELECT min(id) FROM workflow_instances "
                                      "WHERE workflow = 'pledge'")[0][0]))

    assert by_campaign.exit_code == 0, by_campaign.output
    assert (f"would move 0 instance(s) of pledge to version 1 (campaign {campaign})"
            in by_campaign.stdout)
    assert f"(cluster {code}, year {year})" in by_cluster.stdout
    assert no_year.exit_code == 2
    assert "--cluster needs --year" in no_year.stderr
    assert not_campaign.exit_code == 2
    assert "not a campaign" in not_campaign.stderr
