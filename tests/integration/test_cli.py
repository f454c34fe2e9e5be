"""The `thidua` command line, as an operator uses it: clear messages, exit codes, no tracebacks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from tests.conftest import ROOT
from workflow.cli import cli

BROKEN = "tests/data/broken/unknown_dest.yaml"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "THIDUA_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "THIDUA_APP_DOCUMENTS_DIR": str(tmp_path / "documents"),
    }


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_validate_lists_every_shipped_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)

    result = run({}, "validate")

    assert result.exit_code == 0
    assert "ok  definitions/pledge.yaml: pledge (6 states, 7 transitions)" in result.output
    assert ("ok  definitions/criteria/khoi-noi-chinh.yaml: criteria table khoi_noi_chinh "
            "(5 groups, 17 criteria, 100 points)") in result.output


def test_validate_a_broken_file_exits_1_with_file_line_and_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)

    result = run({}, "validate", BROKEN)

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{BROKEN}:18 transitions[1].dest: unknown state 'aproved' (did you mean 'approved'?)",
        "1 error(s)",
    ]


def test_validate_a_missing_file_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)

    result = run({}, "validate", "nope.yaml")

    assert result.exit_code == 1
    assert "nope.yaml: no such file or folder" in result.stderr


def test_the_console_script_prints_no_traceback_for_a_broken_definition() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "workflow.cli", "validate", BROKEN],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )

    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "unknown state 'aproved'" in proc.stderr


def test_demo_then_audit_verify_passes_and_a_tampered_row_fails(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade").exit_code == 0
    demo = run(env, "demo")
    assert demo.exit_code == 0
    assert "admin" in demo.output
    assert "btp_head" in demo.output

    ok = run(env, "audit", "verify")
    assert ok.exit_code == 0
    assert "0 problem(s)" in ok.output

    engine = sa.create_engine(env["THIDUA_DATABASE_URL"])
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE workflow_history SET actor = 'intruder' WHERE id = "
            "(SELECT MAX(id) FROM workflow_history)")
    engine.dispose()
    bad = run(env, "audit", "verify")
    assert bad.exit_code == 1
    assert "content was altered after it was written" in bad.stderr
    assert "1 problem(s)" in bad.output


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_diagram_of_an_instance_highlights_its_state(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "demo")
    out = tmp_path / "pledge.svg"

    result = run(env, "diagram", "pledge", "--instance", "2", "-o", str(out))

    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    assert "<svg" in svg
    assert "Dự thảo" in svg


def test_diagram_of_an_unknown_workflow_is_a_clear_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    run(env, "demo")

    result = run(env, "diagram", "plegde", "-o", str(tmp_path / "x.svg"))

    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no workflow named 'plegde'"


def test_repair_from_the_command_line_needs_an_admin_and_a_reason(env: dict[str, str]) -> None:
    run(env, "demo")

    refused = run(env, "suspend", "9", "--as", "btp_head", "--reason", "x")
    missing = run(env, "suspend", "9", "--as", "admin")
    done = run(env, "suspend", "9", "--as", "admin", "--reason", "Đang kiểm tra")

    assert refused.exit_code == 1
    assert "'btp_head' is not admin" in refused.stderr
    assert missing.exit_code == 2
    assert "--reason" in missing.output
    assert done.exit_code == 0
    assert "(suspended)" in done.output


def test_migration_dry_run_reports_and_changes_nothing(env: dict[str, str]) -> None:
    run(env, "demo")

    result = run(env, "migrate", "pledge", "--to", "1", "--dry-run")

    assert result.exit_code == 0
    assert "would move 0 instance(s) of pledge to version 1" in result.output
