"""The rules page shows, in Vietnamese, each rule set with its dates and every value with its
legal basis (document, article, clause), marking the values not yet verified (issue 16)."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import AuthActions
from tests.year_support import Bloc
from workflow.services import people


def page(response: object) -> str:
    text = html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


@pytest.fixture
def admin(client: FlaskClient, auth: AuthActions, bloc: Bloc) -> FlaskClient:
    uow = bloc.services.uow()
    bloc.users["quan_tri"] = people.create_user(uow, "quan_tri", "Quản trị viên")
    people.grant(uow, bloc.users["quan_tri"], "admin")
    auth.login("quan_tri")
    return client


def test_each_set_shows_its_dates_and_each_value_its_basis(admin: FlaskClient) -> None:
    first = page(admin.get("/admin/rules"))

    # the earliest sets first, with their dates in Vietnamese
    assert "Nghị định 91/2017/NĐ-CP" in first
    assert "áp dụng từ 01/10/2017 đến 31/12/2023" in first
    assert "áp dụng từ 01/01/2024 đến 30/06/2025" in first
    assert "ít nhất 80% tổng số thành viên" in first
    assert "Nghị định 98/2023/NĐ-CP, Điều 30 khoản 7" in first
    assert "Nghị định 98/2023/NĐ-CP, Điều 32 khoản 2" in first
    assert "Thời hạn thẩm định (ngày làm việc), cấp trung ương (Bộ Nội vụ) 20" in first
    assert "Thời hạn trả hồ sơ không đủ điều kiện (ngày làm việc), cấp xã 5" in first
    assert "Pháp luật quy định phải bỏ phiếu" in first
    assert "Thành viên vắng mặt cho ý kiến bằng văn bản" in first
    assert "Đối chiếu tại: tnt305/tai_lieu_noi_bo" in first
    assert "tập thể · cấp nhà nước" in first
    assert "Mức lương cơ sở (đồng/tháng) từ 01/07/2024 2.340.000" in first
    assert "Tiền thưởng (số lần mức lương cơ sở) 4,5" in first
    assert "Nghị định 73/2024/NĐ-CP, Điều 3 khoản 2" in first
    assert "(collective" not in first
    assert "chưa kiểm chứng" in first
    assert "đã kiểm chứng" in first


def test_the_2025_set_says_what_decree_152_replaces(admin: FlaskClient) -> None:
    second = page(admin.get("/admin/rules?page=2"))

    assert "áp dụng từ 01/07/2025" in second
    assert "Thay thế Nghị định 98/2023/NĐ-CP, Nghị định 28/2024/NĐ-CP" in second
    assert "Nghị định 152/2025/NĐ-CP, Điều 59 khoản 2" in second
    assert "Tiền thưởng (số lần mức lương cơ sở) 12 " in second
    assert "Nghị định 152/2025/NĐ-CP, Điều 50 khoản 2" in second
    assert "Tiền thưởng làm tròn lên bội số của (đồng) 10.000" in second
    assert "Số đơn vị có mặt tối thiểu khi cụm, khối bỏ phiếu suy tôn ít nhất 2/3" in second


def test_the_amending_law_set_says_which_dossiers_it_takes(admin: FlaskClient) -> None:
    second = page(admin.get("/admin/rules?page=2"))  # with the rules of 01/7/2025

    assert "áp dụng từ 01/10/2026" in second
    assert "Áp dụng cho hồ sơ nhận từ ngày 01/10/2026" in second
    assert "Luật 06/2026/QH16" in second
    assert "Ưu tiên khi thành tích như nhau: nữ và tập thể có tỷ lệ nữ từ 70%" in second


def test_each_holiday_shows_its_source_and_whether_it_was_checked(admin: FlaskClient) -> None:
    answer = page(admin.get("/admin/rules"))

    assert "02/01/2026 Nghỉ hoán đổi dịp Tết Dương lịch" in answer
    assert "Công văn 12729/VPCP-KGVX" in answer
    assert "10/01/2026 Ngày cuối tuần làm bù" in answer
    assert "24/11/2026 Ngày Văn hóa Việt Nam Nghị quyết 28/2026/QH16" in answer
    assert "06/02/2027 Tết Nguyên đán" in answer
