"""The generic item page speaks to people: labelled values in Vietnamese, history as steps
taken by named people in their roles, the engine's codes only in an administrator's technical
details; an item that is missing or not yours says what to do."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient

from tests.web.conftest import AuthActions
from tests.year_support import Bloc, at, launch, walk_to_year_end
from workflow.domain.roles import ROLES
from workflow.services import organisations, people

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
FILE_NAME = re.compile(r"\S+\.(pdf|docx|xlsx|png|jpe?g)\b")
REPR = re.compile(r"\{'|\['|\bNone\b|\bTrue\b|\bFalse\b")


def submitted_pledge(bloc: Bloc) -> int:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    bloc.clock.set(at("2025-03-20", 10))
    # as the target form saves them: text with a decimal point
    goals = {c.code: "87.5" for c in bloc.table.targets_required()}
    bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"), {"targets": goals})
    bloc.wf.fire(pledge, "submit", bloc.head("bca"))
    return int(pledge.id)


def main_of(page: str) -> str:
    """The page's content, without its header (which names the signed-in user's login)."""
    return page.split("<main>", 1)[1]


def technical_of(page: str) -> str:
    found = re.search(r'<details class="card technical">.*?</details>', page, re.S)
    return found.group(0) if found else ""


def test_a_pledges_data_reads_as_labelled_values_in_vietnamese(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    item = submitted_pledge(bloc)
    auth.login("btp_head")

    page = main_of(client.get(f"/items/{item}").get_data(as_text=True))

    title = bloc.table.targets_required()[0].title.vi
    assert title in page  # a target is named by its criterion
    assert "87,5%" in page  # with a decimal comma and the criterion's unit
    assert "20/03/2025 10:00" in page  # local time, dd/mm/yyyy
    assert not ISO.search(page)
    assert not REPR.search(page)
    assert "dich_vu_cong_truc_tuyen" not in page
    assert "submitted_at" not in page
    assert "Chi tiết kỹ thuật" not in page  # not an administrator


def test_history_names_the_action_the_person_and_their_role(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    item = submitted_pledge(bloc)
    auth.login("btp_head")

    page = main_of(client.get(f"/items/{item}").get_data(as_text=True))
    history = page.split("Lịch sử", 1)[1]

    assert "Thủ trưởng Bộ Công an" in history  # the person, by name
    assert "Thủ trưởng đơn vị" in history  # their role, by its title
    assert "Cán bộ thi đua Bộ Công an" in history
    assert "Dự thảo → Đã trình" in history
    assert "Lưu chỉ tiêu" in history  # the action, by its label
    assert "Trình" in history
    for code in ("save_targets", "submit", "unit_head", "unit_officer", "bca_head"):
        assert code not in history, code
    assert "Dự thảo → Dự thảo" not in history  # a step that stays put shows no arrow


def test_a_campaign_names_its_units_and_links_to_its_progress(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    campaign = launch(bloc)
    bloc.clock.set(at("2025-04-01"))
    bloc.wf.fire(campaign, "close_pledging", bloc.actor("vu_tdkt"), {"comment": "Hết hạn"})
    people.set_password(bloc.services.uow(), bloc.users["vu_tdkt"], "mat-khau-web")
    auth.login("btp_head")

    page = main_of(client.get(f"/items/{campaign.id}").get_data(as_text=True))

    assert "Đơn vị chưa ký giao ước" in page
    assert "Bộ Quốc phòng" in page  # by name, not id
    assert "Kiểm toán Nhà nước" in page
    assert "Bảng tiêu chí thi đua Khối các bộ, ngành Nội chính Trung ương" in page
    assert "Hạn ký giao ước" in page  # a date, by its term
    assert f'href="/campaigns/{campaign.id}"' in page
    assert not REPR.search(page)
    assert not ISO.search(page)
    assert "unsigned_units" not in page


def test_an_administrator_may_open_the_technical_details(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    item = submitted_pledge(bloc)
    bloc.users["admin"] = people.create_user(bloc.services.uow(), "admin", "Quản trị")
    people.grant(bloc.services.uow(), bloc.users["admin"], "admin")
    auth.login("admin")

    page = client.get(f"/items/{item}").get_data(as_text=True)
    technical = technical_of(page)

    assert "Chi tiết kỹ thuật" in technical
    assert "save_targets" in technical
    assert "dich_vu_cong_truc_tuyen" in technical
    assert "save_targets" not in page.replace(technical, "")


def test_a_missing_item_says_what_to_do_in_vietnamese(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    auth.login("bca_officer")

    response = client.get("/items/99999")
    page = response.get_data(as_text=True)

    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ này" in page
    assert "hộp công việc" in page
    assert "no workflow instance" not in page
    assert "99999" not in main_of(page)


def test_a_forbidden_item_says_whom_to_ask_in_vietnamese(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    uow = bloc.services.uow()
    unit = organisations.create_unit(uow, "KHAC", "Đơn vị ngoài khối")
    bloc.users["khac_officer"] = people.create_user(uow, "khac_officer", "Cán bộ đơn vị khác")
    people.grant(uow, bloc.users["khac_officer"], "unit_officer", unit_id=unit, year=2025)
    auth.login("khac_officer")

    response = client.get(f"/items/{bloc.child('pledge', 'bqp').id}")
    page = response.get_data(as_text=True)

    assert response.status_code == 403
    assert "không có quyền truy cập" in page
    assert "Forbidden" not in page


def test_every_item_of_a_year_reads_without_codes_reprs_or_iso_dates(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    walk_to_year_end(bloc)
    svc = bloc.services
    codes: set[str] = set(ROLES) | set(svc.registry.guards) | set(svc.registry.effects)
    for name in svc.catalog.names():
        spec = svc.catalog.latest(name).spec
        codes |= set(spec.state_names) | set(spec.terms)
        codes |= {t.trigger for t in spec.transitions}
    # codes that are also words of the page's Vietnamese or of names: none of them has a "_"
    found_code = re.compile(r"(?<![\w-])(" + "|".join(
        re.escape(c) for c in sorted(codes, key=len, reverse=True) if "_" in c) + r")(?![\w-])")
    items = [bloc.campaign, *bloc.wf.children(bloc.campaign.id)]
    inspections = [i for i in items if i.workflow == "inspection"]
    assert inspections
    auth.login("btp_head")

    offences = []
    for item in items:
        # an inspection's generic page leads to the page made for it: read that one
        response = client.get(f"/items/{item.id}", follow_redirects=True)
        if response.status_code == 403:
            continue
        page = main_of(response.get_data(as_text=True))
        text = html.unescape(re.sub(r"<[^>]+>", " ", page.replace(technical_of(page), "")))
        text = FILE_NAME.sub("", text)  # the uploaders' file names are theirs
        for pattern in (found_code, REPR, ISO):
            hit = pattern.search(text)
            if hit:
                offences.append(f"{item.workflow} {item.id}: {hit.group(0)} in "
                                f"{' '.join(text[hit.start() - 80:hit.end() + 40].split())}")

    assert not offences, offences


def test_the_item_page_speaks_english_when_asked(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    item = submitted_pledge(bloc)
    auth.login("btp_head")

    page = main_of(client.get(f"/items/{item}?lang=en").get_data(as_text=True))

    assert "Submitted on" in page
    assert "Submit" in page
    assert "87.5%" in page  # English writes a decimal point
    assert "submitted_at" not in page
