"""The pages made for a pledge and a report, items named by what they are, and their files
opened by the people who act on or review them (HTTP level, in Vietnamese)."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.conftest import AuthActions, csrf
from tests.year_support import (
    DATES,
    PDF,
    YEAR,
    Bloc,
    launch,
    mid_year,
    sign_all_pledges,
    targets,
)
from workflow.services import notifications, organisations, people

BCA = "Bộ Công an"


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def text(html: str) -> str:
    """The page's words, without tags (what a reader sees)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def post(client: FlaskClient, path: str, data: dict[str, str], token_from: str
         ) -> TestResponse:
    return client.post(path, data={"csrf_token": csrf(client, token_from), **data})


# --- names, not ids ---------------------------------------------------------------------------


def test_the_inbox_names_each_item_by_what_it_is_and_links_to_its_page(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    auth.login("bca_officer")
    html = page(client, "/")
    assert f"Giao ước thi đua {YEAR} – {BCA}" in html
    assert f'href="/pledges/{pledge.id}"' in html
    assert f"#{pledge.id}" not in html
    assert "Phong trào thi đua 2025 – Khối thi đua các bộ, ngành Nội chính Trung ương" in html


def test_the_campaign_progress_links_each_pledge_to_its_page(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    campaign = launch(bloc)
    pledge = bloc.child("pledge", "bca")
    auth.login("btp_head")
    assert f'href="/pledges/{pledge.id}"' in page(client, f"/campaigns/{campaign.id}")


# --- the pledge page --------------------------------------------------------------------------


def test_the_pledge_page_shows_the_targets_against_the_criteria_in_vietnamese(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    auth.login("bca_officer")
    html = page(client, f"/pledges/{pledge.id}")
    seen = text(html)
    assert f"Giao ước thi đua {YEAR} – {BCA}" in seen
    for c in bloc.table.targets_required():
        assert c.title.vi in seen
        assert f'name="target:{c.code}"' in html
    assert "Lưu chỉ tiêu" in seen
    assert "Trình" in seen
    assert "TARGETS" not in html
    assert "{'" not in html
    assert "save_targets" not in seen


def test_one_wrong_target_keeps_every_typed_value_and_says_which_one_is_wrong(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    codes = [c.code for c in bloc.table.targets_required()]
    auth.login("bca_officer")
    typed = {f"target:{c}": f"{80 + i},5" for i, c in enumerate(codes)}
    typed[f"target:{codes[1]}"] = "tám mươi"
    answer = post(client, f"/pledges/{pledge.id}/targets", typed, f"/pledges/{pledge.id}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    for i in range(len(codes)):
        if i != 1:
            assert f'value="{80 + i},5"' in html
    assert 'value="tám mươi"' in html
    assert 'aria-invalid="true"' in html
    assert "Chưa lưu: đề nghị sửa các chỉ tiêu" in text(html)
    assert bloc.wf.get(pledge.id).data.get("targets") in (None, {})  # nothing saved


def test_saved_targets_come_back_with_a_decimal_comma(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    codes = [c.code for c in bloc.table.targets_required()]
    auth.login("bca_officer")
    answer = post(client, f"/pledges/{pledge.id}/targets",
                  {**{f"target:{c}": "92,5" for c in codes},
                   "version": str(bloc.wf.get(pledge.id).version)}, f"/pledges/{pledge.id}")
    assert answer.status_code == 302
    assert bloc.wf.get(pledge.id).data["targets"][codes[0]] == "92.5"
    assert 'value="92,5"' in page(client, f"/pledges/{pledge.id}")


def test_a_returned_pledge_shows_the_leaders_comment_per_target_and_notifies_the_unit(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    code = bloc.table.targets_required()[0]
    bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head("bca"))
    auth.login("btp_head")
    leader_page = page(client, f"/pledges/{pledge.id}")
    assert "Trả lại" in leader_page
    assert "Chấp thuận" in leader_page
    version = str(bloc.wf.get(pledge.id).version)
    answer = post(client, f"/pledges/{pledge.id}/fire", {
        "trigger": "return", "version": version, "comment": "Chỉ tiêu chưa sát thực tế",
        f"target_comment:{code.code}": "Đề nghị nâng lên 95%"}, f"/pledges/{pledge.id}")
    assert answer.status_code == 302
    auth.logout()

    auth.login("bca_officer")
    seen = text(page(client, f"/pledges/{pledge.id}"))
    assert "Chỉ tiêu chưa sát thực tế" in seen
    assert "Đề nghị nâng lên 95%" in seen
    news = notifications.inbox(bloc.services.uow(), bloc.users["bca_officer"])
    assert [n.subject for n in news] == [f"[Thi đua] Trả lại: Giao ước thi đua {YEAR} – {BCA}"]
    assert "Chỉ tiêu chưa sát thực tế" in news[0].body
    assert news[0].link == f"/pledges/{pledge.id}"
    inbox = page(client, "/")
    assert f"Trả lại: Giao ước thi đua {YEAR} – {BCA}" in inbox
    assert f'href="/pledges/{pledge.id}"' in inbox


def test_a_return_without_a_comment_keeps_the_typed_target_comments(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    code = bloc.table.targets_required()[0].code
    bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head("bca"))
    auth.login("btp_head")
    answer = post(client, f"/pledges/{pledge.id}/fire", {
        "trigger": "return", "version": str(bloc.wf.get(pledge.id).version), "comment": "",
        f"target_comment:{code}": "Đề nghị nâng lên 95%"}, f"/pledges/{pledge.id}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Đề nghị nâng lên 95%" in html
    assert bloc.wf.get(pledge.id).state == "submitted"


def test_signing_asks_for_the_signed_pledge_and_lists_it_with_a_link(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head("bca"))
    bloc.wf.fire(pledge, "accept", bloc.leader)
    auth.login("bca_head")
    seen = text(page(client, f"/pledges/{pledge.id}"))
    assert "Tải bản giao ước đã ký lên trước." in seen
    token = csrf(client, f"/pledges/{pledge.id}")
    client.post(f"/pledges/{pledge.id}/documents", data={
        "csrf_token": token, "file": (io.BytesIO(PDF), "Giao_uoc_BCA.pdf")},
        content_type="multipart/form-data")
    html = page(client, f"/pledges/{pledge.id}")
    doc = re.search(rf'href="(/items/{pledge.id}/documents/\d+)">Giao_uoc_BCA.pdf', html)
    assert doc, "the signed pledge is a link"
    assert "Thủ trưởng Bộ Công an" in html  # who uploaded it, by name
    assert f"{len(PDF)} B" in html
    opened = client.get(doc.group(1))
    assert opened.status_code == 200
    assert opened.mimetype == "application/pdf"
    assert opened.headers["Content-Disposition"].startswith("inline")
    assert opened.data == PDF
    answer = post(client, f"/pledges/{pledge.id}/fire", {
        "trigger": "sign", "version": str(bloc.wf.get(pledge.id).version)},
        f"/pledges/{pledge.id}")
    assert answer.status_code == 302
    assert bloc.wf.get(pledge.id).state == "signed"


def test_last_years_signed_targets_are_shown_beside_this_years(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    sign_all_pledges(bloc)  # 100 for every target in 2025
    uow = bloc.services.uow()
    people.grant(uow, bloc.users["bca_officer"], "unit_officer", unit_id=bloc.units["bca"],
                 year=YEAR + 1)
    people.grant(uow, bloc.users["btp_head"], "unit_head", unit_id=bloc.units["btp"],
                 year=YEAR + 1)
    cluster = organisations.create_cluster(
        uow, "KNC", "Khối thi đua các bộ, ngành Nội chính Trung ương", "khoi", YEAR + 1,
        list(bloc.units.values()), leader_unit_id=bloc.units["btp"],
        deputy_unit_id=bloc.units["lang"])
    nxt = bloc.wf.start("campaign", bloc.actor("btp_head"), cluster_id=cluster, year=YEAR + 1)
    bloc.wf.fire(nxt, "launch", bloc.actor("btp_head"), {
        "theme": "Thi đua 2026", "criteria_table": "khoi_noi_chinh", "kind": "regular",
        "dates": {k: v.replace("2025", "2026") for k, v in DATES.items()}})
    pledge = next(c for c in bloc.wf.children(nxt.id)
                  if c.workflow == "pledge" and c.unit_id == bloc.units["bca"])
    auth.login("bca_officer")
    seen = text(page(client, f"/pledges/{pledge.id}"))
    assert f"Giao ước thi đua {YEAR + 1} – {BCA}" in seen
    first = bloc.table.targets_required()[0]
    assert re.search(rf"{re.escape(first.title.vi)} .*? 100 ", seen)


# --- the report page --------------------------------------------------------------------------


def test_the_report_page_shows_the_period_the_due_date_and_the_report_with_a_link(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc, skip=("bca",))
    report = bloc.child("report", "bca")
    auth.login("bca_officer")
    seen = text(page(client, f"/reports/{report.id}"))
    assert f"Báo cáo sơ kết {YEAR} – {BCA}" in seen
    assert "15/07/2025" in seen
    assert "Tải báo cáo lên trước." in seen
    token = csrf(client, f"/reports/{report.id}")
    client.post(f"/reports/{report.id}/documents", data={
        "csrf_token": token, "file": (io.BytesIO(PDF), "Bao_cao_so_ket.pdf")},
        content_type="multipart/form-data")
    html = page(client, f"/reports/{report.id}")
    assert re.search(rf'href="/items/{report.id}/documents/\d+">Bao_cao_so_ket.pdf', html)
    answer = post(client, f"/reports/{report.id}/fire", {
        "trigger": "submit", "version": str(bloc.wf.get(report.id).version)},
        f"/reports/{report.id}")
    assert answer.status_code == 302
    assert bloc.wf.get(report.id).state == "submitted"
    auth.logout()

    auth.login("btp_head")  # the leader opens the report it reviews, and returns it
    html = page(client, f"/reports/{report.id}")
    link = re.search(rf'href="(/items/{report.id}/documents/\d+)"', html)
    assert link
    assert client.get(link.group(1)).status_code == 200
    answer = post(client, f"/reports/{report.id}/fire", {
        "trigger": "return", "version": str(bloc.wf.get(report.id).version),
        "comment": "Bổ sung số liệu quý II"}, f"/reports/{report.id}")
    assert bloc.wf.get(report.id).state == "returned"
    news = notifications.inbox(bloc.services.uow(), bloc.users["bca_head"])
    assert news[0].subject == f"[Thi đua] Trả lại: Báo cáo sơ kết {YEAR} – {BCA}"


def test_another_units_officer_cannot_open_a_units_files_but_its_reviewer_can(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    bloc.attach(pledge, bloc.head("bca"), "signed_pledge")
    [doc] = bloc.services.reads.documents(pledge.id)
    uow = bloc.services.uow()  # an officer of another unit, not an inspector of the bloc
    bloc.users["bqp_clerk"] = people.create_user(uow, "bqp_clerk", "Văn thư Bộ Quốc phòng")
    people.grant(uow, bloc.users["bqp_clerk"], "unit_officer", unit_id=bloc.units["bqp"],
                 year=YEAR)
    auth.login("bqp_clerk")
    assert client.get(f"/pledges/{pledge.id}").status_code == 403
    assert client.get(f"/items/{pledge.id}/documents/{doc.id}").status_code == 403
    auth.logout()
    auth.login("btp_head")  # the leader, who reviews it, opens it
    assert client.get(f"/items/{pledge.id}/documents/{doc.id}").status_code == 200


def test_the_pledge_page_speaks_english_on_request(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    auth.login("bca_officer")
    seen = text(page(client, f"/pledges/{pledge.id}?lang=en"))
    assert f"Emulation pledge {YEAR} – {BCA}" in seen
    assert "Target this year" in seen
    assert "Save targets" in seen


def test_the_generic_item_page_names_the_item_and_leads_to_its_own_page(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    auth.login("bca_officer")
    html = page(client, f"/items/{pledge.id}")
    assert f"Giao ước thi đua {YEAR} – {BCA}" in text(html)
    assert f"#{pledge.id}" not in text(html)
    assert f'href="/pledges/{pledge.id}"' in html
