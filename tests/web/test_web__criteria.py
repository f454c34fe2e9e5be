"""The criteria tables in the browser, for the council office: the list with versions and the
campaigns on them, a copy edited beside its preview, a problem shown at its line in
Vietnamese, a new version published while a launched campaign keeps its own, and a new table
offered by the campaign form and used by a campaign created on it."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, csrf
from tests.year_support import DATES, Bloc, at, launch

CODE = "khoi_noi_chinh"
TITLE = "Bảng tiêu chí thi đua Khối các bộ, ngành Nội chính Trung ương"
ENGINE_WORDS = re.compile(r"max_points|add up to|qualitative|quantitative|\{'|'\}|T\d\d:\d\d")


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    """The page as read: the text outside tags, without the YAML being edited."""
    html = re.sub(r"<textarea.*?</textarea>|<pre class=\"scroll\">.*?</pre>", "", html,
                  flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def post(client: FlaskClient, path: str, data: dict[str, str], token_from: str = "/criteria"
         ) -> object:
    return client.post(path, data={**data, "csrf_token": csrf(client, token_from)})


def draft_text(client: FlaskClient, code: str = CODE) -> str:
    html = page(client, f"/criteria/{code}/edit")
    found = re.search(r'<textarea[^>]*>\n(.*?)</textarea>', html, re.S)
    assert found
    return (found.group(1).replace("&#39;", "'").replace("&#34;", '"').replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


def edit(client: FlaskClient, action: str, text: str, code: str = CODE) -> object:
    return post(client, f"/criteria/{code}/edit", {"action": action, "source_text": text},
                f"/criteria/{code}/edit")


def test_the_office_finds_the_tables_from_the_menu_with_their_campaigns(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    campaign = launch(bloc)
    auth.login("vu_tdkt")

    inbox = page(client, "/")
    listing = page(client, "/criteria")
    version = page(client, f"/criteria/{CODE}/versions/1")

    assert 'href="/criteria"' in inbox
    assert "Bảng tiêu chí" in inbox
    assert "<h1>Bảng tiêu chí</h1>" in listing
    assert TITLE in listing
    assert "Phiên bản 1" in listing
    assert "mới nhất" in listing
    assert f'href="/campaigns/{campaign.id}"' in listing
    assert "Phong trào thi đua 2025 – Khối thi đua các bộ, ngành Nội chính Trung ương" in listing
    assert "Sao chép thành phiên bản mới" in listing
    assert "Sao chép thành bảng mới" in listing
    assert "Ban hành lúc" in version
    assert "Thang điểm" in version
    assert "Định tính" in version
    assert "Định lượng" in version
    assert "Điểm thưởng và điểm trừ" in version
    assert not ENGINE_WORDS.search(text_of(listing))
    assert not ENGINE_WORDS.search(text_of(version))


def test_a_unit_officer_has_no_menu_link_and_no_access(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    auth.login("bca_officer")

    assert 'href="/criteria"' not in page(client, "/")
    refused = client.get("/criteria")
    assert refused.status_code == 403
    assert "Bảng tiêu chí do Cơ quan thường trực" in refused.get_data(as_text=True)


def test_a_problem_is_shown_at_its_line_in_vietnamese_and_the_text_is_kept(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    auth.login("vu_tdkt")
    copied = post(client, f"/criteria/{CODE}/copy", {"mode": "version"})
    assert copied.headers["Location"].endswith(f"/criteria/{CODE}/edit")  # type: ignore[attr-defined]
    text = draft_text(client)
    assert "\nversion: 2\n" in text
    broken = text.replace("scale: 100", "scale: 90", 1)
    line = next(n for n, ln in enumerate(broken.split("\n"), 1) if ln.startswith("scale:"))

    checked = edit(client, "validate", broken)
    refused = edit(client, "publish", broken)

    html = checked.get_data(as_text=True)  # type: ignore[attr-defined]
    assert f'<a href="#L{line}">Dòng {line}</a>' in html
    assert ("thang điểm: các nhóm cộng lại được 100 điểm nhưng thang điểm là 90: sửa cho bằng "
            "nhau") in html
    assert f'id="L{line}" class="bad"' in html
    assert "Bản xem trước hiện ra khi nội dung không còn lỗi." in html
    assert "scale: 90" in html  # the text is kept
    assert not ENGINE_WORDS.search(text_of(html))
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert bloc.services.criteria.get(CODE).version == 1


def test_a_level_problem_names_its_group_criterion_and_level(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    auth.login("vu_tdkt")
    post(client, f"/criteria/{CODE}/copy", {"mode": "version"})
    text = draft_text(client).replace("max_points: 15", "max_point: 15", 1)

    html = edit(client, "validate", text).get_data(as_text=True)  # type: ignore[attr-defined]

    assert "không có trường max_point: có phải là max_points?" in html
    assert "nhóm 1: thiếu điểm tối đa: hãy bổ sung" in html


def test_a_new_version_is_checked_previewed_saved_and_published(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    campaign = launch(bloc)  # launched on version 1
    auth.login("vu_tdkt")
    post(client, f"/criteria/{CODE}/copy", {"mode": "version"})
    text = draft_text(client).replace("appeal_days: 5", "appeal_days: 7", 1)

    checked = edit(client, "validate", text).get_data(as_text=True)  # type: ignore[attr-defined]
    saved = edit(client, "save", text)
    listing = page(client, "/criteria")
    published = edit(client, "publish", text)
    after = page(client, "/criteria")

    assert "Bảng hợp lệ: 5 nhóm, 17 tiêu chí, 100 điểm." in checked
    assert 'class="card criteria-preview"' in checked
    assert "Số ngày được khiếu nại kết quả chấm" in checked
    assert "Phiên bản mới của “" + TITLE + "”" in checked
    assert saved.status_code == 302  # type: ignore[attr-defined]
    assert "Dự thảo đang soạn" in listing
    assert "Vụ Thi đua – Khen thưởng lưu lúc" in listing
    assert published.status_code == 302  # type: ignore[attr-defined]
    assert f"Đã ban hành {TITLE}, phiên bản 2" in after
    assert "Dự thảo đang soạn" not in after
    assert "Phiên bản 2" in after
    assert bloc.services.criteria.get(CODE).appeal_days == 7
    assert bloc.wf.get(campaign.id).data["criteria_table"] == {"code": CODE, "version": 1}


def test_a_new_table_is_offered_to_the_campaign_form_and_used(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    auth.login("vu_tdkt")
    bloc.clock.set(at("2025-01-10"))
    bad = post(client, f"/criteria/{CODE}/copy", {"mode": "table", "new_code": "Bảng Mới"})
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "Mã viết bằng chữ thường không dấu" in bad.get_data(as_text=True)  # type: ignore[attr-defined]
    assert 'value="Bảng Mới"' in bad.get_data(as_text=True)  # type: ignore[attr-defined]

    made = post(client, f"/criteria/{CODE}/copy", {"mode": "table", "new_code": "chuyen_doi_so"})
    assert made.headers["Location"].endswith("/criteria/chuyen_doi_so/edit")  # type: ignore[attr-defined]
    text = draft_text(client, "chuyen_doi_so").replace(TITLE, "Bảng tiêu chí chuyển đổi số", 1)
    assert "Bảng tiêu chí mới chuyen_doi_so" in page(client, "/criteria/chuyen_doi_so/edit")
    assert edit(client, "publish", text, "chuyen_doi_so").status_code == 302  # type: ignore[attr-defined]

    cluster = page(client, f"/clusters/{bloc.cluster}")
    assert '<option value="chuyen_doi_so"' in cluster
    assert "Bảng tiêu chí chuyển đổi số (phiên bản 1)" in cluster
    created = post(client, f"/clusters/{bloc.cluster}/campaigns", {
        "theme": "Thi đua chuyển đổi số", "kind": "regular", "criteria_table": "chuyen_doi_so",
        **DATES}, f"/clusters/{bloc.cluster}")
    assert created.status_code == 302  # type: ignore[attr-defined]
    [summary] = bloc.services.reads.cluster_campaigns(bloc.cluster)
    assert summary.criteria_table == "chuyen_doi_so"
    listing = page(client, "/criteria")
    assert "Chưa phát động, sẽ dùng phiên bản mới nhất khi phát động:" in listing
    assert f'href="/campaigns/{summary.id}"' in listing


def test_a_draft_is_deleted_and_forms_need_the_csrf_token(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    auth.login("vu_tdkt")
    assert client.post(f"/criteria/{CODE}/copy", data={"mode": "version"}).status_code == 400
    post(client, f"/criteria/{CODE}/copy", {"mode": "version"})

    deleted = edit(client, "discard", draft_text(client))

    assert deleted.status_code == 302  # type: ignore[attr-defined]
    assert bloc.services.criteria.draft(CODE) is None
    assert client.get(f"/criteria/{CODE}/edit").status_code == 302


def test_an_older_version_is_copied_from_its_page_and_a_draft_is_never_replaced(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    auth.login("vu_tdkt")
    version = page(client, f"/criteria/{CODE}/versions/1")
    assert "Sao chép phiên bản này thành phiên bản mới" in version
    post(client, f"/criteria/{CODE}/copy", {"mode": "version", "version": "1"},
         f"/criteria/{CODE}/versions/1")
    text = draft_text(client)
    edit(client, "save", text + "# ghi chú\n")

    again = post(client, f"/criteria/{CODE}/copy", {"mode": "version"})
    html = page(client, f"/criteria/{CODE}/edit")
    unchanged = edit(client, "publish", text)

    assert again.headers["Location"].endswith(f"/criteria/{CODE}/edit")  # type: ignore[attr-defined]
    assert "Bảng này đang có một bản dự thảo" in html
    assert "# ghi chú" in html
    assert unchanged.status_code == 400  # type: ignore[attr-defined]
    assert "không có gì thay đổi so với phiên bản 1" in unchanged.get_data(as_text=True)  # type: ignore[attr-defined]


def test_a_tolerance_is_previewed_and_a_wrong_one_explained_in_vietnamese(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    auth.login("vu_tdkt")
    post(client, f"/criteria/{CODE}/copy", {"mode": "version"})
    anchor = "        formula: ratio\n        evidence: [report]\n      - code: giai_quyet_don_thu"
    text = draft_text(client)
    assert anchor in text

    good = edit(client, "validate", text.replace(anchor, anchor.replace(
        "[report]\n", "[report]\n        tolerance: {percent: 5}\n"), 1))
    bad = edit(client, "validate", text.replace(anchor, anchor.replace(
        "[report]\n", "[report]\n        tolerance: {percent: 5, absolute: 1}\n"), 1))

    assert "Sai số cho phép so với số liệu của cơ quan chuyên môn: 5%" in \
        good.get_data(as_text=True)  # type: ignore[attr-defined]
    assert ("mức sai số là tuyệt đối (theo đơn vị tính của tiêu chí) hoặc phần trăm (của số "
            "liệu cơ quan chuyên môn): hãy ghi một trong hai") in \
        bad.get_data(as_text=True)  # type: ignore[attr-defined]
