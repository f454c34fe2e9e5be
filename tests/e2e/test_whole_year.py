"""A cluster's whole year in the browser, from an empty database, to the announced decision.

Only the set-up commands a new installation runs come before the browser: the schema
(`thidua db upgrade`), the shipped definitions (`thidua definitions sync`) and a first admin
(`thidua users create-admin`). Everything after is clicks and typing by the people whose work
it is, each in their own browser; every page is photographed at 1280 and 390 px wide
(test-output/screenshots/whole-year-*), and each step asserts what the page says, in Vietnamese.

After the cluster's vote the same test goes on (the same database and browser: the year is not
run twice) to the council's side: the leader opens the winner's dossier from the vote's
result, documents are uploaded and downloaded, a citizen objects on the public page and is
answered, the council office returns the dossier twice for supplement (the appraisal due date
is checked against one computed here from the holiday files), the council meets with a quorum
and one written vote of an absent member, the competent head decides on the dossier page and
the public page shows the announced decision with its number and date.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner

from tests.e2e.conftest import ARGS, CHROMIUM, SHOTS, serving
from workflow.bootstrap import Services, bootstrap
from workflow.cli import cli
from workflow.clock import FakeClock
from workflow.config import load_settings

YEAR = 2026
PASSWORD = "mat-khau-ca-nam-2026"
ADMIN = "quantri"
# code, name, officer, head
UNITS = [
    ("BTP", "Bộ Tư pháp", "Nguyễn Văn An", "Trần Thị Bình"),
    ("BCA", "Bộ Công an", "Lê Văn Cường", "Phạm Thị Dung"),
    ("TTCP", "Thanh tra Chính phủ", "Hoàng Văn Em", "Vũ Thị Giang"),
    ("TANDTC", "Tòa án nhân dân tối cao", "Đỗ Văn Hải", "Bùi Thị Lan"),
    ("VKSNDTC", "Viện kiểm sát nhân dân tối cao", "Ngô Văn Minh", "Đặng Thị Nga"),
]
CLUSTER = "Khối thi đua các bộ, ngành Nội chính"
COUNTERS = UNITS[1:4]  # the vote-counting committee: the heads of BCA, TTCP and TANDTC
OFFICE = ("vu_tdkt", "Phạm Văn Quang")  # the council office (Vụ Thi đua – Khen thưởng)


def officer(code: str) -> str:
    return f"{code.lower()}_canbo"


def head(code: str) -> str:
    return f"{code.lower()}_thutruong"


@pytest.fixture
def year_clock() -> FakeClock:
    # the first working Monday of the emulation year, 8:00 in Hà Nội
    return FakeClock(dt.datetime(YEAR, 1, 5, 1, 0, tzinfo=dt.UTC))


@pytest.fixture
def empty(tmp_path: Path, year_clock: FakeClock) -> Iterator[Services]:
    """A new installation: the database only has what the set-up commands put there."""
    settings = load_settings(environ={}, overrides={
        "database": {"url": f"sqlite:///{tmp_path}/thidua.db"},
        "app": {"documents_dir": str(tmp_path / "documents"),
                "instance_dir": str(tmp_path / "instance")},
        "scheduler": {"enabled": False}})
    svc = bootstrap(settings, clock=year_clock)
    runner = CliRunner()
    for args in (["db", "upgrade"], ["definitions", "sync"],
                 ["users", "create-admin", ADMIN, "--full-name", "Quản trị hệ thống"]):
        done = runner.invoke(cli, args, obj=svc, env={"THIDUA_ADMIN_PASSWORD": PASSWORD})
        assert done.exit_code == 0, (args, done.output)
    yield svc
    svc.close()


@pytest.fixture
def app_url(empty: Services) -> Iterator[str]:
    with serving(empty) as base:
        yield base


@pytest.fixture
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class Person:
    """One user in their own browser, signed in."""

    shots = 0

    def __init__(self, browser: Any, base: str, username: str) -> None:
        self.context = browser.new_context(locale="vi-VN", viewport={"width": 1280,
                                                                     "height": 900})
        self.page = self.context.new_page()
        self.base, self.username = base, username
        self.page.goto(f"{base}/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{base}/")

    def go(self, path: str) -> Any:
        self.page.goto(f"{self.base}{path}")
        return self.page

    def text(self) -> str:
        return str(self.page.inner_text("body"))

    def sees(self, *phrases: str) -> None:
        """Each phrase is on the page; a page a click has just opened may still be arriving
        (read too early, CI saw only its first line), so a missing phrase is waited for as a
        person would wait, up to ten seconds, before the test fails."""
        from playwright.sync_api import expect

        self.page.wait_for_load_state()
        body = self.text()
        for phrase in (p for p in phrases if p not in body):
            try:
                expect(self.page.locator("body")).to_contain_text(phrase, timeout=10_000)
            except AssertionError:
                raise AssertionError(f"{self.username} does not see {phrase!r} on "
                                     f"{self.page.url}") from None

    def shot(self, name: str) -> None:
        """The page at the desktop width and at a phone's, which it must not overflow."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        Person.shots += 1
        stem = f"whole-year-{Person.shots:02d}-{name}"
        self.page.screenshot(path=str(SHOTS / f"{stem}-1280.png"), full_page=True)
        self.page.set_viewport_size({"width": 390, "height": 844})
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.page.screenshot(path=str(SHOTS / f"{stem}-390.png"), full_page=True)
        self.page.set_viewport_size({"width": 1280, "height": 900})
        assert width <= 390, f"{self.page.url} is {width} px wide on a 390 px phone"

    def close(self) -> None:
        self.context.close()


def select_by_text(page: Any, selector: str, *texts: str) -> None:
    """Choose options of a select by the text people read, not by ids."""
    options = page.eval_on_selector_all(
        f"{selector} option", "os => os.map(o => [o.value, o.textContent])")
    values = [v for v, label in options for t in texts if t in label]
    assert len(values) >= len(texts), (selector, texts, options)
    page.select_option(selector, values)


def onboard(admin: Person) -> None:
    """The admin enters the cluster's units, the cluster, its people and their roles."""
    page = admin.go("/admin/units")
    for code, name, _officer, _head in UNITS:
        page.fill("input[name=code]", code)
        page.fill("input[name=name]", name)
        page.click("form.stack button[type=submit]")
        admin.sees(f"{code}")
    admin.shot("units")

    page = admin.go("/admin/clusters")
    page.fill("input[name=code]", "NC")
    page.fill("input[name=name]", CLUSTER)
    page.fill("input[name=year]", str(YEAR))
    select_by_text(page, "select[name=members]", *(name for _c, name, _o, _h in UNITS))
    select_by_text(page, "select[name=leader_unit_id]", "Bộ Tư pháp")
    select_by_text(page, "select[name=deputy_unit_id]", "Bộ Công an")
    page.click("form.stack button[type=submit]")
    admin.sees(CLUSTER)
    admin.shot("cluster")

    def person(username: str, full_name: str) -> None:
        page = admin.go("/admin/people")
        form = "form[action$='/people/create']"
        page.fill(f"{form} input[name=username]", username)
        page.fill(f"{form} input[name=full_name]", full_name)
        page.fill(f"{form} input[name=password]", PASSWORD)
        page.click(f"{form} button[type=submit]")
        admin.sees(username)

    def grant(username: str, role: str, *, unit: str = "", cluster: str = "") -> None:
        page = admin.go("/admin/people")
        form = "form[action$='/people/grant']"
        page.fill(f"{form} input[name=username]", username)
        select_by_text(page, f"{form} select[name=role]", role)
        if unit:
            select_by_text(page, f"{form} select[name=unit_id]", unit)
        if cluster:
            select_by_text(page, f"{form} select[name=cluster_id]", cluster)
        page.fill(f"{form} input[name=year]", str(YEAR))
        page.click(f"{form} button[type=submit]")
        admin.sees(f"Đã giao vai trò {role} cho {username}.")  # by its name, not its code

    person(*OFFICE)
    grant(OFFICE[0], "Cơ quan thường trực Hội đồng TĐKT")
    for code, name, officer_name, head_name in UNITS:
        person(officer(code), officer_name)
        person(head(code), head_name)
        grant(officer(code), "Cán bộ thi đua đơn vị", unit=name)
        grant(head(code), "Thủ trưởng đơn vị", unit=name)
        grant(officer(code), "Thành viên đoàn kiểm tra", cluster=CLUSTER)
    grant(head("BTP"), "Trưởng cụm/khối", cluster=CLUSTER)
    grant(head("BCA"), "Phó cụm/khối", cluster=CLUSTER)
    admin.go("/admin/people")
    admin.sees(*(h for _c, _n, _o, h in UNITS))
    admin.shot("people")


PDF = b"%PDF-1.4\n% thidua whole-year test\n%%EOF\n"
DATES = {
    "pledge_deadline": f"{YEAR}-02-27",
    "six_month_report_due": f"{YEAR}-07-15",
    "inspection_end": f"{YEAR}-11-13",
    "scoring_deadline": f"{YEAR}-12-04",
    "year_end_report_due": f"{YEAR}-12-11",
}
THEME = "Đoàn kết, kỷ cương, sáng tạo, hoàn thành xuất sắc nhiệm vụ năm 2026"
CAMPAIGN = f"Phong trào thi đua {YEAR} – {CLUSTER}"
NAMES = {code: name for code, name, _o, _h in UNITS}


def local(day: str, hour: int = 9) -> dt.datetime:
    """A working hour of a day in Hà Nội, as the clock's UTC time."""
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+07:00").astimezone(dt.UTC)


def press(person: Person, label: str) -> None:
    """Click the (first enabled) button with this label and wait for the page it leads to."""
    button = person.page.locator(f"button:has-text('{label}'):enabled").first
    button.click()
    person.page.wait_for_load_state()


def flash_ok(person: Person) -> None:
    """The page shows no refusal after an action."""
    errors = person.page.locator(".flash.error, .refusal[role=alert]").all_inner_texts()
    assert not errors, f"{person.username} on {person.page.url}: {errors}"


def open_from_inbox(person: Person, title: str) -> None:
    """Follow the inbox's link to an item, by its name."""
    page = person.go("/")
    page.locator("main a", has_text=title).first.click()
    page.wait_for_load_state()
    person.sees(title)


def a_file(tmp: Path, name: str, content: bytes = PDF) -> str:
    path = tmp / name
    path.write_bytes(content)
    return str(path)


def create_and_launch(office: Person) -> None:
    page = office.go("/")
    page.click("nav >> text=Cụm và khối thi đua")
    page.click(f"text={CLUSTER}")
    page.fill("textarea[name=theme]", THEME)
    select_by_text(page, "select[name=criteria_table]", "Nội chính")
    for key, day in DATES.items():
        page.fill(f"input[name={key}]", day)
    office.shot("campaign-form")
    press(office, "Lập phong trào")
    office.sees(CAMPAIGN)
    press(office, "Phát động")
    office.sees("Đã phát động phong trào: 5 đơn vị thành viên")
    office.shot("campaign-launched")


def pledges(people: dict[str, Person], tmp: Path) -> None:
    """Every unit pledges its targets; the leader returns Bộ Công an's once with a comment;
    each head signs the accepted pledge with its signed copy."""
    for code, name, _o, _h in UNITS:
        me = people[officer(code)]
        open_from_inbox(me, f"Giao ước thi đua {YEAR} – {name}")
        for field in me.page.locator("input[name^='target:']").all():
            field.fill("95,5" if code == "BCA" else "100")
        press(me, "Lưu chỉ tiêu")
        flash_ok(me)
        press(me, "Trình")
        flash_ok(me)
    people[officer("BTP")].shot("pledge-submitted")

    leader, deputy = people[head("BTP")], people[head("BCA")]
    open_from_inbox(leader, f"Giao ước thi đua {YEAR} – Bộ Công an")
    form = leader.page.locator("form.action", has_text="Trả lại")
    form.locator("textarea[name=comment]").fill("Đề nghị nâng chỉ tiêu giải quyết đơn thư")
    form.locator("summary").click()
    leader.shot("pledge-return")
    form.locator("button").click()
    leader.page.wait_for_load_state()
    flash_ok(leader)

    bca = people[officer("BCA")]
    open_from_inbox(bca, f"Giao ước thi đua {YEAR} – Bộ Công an")
    bca.sees("Đề nghị nâng chỉ tiêu giải quyết đơn thư")
    bca.shot("pledge-returned")
    for field in bca.page.locator("input[name^='target:']").all():
        field.fill("100")
    press(bca, "Sửa chỉ tiêu")
    flash_ok(bca)
    press(bca, "Trình")
    flash_ok(bca)

    for code, name, _o, _h in UNITS:
        checker = deputy if code == "BTP" else leader
        open_from_inbox(checker, f"Giao ước thi đua {YEAR} – {name}")
        press(checker, "Chấp thuận")
        flash_ok(checker)
    for code, name, _o, _h in UNITS:
        me = people[head(code)]
        open_from_inbox(me, f"Giao ước thi đua {YEAR} – {name}")
        me.page.set_input_files("input[type=file]", a_file(tmp, f"giao-uoc-{code}.pdf"))
        press(me, "Tải lên")
        flash_ok(me)
        press(me, "Ký giao ước")
        flash_ok(me)
    people[head("VKSNDTC")].shot("pledge-signed")


def reports(people: dict[str, Person], clock: FakeClock, tmp: Path) -> None:
    """Six-month reports: four on time, the procuracy's five days late (and penalised)."""
    leader = people[head("BTP")]
    clock.set(local(f"{YEAR}-07-01"))
    leader.go("/")
    leader.page.locator("main a", has_text=CAMPAIGN).first.click()
    press(leader, "Bắt đầu sơ kết 6 tháng")
    flash_ok(leader)
    for code, name, _o, _h in UNITS:
        if code == "VKSNDTC":
            clock.set(local(f"{YEAR}-07-20"))
        me = people[officer(code)]
        open_from_inbox(me, f"Báo cáo sơ kết {YEAR} – {name}")
        me.page.set_input_files("input[type=file]", a_file(tmp, f"bao-cao-{code}.pdf"))
        press(me, "Tải lên")
        flash_ok(me)
        press(me, "Nộp báo cáo")
        flash_ok(me)
    people[officer("VKSNDTC")].shot("report-late")
    for code, name, _o, _h in UNITS:
        checker = people[head("BCA")] if code == "BTP" else leader
        open_from_inbox(checker, f"Báo cáo sơ kết {YEAR} – {name}")
        press(checker, "Chấp nhận")
        flash_ok(checker)


def campaign_page(person: Person) -> Any:
    person.go("/")
    person.page.click("nav >> text=Cụm và khối thi đua")
    person.page.click(f"text={CLUSTER}")
    person.page.locator("main a", has_text=CAMPAIGN).first.click()
    person.page.wait_for_load_state()
    return person.page


def inspections(people: dict[str, Person], clock: FakeClock, officers: dict[str, str]) -> None:
    """The leader records the proposed plan and starts the cross-inspection; each team lead
    enters the points per criterion, concludes and signs; the inspected unit's head signs."""
    leader = people[head("BTP")]
    clock.set(local(f"{YEAR}-09-15"))
    page = campaign_page(leader)
    page.click("a:has-text('Đề xuất kế hoạch kiểm tra chéo')")
    leader.shot("inspection-plan")
    press(leader, "Ghi nhận kế hoạch này")
    flash_ok(leader)
    press(leader, "Bắt đầu kiểm tra chéo")
    flash_ok(leader)
    rows = leader.page.locator("main table:has(th:has-text('Trưởng đoàn')) tbody tr").all()
    plan = []
    for row in rows:
        cells = row.locator("td").all_inner_texts()
        plan.append((cells[1], cells[3], row.locator("a").first.get_attribute("href")))
    assert len(plan) == len(UNITS), plan
    clock.set(local(f"{YEAR}-10-20"))
    for inspected, lead_name, href in plan:
        lead = people[officers[lead_name.strip()]]
        page = lead.go(href)
        lead.sees(inspected)
        for select in page.locator("select[name^='points-']").all():
            select.select_option(index=1)  # the highest level comes first
        for field in page.locator("input[name^='points-']").all():
            most = field.locator("xpath=following-sibling::span[1]").inner_text()
            field.fill(most.removeprefix("/").strip())  # full points, as the page writes them
        page.fill("[name=conclusion]", f"{inspected} thực hiện tốt các tiêu chí.")
        press(lead, "Ghi kết quả")
        flash_ok(lead)
        press(lead, "Kết thúc kiểm tra")
        flash_ok(lead)
        press(lead, "Ký biên bản")
        flash_ok(lead)
        code = next(c for c, n, _o, _h in UNITS if n == inspected)
        boss = people[head(code)]
        boss.go(href)
        press(boss, "Ký biên bản")
        flash_ok(boss)
        boss.sees("Đã áp dụng vào bảng điểm")
    boss.shot("inspection-applied")


def scoring(people: dict[str, Person], clock: FakeClock, tmp: Path) -> None:
    """Each unit scores itself with a file of evidence per criterion and its head submits;
    after the appeal window the leader (the deputy for the leader's own unit) verifies and
    finalises every sheet."""
    leader = people[head("BTP")]
    clock.set(local(f"{YEAR}-11-16"))
    campaign_page(leader)
    press(leader, "Bắt đầu chấm điểm")
    flash_ok(leader)
    clock.set(local(f"{YEAR}-11-20"))
    for code, name, _o, _h in UNITS:
        me = people[officer(code)]
        open_from_inbox(me, f"Phiếu chấm điểm {YEAR} – {name}")
        page = me.page
        for field in page.locator("input[name^='achieved-']").all():
            field.fill("100")
        for select in page.locator("select[name^='points-']").all():
            select.select_option(index=1)
        for field in page.locator("input[name^='points-']").all():
            field.fill(str(field.get_attribute("max")))
        # one file of evidence per criterion, chosen beside each, saved with the scores
        for upload in page.locator("input[type=file][name^='file-']").all():
            criterion = str(upload.get_attribute("name")).removeprefix("file-")
            upload.set_input_files(a_file(tmp, f"minh-chung-{code}-{criterion}.pdf"))
        press(me, "Lưu điểm tự chấm")
        flash_ok(me)
        assert "Chưa có minh chứng" not in me.text()
        if code == "BTP":
            me.shot("score-sheet")
        boss = people[head(code)]
        open_from_inbox(boss, f"Phiếu chấm điểm {YEAR} – {name}")
        press(boss, "Nộp bảng điểm")
        flash_ok(boss)
    clock.set(local(f"{YEAR}-12-01"))
    for code, name, _o, _h in UNITS:
        checker = people[head("BCA")] if code == "BTP" else leader
        open_from_inbox(checker, f"Phiếu chấm điểm {YEAR} – {name}")
        press(checker, "Thẩm định")
        flash_ok(checker)
        press(checker, "Chốt điểm")
        flash_ok(checker)
    checker.shot("score-sheet-final")


def year_end(people: dict[str, Person], clock: FakeClock, tmp: Path) -> None:
    clock.set(local(f"{YEAR}-12-07"))
    for code, name, _o, _h in UNITS:
        me = people[officer(code)]
        open_from_inbox(me, f"Báo cáo tổng kết {YEAR} – {name}")
        me.page.set_input_files("input[type=file]", a_file(tmp, f"tong-ket-{code}.pdf"))
        press(me, "Tải lên")
        press(me, "Nộp báo cáo")
        flash_ok(me)
    for code, name, _o, _h in UNITS:
        checker = people[head("BCA")] if code == "BTP" else people[head("BTP")]
        open_from_inbox(checker, f"Báo cáo tổng kết {YEAR} – {name}")
        press(checker, "Chấp nhận")
        flash_ok(checker)


def vote(people: dict[str, Person], clock: FakeClock) -> bytes:
    """The leader schedules the year-end vote from the campaign page with its counting
    committee (three heads, two of whom open the count); each member collects their share of
    the key; the leader takes the attendance and opens the vote; each head votes from the
    inbox and gets a receipt; the leader closes it, two members release their shares, the
    count opens, and the leader draws up the minutes, which download."""
    leader = people[head("BTP")]
    clock.set(local(f"{YEAR}-12-17"))
    page = campaign_page(leader)
    press(leader, "Bình xét, suy tôn")
    flash_ok(leader)
    page.click("a:has-text('Lên lịch bỏ phiếu cuối năm')")
    page.fill("input[name=date]", f"{YEAR}-12-18")
    page.fill("input[name=time]", "08:30")
    page.fill("input[name=closes]", "11:00")
    page.fill("input[name=place]", "Hải Phòng")
    page.fill("input[name=conference]", f"Hội nghị tổng kết công tác thi đua năm {YEAR}")
    for _code, _name, _officer, head_name in COUNTERS:
        page.locator("label.check", has_text=head_name).locator(
            "input[name=committee]").check()
    page.fill("input[name=threshold]", "2")
    leader.shot("vote-schedule")
    press(leader, "Lên lịch bỏ phiếu")
    flash_ok(leader)
    leader.sees("Hải Phòng", "Hòm phiếu niêm phong", "2 trong 3 thành viên")
    vote_page = leader.page.url
    shares = {}
    for code, _name, _officer, _head in COUNTERS:  # each member collects their share once
        me = people[head(code)]
        me.page.goto(vote_page)
        me.page.click("a:has-text('Trang của tôi với tư cách thành viên ban kiểm phiếu')")
        me.page.wait_for_load_state()
        press(me, "Nhận mảnh khóa của tôi")
        flash_ok(me)
        shares[code] = me.page.inner_text("code.share").strip()
        assert shares[code].startswith("TDKP-")
    me.shot("vote-share")
    clock.set(local(f"{YEAR}-12-18", 8))
    press(leader, "Kiểm tra số lượng")
    flash_ok(leader)
    press(leader, "Mở bỏ phiếu")
    flash_ok(leader)
    leader.shot("vote-open")
    for code, _name, _o, _h in UNITS:
        me = people[head(code)]
        page = me.go("/")
        page.locator("main a", has_text="Phiên bỏ phiếu").first.click()
        page.wait_for_load_state()
        boxes = page.locator("input[name^='choice-']:enabled").all()
        if boxes:
            boxes[0].check()
        press(me, "Xem lại phiếu")
        press(me, "Bỏ phiếu")
        flash_ok(me)
    me.shot("vote-receipt")
    leader.page.goto(vote_page)
    page = leader.page
    press(leader, "Đóng phiếu")
    flash_ok(leader)
    leader.sees("Đang chờ kiểm phiếu: đã nộp 0 trong 2 mảnh khóa cần thiết.")
    for code, _name, _officer, _head in COUNTERS[:2]:  # two of three open the count
        me = people[head(code)]
        me.page.goto(vote_page)
        me.page.click("a:has-text('Trang của tôi với tư cách thành viên ban kiểm phiếu')")
        me.page.wait_for_load_state()
        me.page.fill("textarea[name=share]", shares[code])
        press(me, "Nộp mảnh khóa của tôi")
        flash_ok(me)
    me.sees("Kết quả")
    me.shot("vote-counted")
    leader.page.goto(vote_page)
    page = leader.page
    leader.sees("Kết quả")
    page.fill("input[name=member_name] >> nth=0", "Trần Thị Bình")
    leader.shot("vote-tally")
    press(leader, "Lập biên bản")
    flash_ok(leader)
    with page.expect_download() as done:
        page.click("a:has-text('Tải biên bản kiểm phiếu')")
    leader.shot("vote-minuted")
    return Path(done.value.path()).read_bytes()


# --- after the cluster's vote: the dossier, the council, the decision (issue 14) ------------

HOLIDAYS = Path(__file__).resolve().parents[2] / "definitions" / "holidays"
COUNCIL = [("hd_chutich", "Trần Văn Hội", True), ("hd_uyvien1", "Lê Thị Thẩm", False),
           ("hd_uyvien2", "Ngô Quang Định", False), ("hd_uyvien3", "Phan Thị Xét", False)]
ABSENT = "hd_uyvien3"  # away on the meeting's day: votes in writing
HEAD = ("lanhdao_qd", "Đinh Tiến Quyết")  # the competent head who decides
TITLE = "Cờ thi đua cấp bộ, ban, ngành, tỉnh"
DOSSIER = f"Hồ sơ đề nghị {TITLE} {YEAR} – Bộ Tư pháp"
APPRAISAL_DAYS = 20  # the rule set's appraisal_working_days (definitions/rules/2025-07.yaml)
POSTING_DAYS = 10  # its public_posting_days, counted in working days
DECISION = ("45/QĐ-HĐTĐKT", "2027-02-18")
OBJECTION = "Đề nghị làm rõ tỷ lệ giải quyết đơn thư của Bộ Tư pháp năm 2026"
ANSWER = "Tỷ lệ 98,5% đã được đoàn kiểm tra chéo xác nhận tại biên bản kiểm tra"


def days_off() -> tuple[set[dt.date], set[dt.date]]:
    """The holidays and the worked weekend days of the holiday files, read here on their own
    (not through the workflow's calendar) so that the test checks the page's arithmetic."""
    import yaml

    off: set[dt.date] = set()
    worked: set[dt.date] = set()
    for path in HOLIDAYS.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for h in data.get("holidays") or []:
            first = dt.date.fromisoformat(str(h.get("date") or h["from"]))
            last = dt.date.fromisoformat(str(h.get("date") or h["to"]))
            off |= {first + dt.timedelta(n) for n in range((last - first).days + 1)}
        for w in data.get("working_days") or []:
            worked.add(dt.date.fromisoformat(str(w["date"] if isinstance(w, dict) else w)))
    return off, worked


def working(day: dt.date) -> bool:
    off, worked = days_off()
    return day in worked or (day.weekday() < 5 and day not in off)


def working_days(after: str, until: str) -> int:
    """Working days in (after, until]."""
    start, end = dt.date.fromisoformat(after), dt.date.fromisoformat(until)
    return sum(working(start + dt.timedelta(n)) for n in range(1, (end - start).days + 1))


def add_working_days(start: str, n: int) -> dt.date:
    day = dt.date.fromisoformat(start)
    while n:
        day += dt.timedelta(1)
        n -= working(day)
    return day


def docx_text(content: bytes) -> str:
    """The words of a Word document: its paragraphs and its tables' cells."""
    document = docx.Document(io.BytesIO(content))
    return "\n".join([p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells])


def vn(day: dt.date | str) -> str:
    """A date as the pages write it: dd/mm/yyyy."""
    return (dt.date.fromisoformat(day) if isinstance(day, str) else day).strftime("%d/%m/%Y")


def council_people(admin: Person) -> None:
    """The administrator enters the council of the year: its chair and members, and the head
    who decides (every grant held for the year, not for a unit or cluster)."""
    page = admin.go("/admin/people")
    for username, full_name, chair in [*COUNCIL, (*HEAD, None)]:
        page = admin.go("/admin/people")
        form = "form[action$='/people/create']"
        page.fill(f"{form} input[name=username]", username)
        page.fill(f"{form} input[name=full_name]", full_name)
        page.fill(f"{form} input[name=password]", PASSWORD)
        page.click(f"{form} button[type=submit]")
        admin.sees(username)
        roles = (["Người có thẩm quyền quyết định"] if chair is None else
                 ["Thành viên Hội đồng TĐKT"] + (["Chủ tịch Hội đồng TĐKT"] if chair else []))
        for role in roles:
            page = admin.go("/admin/people")
            form = "form[action$='/people/grant']"
            page.fill(f"{form} input[name=username]", username)
            select_by_text(page, f"{form} select[name=role]", role)
            page.fill(f"{form} input[name=year]", str(YEAR))
            page.click(f"{form} button[type=submit]")
            admin.sees(f"Đã giao vai trò {role} cho {username}.")


def fill_dossier(leader: Person, officer_btp: Person, tmp: Path) -> None:
    """From the vote's result the leader opens the winner's dossier in one click; the
    documents are uploaded (one by the unit's officer), the tờ trình generated, and each
    downloads as it was given."""
    page = leader.page
    press(leader, "Lập hồ sơ đề nghị cho các đơn vị được suy tôn")
    flash_ok(leader)
    assert page.inner_text("h1") == DOSSIER
    leader.sees("Đã lập hồ sơ: " + DOSSIER, "Biên bản kiểm phiếu")
    report = b"%PDF-1.4\n% Bao cao thanh tich Bo Tu phap 2026\n%%EOF\n"
    for who, kind, name, content in [
            (officer_btp, "bao_cao_thanh_tich", "bao-cao-thanh-tich-BTP.pdf", report),
            (leader, "bien_ban_binh_xet", "bien-ban-binh-xet.pdf", PDF),
            (leader, "bien_ban_suy_ton_cum", "bien-ban-suy-ton-khoi.pdf", PDF)]:
        open_from_inbox(who, DOSSIER)
        page = who.page
        row = f"form:has(input[name=kind][value={kind}])"
        page.set_input_files(f"{row} input[type=file]", a_file(tmp, name, content))
        page.click(f"{row} button")
        page.wait_for_load_state()
        flash_ok(who)
        who.sees(f"Đã tải lên tài liệu: {name}")
    open_from_inbox(leader, DOSSIER)
    page = leader.page
    if page.locator("button:has-text('Đính kèm biên bản kiểm phiếu')").count():
        press(leader, "Đính kèm biên bản kiểm phiếu")
        flash_ok(leader)
    page.fill("input[name=number]", "15/TTr-KNC")
    page.fill("input[name=signer_position]", "Trưởng khối")
    page.fill("input[name=signer_name]", "Trần Thị Bình")
    press(leader, "Tạo tờ trình")
    flash_ok(leader)
    leader.sees("Đã tạo và đính kèm tờ trình.")
    assert "Thiếu" not in page.inner_text("#documents"), page.inner_text("#documents")
    link = page.get_attribute("a:has-text('bao-cao-thanh-tich-BTP.pdf')", "href")
    assert page.request.get(f"{leader.base}{link}").body() == report
    with page.expect_download() as done:
        page.click("#documents a[href*='/documents/']:has-text('.docx')")
    text = docx_text(Path(done.value.path()).read_bytes())
    assert "15/TTr-KNC" in text, text
    assert "Bộ Tư pháp" in text, text
    leader.shot("dossier-documents")


def posting_and_objection(people: dict[str, Any], chromium: Any, base: str,
                          clock: FakeClock) -> None:
    """Posted publicly for its period; a citizen objects on the public page without signing
    in; the council office judges it admissible and the leader answers it; the public page
    shows the answer."""
    leader, office = people["leader"], people["office"]
    open_from_inbox(leader, DOSSIER)
    press(leader, "Công khai")
    flash_ok(leader)
    posted, ends = f"{YEAR}-12-18", add_working_days(f"{YEAR}-12-18", POSTING_DAYS)
    leader.sees(f"Công khai từ {vn(posted)} đến {vn(ends)} ({POSTING_DAYS} ngày làm việc).")

    clock.set(local(f"{YEAR}-12-21"))
    context = chromium.new_context(locale="vi-VN")
    citizen = context.new_page()
    citizen.goto(f"{base}/public")
    card = citizen.locator("article.card", has_text="Bộ Tư pháp")
    shown = card.inner_text()
    for phrase in (CLUSTER, TITLE, f"từ {vn(posted)} đến {vn(ends)}"):
        assert phrase in shown, (phrase, shown)
    card.locator("textarea[name=text]").fill(OBJECTION)
    card.locator("input[name=contact]").fill("0912 345 678")
    card.get_by_role("button", name="Gửi phản ánh").click()
    citizen.wait_for_url(f"{base}/public/thanks")

    clock.set(local(f"{YEAR}-12-22"))
    page = office.go("/")
    page.click("main a:has-text('Ý kiến phản ánh về hồ sơ')")  # the notification
    page.wait_for_load_state()
    office.sees(OBJECTION, "0912 345 678", "Chờ cơ quan thường trực Hội đồng xem xét thụ lý")
    item = page.locator("article.card").first
    item.get_by_label("Thụ lý: phải trả lời trước khi nộp hồ sơ").check()
    item.locator("textarea[name=reason]").fill("Phản ánh có căn cứ, cần làm rõ số liệu")
    item.get_by_role("button", name="Ghi kết quả xem xét").click()
    page.wait_for_load_state()
    flash_ok(office)
    office.shot("objection-judged")

    open_from_inbox(leader, DOSSIER)
    page = leader.page
    page.click("a:has-text('Ý kiến phản ánh và trả lời')")
    page.wait_for_load_state()
    item = page.locator("article.card").first
    item.locator("textarea[name=answer]").fill(ANSWER)
    item.get_by_role("button", name="Gửi trả lời").click()
    page.wait_for_load_state()
    flash_ok(leader)
    leader.sees("Đã trả lời", ANSWER)
    assert "0912 345 678" not in leader.text()  # the writer's contact is the office's only

    citizen.goto(f"{base}/public")
    public = citizen.locator("article.card", has_text="Bộ Tư pháp").inner_text()
    assert OBJECTION in public, public
    assert ANSWER in public, public
    assert "0912 345 678" not in citizen.inner_text("body")
    context.close()


def appraisal(people: dict[str, Any], clock: FakeClock, tmp: Path) -> None:
    """Submitted once the posting is over; the council office receives it and appraises it,
    returning it twice for supplement; the clock pauses meanwhile and the due date on the page
    is the one the holiday calendar gives."""
    leader, office, unit = people["leader"], people["office"], people["officer"]
    clock.set(local("2027-01-05"))
    open_from_inbox(leader, DOSSIER)
    press(leader, "Nộp hồ sơ")
    flash_ok(leader)
    leader.sees("Đã nộp")
    clock.set(local("2027-01-06"))
    open_from_inbox(office, DOSSIER)
    press(office, "Tiếp nhận")
    flash_ok(office)
    press(office, "Bắt đầu thẩm định")
    flash_ok(office)
    clock_text = office.page.inner_text("#clock")
    assert f"{APPRAISAL_DAYS} ngày làm việc" in clock_text, clock_text
    first_due = add_working_days("2027-01-06", APPRAISAL_DAYS)
    assert f"Hạn thẩm định\n{vn(first_due)}" in clock_text, clock_text

    # two returns for supplement: (returned on, resubmitted on, document, file, comment)
    returns = [("2027-01-12", "2027-01-14", "bao_cao_thanh_tich", "bao-cao-thanh-tich-bo-sung.pdf",
                "Báo cáo thành tích thiếu số liệu quý IV"),
               ("2027-01-21", "2027-01-26", "bien_ban_binh_xet", "bien-ban-binh-xet-ky.pdf",
                "Biên bản họp bình xét chưa có chữ ký")]
    resumed, used = "2027-01-06", 0
    for returned_on, again_on, kind, name, comment in returns:
        clock.set(local(returned_on))
        open_from_inbox(office, DOSSIER)
        page = office.page
        page.check(f"form.return input[name=missing][value={kind}]")
        page.fill("form.return textarea[name=comment]", comment)
        page.click("form.return button")
        page.wait_for_load_state()
        flash_ok(office)
        used += working_days(resumed, returned_on)
        office.sees("thời hạn thẩm định tạm dừng")
        clock_text = page.inner_text("#clock")
        assert f"Đã dùng\n{used} ngày làm việc" in clock_text, clock_text
        if used == working_days("2027-01-06", "2027-01-12"):
            office.shot("dossier-returned")

        clock.set(local(again_on, 10))
        open_from_inbox(unit, DOSSIER)
        page = unit.page
        told = page.inner_text("section.returned")
        assert comment in told, told
        row = f"form:has(input[name=kind][value={kind}])"
        page.set_input_files(f"{row} input[type=file]", a_file(tmp, name))
        page.click(f"{row} button")
        page.wait_for_load_state()
        flash_ok(unit)
        press(unit, "Nộp bổ sung")
        flash_ok(unit)
        resumed = again_on

    due = add_working_days(resumed, APPRAISAL_DAYS - used)
    assert due == dt.date(2027, 2, 17)  # the arithmetic crosses Tết Đinh Mùi (5–11/02/2027)
    page = office.go("/")
    row = page.locator("main tr", has_text=DOSSIER).first.inner_text()
    assert vn(due) in row, row  # the inbox's due date is the paused clock's
    page.locator("main a", has_text=DOSSIER).first.click()
    page.wait_for_load_state()
    clock_text = office.page.inner_text("#clock")
    assert f"Đã dùng\n{used} ngày làm việc" in clock_text, clock_text
    assert f"Hạn thẩm định\n{vn(due)}" in clock_text, clock_text
    office.shot("dossier-clock")
    clock.set(local("2027-01-28"))
    open_from_inbox(office, DOSSIER)
    press(office, "Trình Hội đồng")
    flash_ok(office)


def council_meeting(people: dict[str, Any], chromium: Any, base: str, clock: FakeClock
                    ) -> None:
    """The council office schedules the meeting for the dossier; three of the four members
    are present (a quorum of 2/3), the fourth votes in writing; the chair locks the count and
    the office writes the result on the dossier from the count."""
    office = people["office"]
    page = office.go("/")
    page.click("nav >> text=Hội đồng")
    page.wait_for_load_state()
    office.sees("Bộ Tư pháp", TITLE, *(name for _u, name, _c in COUNCIL))
    page.fill("input[name=date]", "2027-02-03")
    page.fill("input[name=time]", "08:30")
    page.fill("input[name=place]", "Hà Nội")
    office.shot("council-schedule")
    press(office, "Lên lịch họp Hội đồng")
    flash_ok(office)
    office.sees("03/02/2027 08:30", "Hà Nội")
    vote_url = page.url
    clock.set(local("2027-02-03", 8))
    absent = next(name for user, name, _c in COUNCIL if user == ABSENT)
    page.locator("label.check", has_text=absent).locator("input[name=present]").uncheck()
    press(office, "Kiểm tra số lượng")
    flash_ok(office)
    press(office, "Mở bỏ phiếu")
    flash_ok(office)
    office.shot("council-open")
    for username, _name, _chair in COUNCIL:
        member = Person(chromium, base, username)
        page = member.page
        page.locator("main a[href$='" + vote_url.removeprefix(base) + "']").first.click()
        page.wait_for_load_state()
        writing = "phiếu bằng văn bản của thành viên vắng mặt" in member.text()
        assert writing is (username == ABSENT), username
        page.locator("label.check", has_text="Bộ Tư pháp").locator("input").check()
        press(member, "Xem lại phiếu")
        press(member, "Bỏ phiếu")
        flash_ok(member)
        member.close()
    page = office.go("/")
    page.click("nav >> text=Hội đồng")
    page.click("main a:has-text('03/02/2027 08:30')")  # the council's meetings
    page.wait_for_load_state()
    press(office, "Đóng phiếu")
    flash_ok(office)
    office.sees(f"Phiếu bằng văn bản của thành viên vắng mặt (1): {absent}",
                "3/4 thành viên có mặt")  # the quorum counts who sat at the meeting
    page.fill("input[name=member_name] >> nth=0", OFFICE[1])
    press(office, "Lập biên bản")
    flash_ok(office)
    chair = Person(chromium, base, COUNCIL[0][0])
    chair.page.click("nav >> text=Hội đồng")
    chair.page.click("main a:has-text('03/02/2027 08:30')")
    chair.page.wait_for_load_state()
    press(chair, "Khóa kết quả")
    flash_ok(chair)
    chair.close()
    page = office.go("/")
    page.click("nav >> text=Hội đồng")
    page.wait_for_load_state()
    office.sees("Đã khóa")  # the locked meeting is still listed, its dossier not waiting
    assert "Hồ sơ đưa ra bỏ phiếu" not in office.text()
    page.click("main a:has-text('03/02/2027 08:30')")
    page.wait_for_load_state()
    press(office, "Ghi kết quả của Hội đồng vào hồ sơ")
    flash_ok(office)
    office.sees("Đã ghi kết quả của Hội đồng vào 1 hồ sơ; 1 hồ sơ được trình cấp có thẩm quyền.")
    office.shot("council-result")


def decision_and_announcement(people: dict[str, Any], chromium: Any, base: str,
                              clock: FakeClock) -> None:
    """The competent head decides on the dossier page; the decision downloads; the council
    office announces it there; the public page shows it with its number and date."""
    number, day = DECISION
    clock.set(local(day))
    head = Person(chromium, base, HEAD[0])
    open_from_inbox(head, DOSSIER)
    page = head.page
    head.sees("Trình cấp có thẩm quyền", "4 phiếu đồng ý")
    page.locator("#decision label", has_text="Đồng ý").first.locator("input").check()
    page.fill("#decision textarea[name=reasons]",
              "Dẫn đầu Khối thi đua các bộ, ngành Nội chính năm 2026")
    page.fill("#decision input[name=number]", number)
    page.fill("#decision input[name=date]", day)
    page.fill("#decision input[name=signer]", HEAD[1])
    head.shot("decision-form")
    press(head, "Ghi quyết định")
    flash_ok(head)
    head.sees("Đã ghi quyết định.", f"Số {number}", f"ngày {vn(day)}", "Đã quyết định")
    with page.expect_download() as done:
        page.click("#decision a:has-text('Tải quyết định')")
    text = docx_text(Path(done.value.path()).read_bytes())
    for phrase in (number, "Bộ Tư pháp", HEAD[1]):
        assert phrase in text, (phrase, text)
    head.close()

    office = people["office"]
    open_from_inbox(office, DOSSIER)
    press(office, "Công bố quyết định")
    flash_ok(office)
    office.sees("Đã công bố quyết định trên trang công khai.", "Đã công bố")
    context = chromium.new_context(locale="vi-VN")
    public = context.new_page()
    public.goto(f"{base}/public")
    row = public.locator("tr", has_text="Bộ Tư pháp").inner_text()
    for phrase in (TITLE, f"Số {number}", f"ngày {vn(day)}", CLUSTER):
        assert phrase in row, (phrase, row)
    context.close()


def after_the_vote(chromium: Any, base: str, clock: FakeClock, tmp: Path) -> None:
    """The year goes on from the cluster's vote to the announced decision, in the browser."""
    admin = Person(chromium, base, ADMIN)
    council_people(admin)
    admin.close()
    people = {"leader": Person(chromium, base, head("BTP")),
              "officer": Person(chromium, base, officer("BTP")),
              "office": Person(chromium, base, OFFICE[0])}
    leader = people["leader"]
    campaign_page(leader)
    leader.page.locator("main a", has_text="Phiên bỏ phiếu").first.click()
    leader.page.wait_for_load_state()
    fill_dossier(leader, people["officer"], tmp)
    posting_and_objection(people, chromium, base, clock)
    appraisal(people, clock, tmp)
    council_meeting(people, chromium, base, clock)
    decision_and_announcement(people, chromium, base, clock)
    for person in people.values():
        person.close()


@pytest.mark.timeout(1200)  # a long journey: minutes on a loaded 2-core machine
def test_a_cluster_runs_its_whole_year_in_the_browser_from_an_empty_database(
    empty: Services, app_url: str, chromium: Any, year_clock: FakeClock, tmp_path: Path,
) -> None:
    admin = Person(chromium, app_url, ADMIN)
    onboard(admin)
    admin.close()

    office = Person(chromium, app_url, OFFICE[0])
    create_and_launch(office)
    people = {name: Person(chromium, app_url, name)
              for code, *_rest in UNITS for name in (officer(code), head(code))}
    year_clock.set(local(f"{YEAR}-01-20"))
    pledges(people, tmp_path)
    campaign_page(people[head("BTP")])
    people[head("BTP")].sees("Đang triển khai")
    people[head("BTP")].shot("campaign-active")

    reports(people, year_clock, tmp_path)
    inspections(people, year_clock, {o: officer(c) for c, _n, o, _h in UNITS})
    scoring(people, year_clock, tmp_path)
    leader = people[head("BTP")]
    page = campaign_page(leader)
    page.click("a:has-text('Xếp hạng')")
    leader.sees(*NAMES.values())
    leader.shot("ranking")
    year_end(people, year_clock, tmp_path)
    minutes = vote(people, year_clock)
    for person in [office, *people.values()]:
        person.close()

    document = docx.Document(io.BytesIO(minutes))
    text = "\n".join([p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells])
    assert f"Hải Phòng, ngày 18 tháng 12 năm {YEAR}" in text
    assert f"Hội nghị tổng kết công tác thi đua năm {YEAR}" in text
    assert "Trần Thị Bình" in text
    assert "có mặt 5/5 đơn vị thành viên" in text

    # the year goes on in the same database: the winner's dossier to the announced decision
    after_the_vote(chromium, app_url, year_clock, tmp_path)
