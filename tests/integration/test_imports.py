"""A province imported from one .xlsx file on SQLite and PostgreSQL: 10 clusters, 100 units
and 250 people; a broken file is refused whole with its problems by row and column; the same
file imported again updates and never duplicates."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from openpyxl import load_workbook

from benchmarks.imports import province_workbook
from workflow.bootstrap import Services
from workflow.domain.roles import Actor, RoleGrant
from workflow.services import admin_log, imports, organisations, people

pytestmark = pytest.mark.integration
ADMIN = Actor(None, "quantri", (RoleGrant("admin"),))
YEAR = 2026


def _table_counts(svc: Services) -> dict[str, int]:
    with svc.uow().read() as uow:
        found = uow.schema.table_counts()
    return {k: found[k] for k in ("units", "clusters", "cluster_members", "users",
                                  "role_assignments")}


def test_a_province_imports_from_one_workbook_and_again_without_duplicates(
    services: Services,
) -> None:
    data = province_workbook(clusters=10, members=10, per_unit=3)  # 101 units, 301 people

    checked = imports.dry_run(services.uow(), ADMIN, "tinh.xlsx", data, YEAR)
    assert checked.ok
    assert checked.problems == ()
    assert _table_counts(services)["units"] == 0  # the dry run wrote nothing
    done = imports.commit(services.uow(), ADMIN, "tinh.xlsx", data, YEAR)

    after = _table_counts(services)
    assert after == {"units": 101, "clusters": 10, "cluster_members": 100, "users": 301,
                     "role_assignments": 301}
    assert len(done.new_people) == 301
    cluster = organisations.find_cluster(services.uow(), "CUM_04", YEAR)
    codes = [u for u in cluster.members]
    names = {organisations.unit_id(services.uow(), f"DV03_{m:02d}"): m for m in range(10)}
    assert [names[u] for u in codes] == [3, 4, 5, 6, 7, 8, 9, 0, 1, 2]  # the rotation order
    assert cluster.leader_unit_id == codes[0]
    assert cluster.deputy_unit_id == codes[1]
    # no password in the file, none made up: the new person cannot sign in yet
    assert people.check_password(services.uow(), "dv00_00.1", "") is None
    officer = people.actor_by_username(services.uow(), "dv00_00.1")
    assert officer is not None
    assert officer.roles_for(organisations.unit_id(services.uow(), "DV00_00"), None, YEAR) \
        == {"unit_officer"}

    again = imports.commit(services.uow(), ADMIN, "tinh.xlsx", data, YEAR)

    assert again.new_people == ()
    assert _table_counts(services) == after
    assert {k: (c.created, c.updated) for k, c in again.checked.plan.counts.items()} == {
        "units": (0, 0), "clusters": (0, 0), "people": (0, 0)}


def test_a_re_import_updates_names_and_the_rotation_order(services: Services) -> None:
    imports.commit(services.uow(), ADMIN, "tinh.xlsx", province_workbook(2, 3, 1), YEAR)
    renamed = province_workbook(2, 3, 1, year_note=" (mới)")
    book = load_workbook(io.BytesIO(renamed))
    book["Cụm, khối"]["D2"] = "DV00_02; DV00_00; DV00_01"
    buffer = io.BytesIO()
    book.save(buffer)

    done = imports.commit(services.uow(), ADMIN, "tinh.xlsx", buffer.getvalue(), YEAR)

    assert done.checked.plan.counts["units"].updated == 6
    unit = organisations.unit_id(services.uow(), "DV00_00")
    assert people.unit_name(services.uow(), unit) == "Đơn vị 1 của cụm 1 (mới)"
    cluster = organisations.find_cluster(services.uow(), "CUM_01", YEAR)
    order = [organisations.unit_id(services.uow(), f"DV00_0{m}") for m in (2, 0, 1)]
    assert list(cluster.members) == order
    assert _table_counts(services)["units"] == 7


def test_a_broken_file_is_refused_whole_with_its_problems_by_row_and_column(
    services: Services,
) -> None:
    book = load_workbook(io.BytesIO(province_workbook(2, 3, 1)))
    book["Đơn vị"]["A4"] = "DV 00"  # a space in a code
    book["Người dùng"]["E3"] = "admin"
    buffer = io.BytesIO()
    book.save(buffer)

    with pytest.raises(imports.ImportRejected) as refused:
        imports.commit(services.uow(), ADMIN, "tinh.xlsx", buffer.getvalue(), YEAR)

    found = [(p.sheet, p.row, p.letter, p.code) for p in refused.value.checked.problems]
    assert ("units", 4, "A", "bad_code") in found
    assert ("people", 3, "E", "role_not_imported") in found
    assert _table_counts(services)["units"] == 0  # all or nothing


def test_only_an_administrator_imports(services: Services) -> None:
    officer = Actor(None, "canbo", (RoleGrant("unit_officer", unit_id=1),))

    with pytest.raises(imports.PermissionDenied):
        imports.dry_run(services.uow(), officer, "tinh.xlsx", province_workbook(1, 2, 1), YEAR)


def test_an_import_is_written_in_the_history_of_admin_changes(services: Services) -> None:
    done = imports.commit(services.uow(), ADMIN, "tinh.xlsx", province_workbook(1, 2, 1), YEAR)
    first = admin_log.changes(services.uow(), per=500)
    actions = Counter(c.action for c in first.changes)
    counts = done.checked.plan.counts
    assert actions["unit_created"] == counts["units"].created > 0
    assert actions["cluster_created"] == counts["clusters"].created == 1
    assert actions["user_created"] == counts["people"].created > 0
    assert actions["grant_given"] > 0
    assert all(c.actor == ADMIN.username and (c.after or {}).get("source") == "import"
               for c in first.changes)

    imports.commit(services.uow(), ADMIN, "tinh.xlsx", province_workbook(1, 2, 1), YEAR)
    assert admin_log.changes(services.uow()).total == first.total  # nothing changed, nothing said
