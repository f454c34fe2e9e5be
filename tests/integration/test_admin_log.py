"""The history of admin changes on both databases: written in the change's transaction (a
failed change leaves no entry), read back newest first with names, stamped by the database when
the caller has no clock."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import Org
from workflow.errors import InvalidInput
from workflow.services import admin_log, organisations, people


def test_entries_are_read_back_with_names_newest_first(org: Org) -> None:
    uow = org.services.uow()
    admin = org.actor("admin")
    now = org.services.clock.now()
    people.edit_user(uow, org.users["officer_a"], "Nguyễn Thị A", None, org.units["a"],
                     by=admin, at=now)

    page = admin_log.changes(uow, user_id=org.users["officer_a"])

    assert page.changes[0].action == "user_edited"
    assert page.changes[0].actor_name == "Admin"
    assert page.changes[0].user_name == "Nguyễn Thị A"
    assert page.changes[0].at == now
    assert page.changes[0].after == {"full_name": "Nguyễn Thị A", "unit": "a – Đơn vị a"}
    assert [c.action for c in page.changes][-2:] == ["grant_given", "user_created"]


def test_a_change_without_a_clock_is_stamped_by_the_database(org: Org) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    people.create_user(org.services.uow(), "moi", "Người Mới")

    [entry] = admin_log.changes(org.services.uow(), user_id=people.user_id(
        org.services.uow(), "moi")).changes

    assert entry.actor is None  # the command line or a set-up script
    assert before <= entry.at <= before + dt.timedelta(minutes=10)


def test_a_failed_confirmation_leaves_neither_clusters_nor_entries(org: Org) -> None:
    uow = org.services.uow()
    before = admin_log.changes(uow).total
    proposals = organisations.propose_next_year(uow, 2025)
    broken = [*proposals[:1], organisations.NextYearCluster(
        "K9", "Khối 9", "khoi", None, (org.units["a"],), org.units["b"], None)]

    with pytest.raises(InvalidInput):
        organisations.confirm_next_year(uow, 2025, broken, by=org.actor("admin"))

    assert admin_log.changes(uow).total == before
    assert organisations.propose_next_year(uow, 2026) == []
