"""`thidua audit reseal`: after the chain key is rotated, every chain is checked with the old key,
rehashed with the new one, and records its re-seal; an altered chain is never re-sealed."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.conftest import YEAR, Org
from workflow.adapters.tables import history
from workflow.engine.hashing import HistoryChain
from workflow.errors import InvalidInput, PermissionDenied
from workflow.secrets import configured_secret
from workflow.services import people
from workflow.services.audit import reseal, verify

NEW = HistoryChain("n" * 48)


def _walked(org: Org) -> int:
    wf = org.services.workflows
    item = wf.start("approval", org.actor("officer_c"), unit_id=org.units["c"],
                    cluster_id=org.cluster, year=YEAR)
    wf.fire(item, "submit", org.actor("officer_c"), {"title": "Báo cáo"})
    wf.fire(item, "return", org.actor("head_a"), {"comment": "Bổ sung số liệu"})
    return item.id


@pytest.mark.tampers  # sealed with a key the fixture does not hold
def test_reseal_rehashes_every_chain_and_records_it(org: Org) -> None:
    item = _walked(org)
    svc = org.services

    chains, entries = reseal(svc.uow(), svc.clock, svc.chain, NEW, org.actor("admin"),
                             "Đổi khóa chuỗi theo quy trình")

    assert (chains, entries) == (1, 3)
    assert verify(svc.uow(), NEW).ok
    assert not verify(svc.uow(), svc.chain).ok
    last = svc.workflows.history(item)[-1]
    assert (last["kind"], last["actor"], last["comment"]) == (
        "reseal", "admin", "Đổi khóa chuỗi theo quy trình")
    assert svc.workflows.get(item).version == 4


@pytest.mark.tampers
def test_an_altered_chain_is_never_resealed(org: Org) -> None:
    item = _walked(org)
    svc = org.services
    with svc.engine.begin() as conn:
        conn.execute(history.update().where(history.c.instance_id == item,
                                            history.c.seq == 3).values(comment="đã sửa"))

    with pytest.raises(InvalidInput, match="nothing was re-sealed"):
        reseal(svc.uow(), svc.clock, svc.chain, NEW, org.actor("admin"), "Đổi khóa")

    assert [str(p) for p in verify(svc.uow(), svc.chain).problems] == [
        f"instance {item}, entry 3: content was altered after it was written"]
    assert len(svc.workflows.history(item)) == 3


def test_only_an_admin_reseals_and_with_a_reason(org: Org) -> None:
    _walked(org)
    svc = org.services

    with pytest.raises(PermissionDenied):
        reseal(svc.uow(), svc.clock, svc.chain, NEW, org.actor("head_a"), "Đổi khóa")
    with pytest.raises(InvalidInput, match="reason"):
        reseal(svc.uow(), svc.clock, svc.chain, NEW, org.actor("admin"), " ")


@pytest.mark.tampers
def test_the_cli_reseals_with_the_installations_new_key(org: Org, tmp_path: Path) -> None:
    from workflow.cli import cli

    _walked(org)
    svc = org.services
    old = tmp_path / "old_chain_key"
    old.write_text(configured_secret(svc.settings, "audit", "chain_key"))
    instance = tmp_path / "instance"  # a new instance folder: a new key is generated there
    env = {"THIDUA_DATABASE_URL": svc.settings.database.url,
           "THIDUA_APP_INSTANCE_DIR": str(instance)}
    people.set_password(svc.uow(), org.users["admin"], "ngựa ô lên dốc 2026")

    done = CliRunner().invoke(cli, ["audit", "reseal", "--old-key-file", str(old), "--as",
                                    "admin", "--reason", "Đổi khóa"], env=env,
                              catch_exceptions=False)
    checked = CliRunner().invoke(cli, ["audit", "verify"], env=env, catch_exceptions=False)

    assert done.exit_code == 0, done.output
    assert "re-sealed 1 chains (3 entries)" in done.output
    assert checked.exit_code == 0, checked.output
    assert verify(svc.uow(), HistoryChain((instance / "chain_key").read_text().strip())).ok
    with svc.engine.connect() as conn:
        kinds = conn.execute(sa.select(history.c.kind).order_by(history.c.id)).scalars().all()
    assert kinds[-1] == "reseal"
