"""Items named by what they are: the kind of item, its year and whose it is, never an id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.domain.labels import Label
from workflow.services.naming import Names, item_path, item_title, names_for

PLEDGE = Label("Giao ước thi đua", "Emulation pledge")
REPORT = Label("Báo cáo thi đua", "Emulation report")
CAMPAIGN = Label("Phong trào thi đua năm của cụm, khối", "Cluster emulation campaign")
INSPECTION = Label("Kiểm tra chéo", "Cross-inspection")
NAMES = Names({1: "Bộ Công an", 2: "Bộ Tư pháp", 3: "Bộ Quốc phòng"},
              {7: "Khối thi đua các bộ, ngành Nội chính Trung ương"})


@dataclass
class Item:
    workflow: str
    unit_id: int | None = None
    cluster_id: int | None = 7
    year: int | None = 2026
    data: Mapping[str, Any] = field(default_factory=dict)
    id: int = 21


def test_a_pledge_is_named_by_its_kind_year_and_unit() -> None:
    assert item_title(PLEDGE, Item("pledge", 1), NAMES) == "Giao ước thi đua 2026 – Bộ Công an"
    assert item_title(PLEDGE, Item("pledge", 1), NAMES, "en") == \
        "Emulation pledge 2026 – Bộ Công an"


def test_a_report_is_named_by_its_period() -> None:
    six = Item("report", 2, data={"period": "six_month"})
    end = Item("report", 2, data={"period": "year_end"})
    assert item_title(REPORT, six, NAMES) == "Báo cáo sơ kết 2026 – Bộ Tư pháp"
    assert item_title(REPORT, end, NAMES) == "Báo cáo tổng kết 2026 – Bộ Tư pháp"
    assert item_title(REPORT, Item("report", 2), NAMES) == "Báo cáo thi đua 2026 – Bộ Tư pháp"


def test_a_score_sheet_and_a_campaign_are_named_as_people_call_them() -> None:
    assert item_title(Label("Bảng chấm điểm thi đua", "Score sheet"), Item("score_sheet", 1),
                      NAMES) == "Phiếu chấm điểm 2026 – Bộ Công an"
    assert item_title(CAMPAIGN, Item("campaign"), NAMES) == \
        "Phong trào thi đua 2026 – Khối thi đua các bộ, ngành Nội chính Trung ương"


def test_a_campaign_keeps_the_title_it_was_created_with() -> None:
    titled = Item("campaign", data={"title": "Phong trào thi đua chuyên đề chuyển đổi số 2026"})
    assert item_title(CAMPAIGN, titled, NAMES) == "Phong trào thi đua chuyên đề chuyển đổi số 2026"


def test_an_inspection_says_who_inspects_whom() -> None:
    inspection = Item("inspection", 3, data={"plan": {"inspector_unit_id": 1, "unit_id": 3}})
    assert item_title(INSPECTION, inspection, NAMES) == \
        "Kiểm tra chéo 2026 – Bộ Công an kiểm tra Bộ Quốc phòng"


def test_a_name_without_its_unit_known_still_says_what_and_when_but_no_id() -> None:
    title = item_title(PLEDGE, Item("pledge", 99, cluster_id=None), NAMES)
    assert title == "Giao ước thi đua 2026"
    assert "#" not in title
    assert "99" not in title


class Reads:
    """The read side's names, counting the questions."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, list[int]]] = []

    def unit_names(self, unit_ids: Iterable[int]) -> dict[int, str]:
        ids = sorted(unit_ids)
        self.asked.append(("units", ids))
        return {i: n for i, n in NAMES.units.items() if i in ids}

    def cluster_names(self, cluster_ids: Iterable[int]) -> dict[int, str]:
        ids = sorted(cluster_ids)
        self.asked.append(("clusters", ids))
        return {i: n for i, n in NAMES.clusters.items() if i in ids}


def test_the_names_of_a_list_are_asked_once_with_the_inspecting_units() -> None:
    reads = Reads()
    items = [Item("pledge", 1), Item("report", 2),
             Item("inspection", 3, data={"plan": {"inspector_unit_id": 1, "unit_id": 3}})]
    names = names_for(reads, items)
    assert reads.asked == [("units", [1, 2, 3]), ("clusters", [7])]
    assert dict(names.units) == dict(NAMES.units)


def test_links_go_to_the_page_made_for_the_kind_of_item() -> None:
    assert item_path("pledge", 21) == "/pledges/21"
    assert item_path("report", 22) == "/reports/22"
    assert item_path("dossier", 23) == "/dossiers/23"  # the dossier has its own page now
    assert item_path("inspection", 24) == "/items/24"


def test_a_dossier_is_named_by_the_title_it_proposes() -> None:
    dossier = Item("dossier", 2, data={"title": "co_thi_dua_chinh_phu", "title_label": {
        "vi": "Cờ thi đua của Chính phủ", "en": "Government emulation flag"}})
    generic = Label("Hồ sơ đề nghị khen thưởng", "Commendation dossier")

    assert item_title(generic, dossier, NAMES) == \
        "Hồ sơ đề nghị Cờ thi đua của Chính phủ 2026 – Bộ Tư pháp"
    assert item_title(generic, dossier, NAMES, "en") == \
        "Dossier proposing government emulation flag 2026 – Bộ Tư pháp"
    assert item_title(generic, Item("dossier", 2), NAMES) == \
        "Hồ sơ đề nghị khen thưởng 2026 – Bộ Tư pháp"  # opened before titles were kept
    assert item_path("dossier", 5) == "/dossiers/5"


def test_a_conference_is_named_by_its_kind_and_its_page_is_its_own() -> None:
    conference = Label("Hội nghị của cụm, khối thi đua", "Cluster conference")
    review = Item("conference", data={"plan": {"kind": "six_month"}})
    assert item_title(conference, review, NAMES) == \
        "Hội nghị sơ kết 6 tháng 2026 – Khối thi đua các bộ, ngành Nội chính Trung ương"
    assert item_title(conference, Item("conference"), NAMES, "en") == \
        "Cluster conference 2026 – Khối thi đua các bộ, ngành Nội chính Trung ương"
    assert item_path("conference", 21) == "/conferences/21"
