"""The read side (services().reads) answers the pages' questions with plain records, on SQLite
and PostgreSQL; the admin's writes that used to be SQL in the pages go through the services."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TEMPLATE_CLOCK, YEAR, Org
from workflow.bootstrap import Services
from workflow.errors import NotFound
from workflow.services import documents, organisations, people
from workflow.services.read_side import (
    DocumentInfo,
    DraftSummary,
    GrantSummary,
    UnitSummary,
)

PDF = b"%PDF-1.4\nminutes\n"


def test_an_items_documents_come_oldest_first_and_one_kind_on_request(
    org: Org, tmp_path: Path
) -> None:
    svc, officer = org.services, org.actor("officer_c")
    item = svc.workflows.start("approval", officer, unit_id=org.units["c"],
                               cluster_id=org.cluster, year=YEAR)
    other = svc.workflows.start("approval", officer, unit_id=org.units["c"],
                                cluster_id=org.cluster, year=YEAR)
    first = documents.attach(svc.workflows, tmp_path, item, officer, "minutes",
                             "bien-ban.pdf", PDF).document_id
    second = documents.attach(svc.workflows, tmp_path, item, officer, "report",
                              "bao-cao.pdf", PDF + b"2", ref="TC1").document_id
    documents.attach(svc.workflows, tmp_path, other, officer, "minutes", "khac.pdf", PDF)

    found = svc.reads.documents(item.id)

    assert [d.id for d in found] == [first, second]
    assert found[1] == DocumentInfo(
        second, "report", "TC1", "bao-cao.pdf", "application/pdf", len(PDF) + 1,
        documents.sha256(PDF + b"2"), "officer_c", TEMPLATE_CLOCK)
    assert [d.filename for d in svc.reads.documents(item.id, "minutes")] == ["bien-ban.pdf"]
    assert svc.reads.documents(item.id, "decision") == []


def test_a_clusters_units_come_in_their_order(org: Org) -> None:
    units = org.services.reads.cluster_units(org.cluster)

    assert units == [UnitSummary(org.units[c], c, f"Đơn vị {c}") for c in "abc"]
    assert org.services.reads.cluster_units(999_999) == []


def test_names_are_found_for_the_ids_that_exist(org: Org) -> None:
    reads = org.services.reads
    item = org.services.workflows.start("approval", org.actor("officer_b"),
                                        unit_id=org.units["b"], cluster_id=org.cluster, year=YEAR)

    assert reads.unit_names([org.units["a"], org.units["a"], 999_999]) == {
        org.units["a"]: "Đơn vị a"}
    assert reads.user_names({org.users["head_b"]}) == {org.users["head_b"]: "Head B"}
    assert reads.item_unit_names([item.id, 999_999]) == {item.id: "Đơn vị b"}
    assert reads.unit_names([]) == reads.user_names([]) == reads.item_unit_names([]) == {}
    assert reads.username(org.users["office"]) == "office"
    assert reads.username(999_999) is None


def test_a_page_of_users_holds_their_roles_and_stops_at_the_last_page(org: Org) -> None:
    reads = org.services.reads
    everyone = sorted(org.users)
    pages = -(-len(everyone) // 5)

    first = reads.users_page(1, 5)
    last = reads.users_page(99, 5)

    assert (first.number, first.pages) == (1, pages)
    assert [u.username for u in first.users] == everyone[:5]
    assert (last.number, last.pages) == (pages, pages)
    assert [u.username for u in last.users] == everyone[5 * (pages - 1):]
    admin = next(u for u in first.users if u.username == "admin")
    assert (admin.id, admin.full_name, admin.active) == (org.users["admin"], "Admin", True)
    assert [_grant(g) for g in admin.grants] == [GrantSummary("admin", None, None, None, None)]
    head_a = next(u for p in range(1, pages + 1) for u in reads.users_page(p, 5).users
                  if u.username == "head_a")
    assert [_grant(g) for g in head_a.grants] == [
        GrantSummary("unit_head", YEAR, "a", None, None),
        GrantSummary("cluster_leader", YEAR, None, "K1", YEAR)]
    assert [(g.unit_name, g.cluster_name) for g in head_a.grants] == [
        ("Đơn vị a", None), (None, "Khối 1")]
    assert all(g.id for g in head_a.grants)
    assert first.total == len(everyone)


def _grant(g: GrantSummary) -> GrantSummary:
    """The grant without its id and names (what the page lists it by)."""
    return GrantSummary(g.role, g.year, g.unit, g.cluster, g.cluster_year)


def test_people_are_found_by_name_unit_role_and_state(org: Org) -> None:
    reads = org.services.reads
    people.set_active(org.services.uow(), org.users["officer_d"], False)
    people.edit_user(org.services.uow(), org.users["office"], "Vụ Thi Đua", None,
                     org.units["b"])

    def names(**filters: object) -> list[str]:
        return [u.username for u in reads.users_page(1, 50, **filters).users]  # type: ignore[arg-type]

    assert names(query="HEAD_") == ["head_a", "head_b", "head_c", "head_d"]
    assert names(query="%") == []  # a wildcard is a character like any other
    assert names(unit_id=org.units["b"]) == ["head_b", "office", "officer_b"]
    assert names(role="cluster_leader") == ["head_a", "leader_2024", "leader_k2"]
    assert names(active=False) == ["officer_d"]
    assert names(role="unit_officer", active=True) == ["officer_a", "officer_b", "officer_c"]
    [office] = reads.users_page(1, 5, query="thi đua").users  # Đ folds to đ on both
    assert [u.username for u in reads.users_page(1, 5, query="THI ĐUA").users] == ["office"]
    assert office.unit == "b – Đơn vị b"
    assert reads.user(org.users["office"]) == office
    assert reads.user(999_999) is None


def test_units_by_code_with_the_unit_they_belong_to(services: Services) -> None:
    ministry = organisations.create_unit(services.uow(), "BHXH", "Bảo hiểm xã hội Việt Nam")
    office = organisations.create_unit(services.uow(), "A-HN", "BHXH Hà Nội", ministry)

    assert services.reads.units() == [UnitSummary(office, "A-HN", "BHXH Hà Nội", ministry),
                                      UnitSummary(ministry, "BHXH", "Bảo hiểm xã hội Việt Nam")]


def test_clusters_come_newest_year_first_with_their_members_in_order(
    services: Services,
) -> None:
    e = services.uow()
    u = [organisations.create_unit(e, f"U{i}", f"Đơn vị {i}") for i in range(3)]
    old = organisations.create_cluster(e, "K9", "Khối 9", "khoi", 2024, [u[2], u[0]])
    new = organisations.create_cluster(e, "K1", "Khối 1", "cum", 2025, u, council="Hội đồng",
                                       leader_unit_id=u[1], deputy_unit_id=u[2])

    found = services.reads.clusters()

    assert [(c.id, c.code, c.year, c.member_ids) for c in found] == [
        (new, "K1", 2025, tuple(u)), (old, "K9", 2024, (u[2], u[0]))]
    assert (found[0].name, found[0].kind, found[0].council) == ("Khối 1", "cum", "Hội đồng")
    assert (found[0].leader_unit_id, found[0].deputy_unit_id) == (u[1], u[2])
    assert (found[1].council, found[1].leader_unit_id) == (None, None)


def test_published_versions_and_the_latest_with_its_text(services: Services) -> None:
    published = services.reads.published_definitions()
    approval = [d for d in published if d.name == "approval"]

    latest = services.reads.latest_definition("approval")

    assert [d.name for d in published] == sorted(d.name for d in published)
    assert [d.version for d in approval] == sorted(d.version for d in approval)
    assert latest is not None
    assert (latest.id, latest.version, latest.source_path) == (
        approval[-1].id, approval[-1].version, "tests/data/workflows/approval.yaml")
    assert latest.created_by == "system"
    assert latest.source_text == Path(__file__).parents[1].joinpath(
        "data", "workflows", "approval.yaml").read_text(encoding="utf-8")
    assert services.reads.latest_definition("no_such_workflow") is None


def test_a_draft_is_saved_replaced_and_discarded(services: Services) -> None:
    reads, catalog = services.reads, services.catalog

    catalog.save_draft("leave", "name: leave\n", author="admin")
    catalog.save_draft("leave", "name: leave\nversion: 2\n", author="editor")
    catalog.save_draft("audit_trail", "name: audit_trail\n", author="admin")

    assert reads.drafts() == [DraftSummary("audit_trail", "admin", TEMPLATE_CLOCK),
                              DraftSummary("leave", "editor", TEMPLATE_CLOCK)]
    draft = reads.draft("leave")
    assert draft is not None
    assert (draft.source_text, draft.saved_by) == ("name: leave\nversion: 2\n", "editor")
    catalog.discard_draft("leave")
    assert reads.draft("leave") is None
    assert [d.name for d in reads.drafts()] == ["audit_trail"]


def test_a_closed_account_cannot_sign_in_until_it_is_opened_again(org: Org) -> None:
    engine, user = org.services.uow(), org.users["officer_a"]
    people.set_password(engine, user, "mat-khau-rat-dai-1")

    people.set_active(engine, user, False)
    closed = people.check_password(engine, "officer_a", "mat-khau-rat-dai-1")
    people.set_active(engine, user, True)

    assert closed is None
    assert people.check_password(engine, "officer_a", "mat-khau-rat-dai-1") == user
    with pytest.raises(NotFound):
        people.set_active(engine, 999_999, False)
