"""A returned item tells its unit: the officer and the head get the item's name, the leader's
comment and a link, in the app and by e-mail, written with the step itself."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.year_support import YEAR, Bloc, launch, make_bloc, mid_year, sign_all_pledges, targets
from workflow.adapters.tables import outbox, users
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.errors import TransitionNotAllowed
from workflow.services import notifications

COMMENT = "Chỉ tiêu dịch vụ công trực tuyến chưa sát thực tế, đề nghị nâng lên 95%"


@pytest.fixture
def bloc(services: Services, clock: FakeClock) -> Bloc:
    services.criteria.sync([services.settings.definitions_dir / "criteria"],
                           base=services.settings.definitions_dir.parent)
    return make_bloc(services, clock)


def messages(bloc: Bloc) -> list[tuple[str, int, str | None, str]]:
    o = outbox.c
    with bloc.services.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            sa.select(o.channel, o.user_id, o.address, o.subject).order_by(o.id))]


def submitted_pledge(bloc: Bloc, code: str = "bca") -> int:
    launch(bloc)
    pledge = bloc.child("pledge", code)
    bloc.wf.fire(pledge, "save_targets", bloc.officer(code), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head(code))
    return pledge.id


def test_a_returned_pledge_tells_the_units_officer_and_head_with_the_comment(
    bloc: Bloc,
) -> None:
    pledge_id = submitted_pledge(bloc)
    bloc.wf.fire(pledge_id, "return", bloc.leader, {"comment": COMMENT})
    subject = f"[Thi đua] Trả lại: Giao ước thi đua {YEAR} – Bộ Công an"
    assert sorted(messages(bloc)) == sorted([
        ("in_app", bloc.users["bca_officer"], None, subject),
        ("in_app", bloc.users["bca_head"], None, subject)])
    [note] = notifications.inbox(bloc.services.uow(), bloc.users["bca_head"])
    assert COMMENT in note.body
    assert "Kính gửi đồng chí Thủ trưởng Bộ Công an" in note.body
    assert "trưởng cụm/khối" in note.body  # who returned it
    assert note.link == f"/pledges/{pledge_id}"
    assert note.instance_id == pledge_id


def test_a_refused_return_tells_nobody(bloc: Bloc) -> None:
    pledge_id = submitted_pledge(bloc)
    with pytest.raises(TransitionNotAllowed):
        bloc.wf.fire(pledge_id, "return", bloc.leader, {})  # a return needs its comment
    assert messages(bloc) == []


def test_the_notice_goes_by_email_in_the_recipients_language(bloc: Bloc) -> None:
    with bloc.services.engine.begin() as conn:
        conn.execute(users.update().where(users.c.id == bloc.users["bca_head"]).values(
            email="thutruong@bca.gov.vn", locale="en"))
    pledge_id = submitted_pledge(bloc)
    bloc.wf.fire(pledge_id, "return", bloc.leader, {"comment": COMMENT})
    sent = [m for m in messages(bloc) if m[1] == bloc.users["bca_head"]]
    english = f"[Emulation] Returned: Emulation pledge {YEAR} – Bộ Công an"
    assert sorted(sent) == sorted([
        ("in_app", bloc.users["bca_head"], None, english),
        ("email", bloc.users["bca_head"], "thutruong@bca.gov.vn", english)])


def test_a_returned_report_tells_its_unit(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc, skip=("bca",))
    report = bloc.child("report", "bca")
    bloc.attach(report, bloc.officer("bca"), "report")
    bloc.wf.fire(report.id, "submit", bloc.officer("bca"))
    bloc.wf.fire(report.id, "return", bloc.leader, {"comment": "Bổ sung số liệu quý II"})
    [note] = notifications.inbox(bloc.services.uow(), bloc.users["bca_officer"])
    assert note.subject == f"[Thi đua] Trả lại: Báo cáo sơ kết {YEAR} – Bộ Công an"
    assert "Bổ sung số liệu quý II" in note.body
    assert note.link == f"/reports/{report.id}"
