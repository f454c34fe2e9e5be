"""`thidua backup` / `thidua restore`: a verified round trip on SQLite and PostgreSQL, and the
refusals (damaged file, missing manifest, other dialect, unwritable target)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from tests.conftest import ROOT, TEST_WORKFLOWS, YEAR, Org
from workflow.adapters.tables import history, instances, role_assignments, units
from workflow.bootstrap import Services, bootstrap
from workflow.cli import cli
from workflow.config import load_settings
from workflow.engine.instance import Instance
from workflow.errors import NotFound
from workflow.services import organisations
from workflow.services.audit import verify
from workflow.services.backup import (
    BackupError,
    RestoreFailed,
    backup,
    manifest_path,
    restore,
)


def _walk(org: Org, unit: str = "c") -> Instance:
    wf = org.services.workflows
    officer = org.actor(f"officer_{unit}")
    item = wf.start("approval", officer, unit_id=org.units[unit], cluster_id=org.cluster,
                    year=YEAR)
    wf.fire(item, "submit", officer, {"title": "Báo cáo"})
    wf.fire(item, "return", org.actor("head_a"), {"comment": "Bổ sung số liệu"})
    return item


def _rows(engine: sa.Engine, table: sa.Table) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key))]


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
            for name in sa.inspect(conn).get_table_names()
        }


def _state(engine: sa.Engine) -> dict[str, Any]:
    return {"counts": _counts(engine), **{
        t.name: _rows(engine, t) for t in (units, instances, history, role_assignments)}}


def _change_everything(org: Org, item: Instance) -> None:
    """What happens after the backup: more steps, new rows, an edit and a deletion."""
    wf = org.services.workflows
    wf.fire(item, "submit", org.actor("officer_c"), {"title": "Báo cáo (bổ sung)"})
    _walk(org, "b")
    organisations.create_unit(org.services.uow(), "e", "Đơn vị e")
    with org.services.engine.begin() as conn:
        conn.execute(units.update().where(units.c.id == org.units["a"]).values(name="Đổi tên"))
        conn.execute(role_assignments.delete().where(
            role_assignments.c.user_id == org.users["leader_k2"]))


def test_a_restore_brings_back_exactly_the_data_of_the_backup(org: Org, tmp_path: Path) -> None:
    services = org.services
    item = _walk(org)
    before = _state(services.engine)
    file = tmp_path / "thidua.backup"

    made = backup(services, file)
    _change_everything(org, item)
    assert _state(services.engine) != before
    restored = restore(services, file)

    assert restored.ok
    assert _state(services.engine) == before
    assert restored.counts == made.counts == before["counts"]
    assert made.counts["workflow_history"] == 3
    assert (made.history.instances, made.history.entries, made.history.problems) == (1, 3, ())
    item = services.workflows.get(item.id)
    assert item.state == "returned"
    assert verify(services.uow(), services.chain).ok
    manifest = json.loads(manifest_path(file).read_text(encoding="utf-8"))
    assert manifest["dialect"] == services.engine.dialect.name
    assert manifest["tables"]["units"] == 4
    assert manifest["history"] == {"instances": 1, "entries": 3, "problems": []}
    assert manifest["revision"]
    assert len(manifest["sha256"]) == 64
    # the restored database carries on: new ids do not clash, the chain still verifies
    services.workflows.fire(item, "submit", org.actor("officer_c"), {"title": "Lần 2"})
    _walk(org, "b")
    assert verify(services.uow(), services.chain).ok


def test_the_command_line_backs_up_and_restores(
    org: Org, db_url: str, tmp_path: Path
) -> None:
    engine = org.services.engine
    _walk(org)
    before = _state(engine)
    file = tmp_path / "cli.backup"
    env = {"THIDUA_DATABASE_URL": db_url, "THIDUA_APP_DOCUMENTS_DIR": str(tmp_path / "docs")}

    made = _run(env, "backup", str(file))
    with engine.begin() as conn:
        conn.execute(history.delete())
        conn.execute(instances.delete())
    declined = _run(env, "restore", str(file), input="n\n")
    left = _counts(engine)["workflow_history"]
    done = _run(env, "restore", str(file), "--yes")

    assert made.exit_code == 0, made.output
    assert "3 history entries, 0 problem(s)" in made.stdout
    assert declined.exit_code == 1
    assert left == 0
    assert done.exit_code == 0, done.output
    assert done.stdout.rstrip().endswith("1 instances, 3 history entries: verified")
    assert "workflow_history                     3" in done.stdout
    assert _state(engine) == before


def test_a_damaged_backup_is_refused(services: Services, db_url: str, tmp_path: Path) -> None:
    file = tmp_path / "thidua.backup"
    backup(services, file)
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x01
    file.write_bytes(bytes(data))

    with pytest.raises(BackupError, match="is damaged: its SHA-256 does not match"):
        restore(services, file)
    result = _run({"THIDUA_DATABASE_URL": db_url}, "restore", str(file), "--yes")

    assert result.exit_code == 1
    assert result.stderr == (f"error: {file} is damaged: its SHA-256 does not match "
                             "thidua.backup.manifest.json; refusing to restore it\n")


def test_a_backup_without_its_manifest_is_refused(services: Services, tmp_path: Path) -> None:
    file = tmp_path / "thidua.backup"
    backup(services, file)
    manifest_path(file).unlink()

    with pytest.raises(BackupError) as refused:
        restore(services, file)

    assert str(refused.value) == (f"{file}: its manifest thidua.backup.manifest.json is missing; "
                                  "refusing to restore a backup that cannot be verified")


def test_a_missing_file_and_an_unwritable_target_are_refused_by_name(
    services: Services, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")

    with pytest.raises(NotFound, match=f"{tmp_path}/nope.backup: no such backup file"):
        restore(services, tmp_path / "nope.backup")
    with pytest.raises(BackupError, match=f"cannot back up to {blocker}/x.backup: the folder"):
        backup(services, blocker / "x.backup")
    with pytest.raises(BackupError, match=f"cannot back up to {tmp_path}: it is a folder"):
        backup(services, tmp_path)
    assert [p for p in tmp_path.rglob("*") if "backup" in p.name] == []


def test_a_restore_that_does_not_match_the_manifest_fails(
    org: Org, tmp_path: Path
) -> None:
    _walk(org)
    file = tmp_path / "thidua.backup"
    backup(org.services, file)
    mpath = manifest_path(file)
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    manifest["tables"]["units"] = 99
    mpath.write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(RestoreFailed) as failed:
        restore(org.services, file)

    assert "restored, but the verification FAILED" in str(failed.value)
    assert failed.value.report.problems == ("table units has 4 rows, the backup has 99",)


@pytest.mark.tampers
def test_a_broken_chain_is_backed_up_with_a_warning(
    org: Org, db_url: str, tmp_path: Path
) -> None:
    item = _walk(org)
    with org.services.engine.begin() as conn:
        conn.execute(history.update().where(history.c.instance_id == item.id,
                                            history.c.seq == 2).values(actor="intruder"))
    file = tmp_path / "thidua.backup"

    result = _run({"THIDUA_DATABASE_URL": db_url}, "backup", str(file))
    restored = restore(org.services, file)

    assert result.exit_code == 0
    assert "content was altered after it was written" in result.stderr
    assert "1 problem(s)" in result.stdout
    assert restored.ok
    assert "already had 1 problem(s)" in restored.warnings[0]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_backup_of_the_other_dialect_is_refused(services: Services, tmp_path: Path) -> None:
    lite = _sqlite_services(tmp_path)
    try:
        backup(lite, tmp_path / "lite.backup")
        backup(services, tmp_path / "pg.backup")

        with pytest.raises(BackupError, match="is a sqlite backup; it cannot be restored into "
                                              "a postgresql database"):
            restore(services, tmp_path / "lite.backup")
        with pytest.raises(BackupError, match="is a postgresql backup; it cannot be restored "
                                              "into a sqlite database"):
            restore(lite, tmp_path / "pg.backup")
    finally:
        lite.close()


def _sqlite_services(tmp_path: Path) -> Services:
    settings = load_settings(environ={}, overrides={
        "database": {"url": f"sqlite:///{tmp_path}/lite.db"},
        "app": {"documents_dir": str(tmp_path / "lite-documents")},
    })
    lite = bootstrap(settings)
    lite.upgrade_schema()
    lite.catalog.sync([ROOT / "definitions", TEST_WORKFLOWS], base=ROOT)
    return lite


def _run(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_rows_written_during_a_postgresql_backup_are_in_neither_the_file_nor_the_manifest(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflow.adapters import backup_files as backups

    real_run = backups._run

    def write_then_dump(args: list[str], env: dict[str, str], what: str) -> None:
        organisations.create_unit(org.services.uow(), "late", "Đơn vị ghi muộn")
        real_run(args, env, what)

    monkeypatch.setattr(backups, "_run", write_then_dump)
    made = backup(org.services, tmp_path / "pg.backup")
    monkeypatch.undo()
    restored = restore(org.services, tmp_path / "pg.backup")

    assert made.counts["units"] == 4
    assert restored.counts["units"] == 4
