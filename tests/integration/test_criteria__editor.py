"""Criteria tables edited as drafts and published (SQLite and PostgreSQL): a copy of a version
becomes the next version or a new table, problems come back at their line, a draft is kept
apart from the workflow drafts, and a campaign launched before a publish keeps its version
while one launched after takes the new one."""

from __future__ import annotations

import pytest

from tests.year_support import DATES, Bloc, at, make_bloc
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.errors import DefinitionErrors, NotFound
from workflow.services import campaigns

CODE = "khoi_noi_chinh"
FORM = {"theme": "Thi đua hoàn thành xuất sắc nhiệm vụ", "kind": "regular",
        "criteria_table": CODE, "dates": DATES}


@pytest.fixture
def bloc(services: Services, clock: FakeClock) -> Bloc:
    services.criteria.sync([services.settings.definitions_dir / "criteria"],
                           base=services.settings.definitions_dir.parent)
    bloc = make_bloc(services, clock)
    clock.set(at("2025-01-15"))
    return bloc


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith(start))


def test_copy_to_a_new_version_numbers_it_and_keeps_the_draft(services: Services,
                                                              bloc: Bloc) -> None:
    catalog = services.criteria

    code = catalog.copy(CODE, author="vu_tdkt")

    draft = catalog.draft(code)
    assert code == CODE
    assert draft is not None
    assert "\nversion: 2\n" in draft.source_text
    assert draft.saved_by == "vu_tdkt"
    assert draft.saved_at.tzinfo is not None
    table, errors = catalog.check(CODE, draft.source_text)
    assert errors == []
    assert table is not None
    assert table.version == 2
    # a second copy never overwrites work in progress
    catalog.save_draft(CODE, draft.source_text + "# sửa\n", author="vu_tdkt")
    catalog.copy(CODE, author="quan_tri")
    again = catalog.draft(CODE)
    assert again is not None
    assert again.source_text.endswith("# sửa\n")
    # the workflow definitions' drafts do not list it
    assert all(d.name != CODE and ":" not in d.name for d in services.reads.drafts())
    [listing] = [t for t in catalog.listing() if t.code == CODE]
    assert listing.draft is not None
    assert [v.version for v in listing.versions] == [1]


def test_problems_come_back_at_their_line(services: Services, bloc: Bloc) -> None:
    catalog = services.criteria
    catalog.copy(CODE, author="vu_tdkt")
    draft = catalog.draft(CODE)
    assert draft is not None
    text = draft.source_text.replace("scale: 100", "scale: 90", 1)

    table, errors = catalog.check(CODE, text)

    assert table is None
    [error] = errors
    assert error.line == line_of(text, "scale:")
    assert error.message == "the groups add up to 100 but scale is 90"
    with pytest.raises(DefinitionErrors):
        catalog.publish_draft(CODE, text, author="vu_tdkt")
    assert catalog.codes() == ["bhxh_tinh", CODE]
    # another table's code, or a version already published, is told at its line too
    other = draft.source_text.replace(f"code: {CODE}", "code: bhxh_tinh", 1)
    _table, [wrong] = catalog.check(CODE, other)
    assert wrong.line == line_of(other, "code:")
    assert "this page edits" in wrong.message
    old = draft.source_text.replace("version: 2", "version: 1", 1).replace(
        "scale: 100", "scale: 100\n# x", 1).replace("appeal_days: 5", "appeal_days: 6", 1)
    _table, [taken] = catalog.check(CODE, old)
    assert taken.line == line_of(old, "version:")
    assert "already published" in taken.message


def test_publishing_a_new_version_leaves_launched_campaigns_on_theirs(
        services: Services, bloc: Bloc) -> None:
    catalog = services.criteria
    office = bloc.actor("vu_tdkt")
    launched = campaigns.create(bloc.wf, catalog, office, bloc.cluster, FORM)
    campaigns.launch(bloc.wf, office, launched.id)
    catalog.copy(CODE, author="vu_tdkt")
    draft = catalog.draft(CODE)
    assert draft is not None
    text = draft.source_text.replace("appeal_days: 5", "appeal_days: 7", 1)

    result = catalog.publish_draft(CODE, text, author="vu_tdkt")

    assert (result.version, result.created) == (2, True)
    assert catalog.draft(CODE) is None
    assert catalog.get(CODE).appeal_days == 7
    assert bloc.wf.get(launched.id).data["criteria_table"] == {"code": CODE, "version": 1}
    assert catalog.get(CODE, 1).appeal_days == 5
    [listing] = [t for t in catalog.listing() if t.code == CODE]
    assert [(v.version, v.campaign_ids) for v in listing.versions] == [
        (1, (launched.id,)), (2, ())]
    assert listing.versions[1].created_by == "vu_tdkt"


def test_copy_as_a_new_table_makes_it_available_for_campaigns(services: Services,
                                                              bloc: Bloc) -> None:
    catalog = services.criteria
    with pytest.raises(ValueError, match="invalid_code"):
        catalog.copy(CODE, new_code="Bảng mới", author="vu_tdkt")
    with pytest.raises(ValueError, match="code_taken"):
        catalog.copy(CODE, new_code="bhxh_tinh", author="vu_tdkt")
    with pytest.raises(NotFound):
        catalog.copy(CODE, 9, author="vu_tdkt")

    code = catalog.copy(CODE, 1, new_code="noi_chinh_chuyen_doi_so", author="vu_tdkt")
    draft = catalog.draft(code)
    assert draft is not None
    assert "code: noi_chinh_chuyen_doi_so\nversion: 1\n" in draft.source_text
    result = catalog.publish_draft(code, draft.source_text, author="vu_tdkt")

    assert (result.name, result.version) == ("noi_chinh_chuyen_doi_so", 1)
    assert result.source_path == "definitions/criteria/noi_chinh_chuyen_doi_so.yaml"
    assert "noi_chinh_chuyen_doi_so" in catalog.codes()
    form = {**FORM, "kind": "thematic", "theme": "Chuyển đổi số",
            "criteria_table": "noi_chinh_chuyen_doi_so"}
    office = bloc.actor("vu_tdkt")
    campaign = campaigns.create(bloc.wf, catalog, office, bloc.cluster, form)
    launched = campaigns.launch(bloc.wf, office, campaign.id).instance
    assert launched.data["criteria_table"] == {"code": "noi_chinh_chuyen_doi_so",
                                               "version": 1}


def test_a_discarded_draft_is_gone(services: Services, bloc: Bloc) -> None:
    catalog = services.criteria
    catalog.copy(CODE, author="vu_tdkt")
    catalog.discard_draft(CODE)
    assert catalog.draft(CODE) is None
    assert all(t.draft is None for t in catalog.listing())


def test_an_unchanged_copy_is_not_published_as_a_new_version(services: Services,
                                                             bloc: Bloc) -> None:
    catalog = services.criteria
    catalog.copy(CODE, author="vu_tdkt")
    draft = catalog.draft(CODE)
    assert draft is not None

    with pytest.raises(DefinitionErrors) as refused:
        catalog.publish_draft(CODE, draft.source_text, author="vu_tdkt")

    [error] = refused.value.errors
    assert error.message.startswith("nothing changed from version 1")
    assert error.line == line_of(draft.source_text, "version:")
    assert [v.version for v in catalog.listing()[1].versions] == [1]
    assert catalog.draft(CODE) is not None  # the draft is kept
