"""An empty installation onboarded from the command line: schema, definitions with their
criteria tables, and a first administrator who can then sign in to the browser."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from workflow.cli import cli

STRONG = "Vu-TDKT-2026!"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "THIDUA_DATABASE_URL": f"sqlite:///{tmp_path}/onboarding.db",
        "THIDUA_APP_DOCUMENTS_DIR": str(tmp_path / "documents"),
    }


def run(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def _rows(env: dict[str, str], sql: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(env["THIDUA_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def test_definitions_sync_publishes_the_criteria_tables_once(env: dict[str, str]) -> None:
    assert run(env, "db", "upgrade").exit_code == 0

    first = run(env, "definitions", "sync")
    again = run(env, "definitions", "sync")

    assert first.exit_code == 0, first.output
    assert "new  khoi_noi_chinh version 1" in first.output
    assert "new  campaign version 1" in first.output
    assert again.exit_code == 0
    assert "same  khoi_noi_chinh version 1" in again.output
    assert "new " not in again.output
    assert _rows(env, "SELECT code, version FROM criteria_tables ORDER BY code") == [
        ("bhxh_tinh", 1), ("khoi_noi_chinh", 1)]  # each shipped table once


def test_create_admin_asks_the_password_twice_and_the_admin_can_sign_in(
    env: dict[str, str],
) -> None:
    from werkzeug.security import check_password_hash

    run(env, "db", "upgrade")

    result = run(env, "users", "create-admin", "quantri", "--full-name", "Nguyễn Văn Quản",
                 input=f"{STRONG}\n{STRONG}\n")

    assert result.exit_code == 0, result.output
    assert "administrator 'quantri' created" in result.output
    [(name, full, digest)] = _rows(
        env, "SELECT username, full_name, password_hash FROM users")
    assert (name, full) == ("quantri", "Nguyễn Văn Quản")
    assert check_password_hash(str(digest), STRONG)
    assert _rows(env, "SELECT role, unit_id, cluster_id, year FROM role_assignments") == [
        ("admin", None, None, None)]


def test_create_admin_reads_the_password_from_the_environment(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")

    result = run(env | {"THIDUA_ADMIN_PASSWORD": STRONG}, "users", "create-admin", "quantri")

    assert result.exit_code == 0, result.output
    assert _rows(env, "SELECT username, full_name FROM users") == [
        ("quantri", "Quản trị hệ thống")]


def test_create_admin_refuses_a_weak_password_and_creates_nobody(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")

    weak = run(env | {"THIDUA_ADMIN_PASSWORD": "12345678"}, "users", "create-admin", "quantri")

    assert weak.exit_code == 1
    assert "password:" in weak.stderr
    assert _rows(env, "SELECT username FROM users") == []


def test_create_admin_refuses_passwords_that_differ(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")

    result = run(env, "users", "create-admin", "quantri",
                 input=f"{STRONG}\nkhac-{STRONG}\n{STRONG}\n{STRONG}\n")

    assert "do not match" in result.output.lower()
    assert result.exit_code == 0
    assert _rows(env, "SELECT username FROM users") == [("quantri",)]


def test_create_admin_refuses_a_taken_username(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    ok = env | {"THIDUA_ADMIN_PASSWORD": STRONG}
    run(ok, "users", "create-admin", "quantri")

    again = run(ok, "users", "create-admin", "quantri")

    assert again.exit_code == 1
    assert "'quantri' is taken" in again.stderr


def test_create_admin_needs_the_schema(env: dict[str, str]) -> None:
    result = run(env | {"THIDUA_ADMIN_PASSWORD": STRONG}, "users", "create-admin", "quantri")

    assert result.exit_code == 1
    assert "thidua db upgrade" in result.stderr
