"""A cluster's conference through the services: planned, invitations in the members'
inboxes, attendance per unit, conclusions assigning a task, the minutes generated and read
back, signed, and the task followed to done with its deadline and reminders."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
import pytest

from tests.conftest import Snapshots
from tests.year_support import Bloc, at, launch, walked_bloc
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.errors import PermissionDenied, TransitionNotAllowed
from workflow.services import conferences, inbox, notifications


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    return walked_bloc("conference:bloc launched", services, clock, snapshots, launch)


def _plan(bloc: Bloc, **changes: Any) -> dict[str, Any]:
    plan = {"kind": "six_month", "topic": "", "date": "2025-07-15", "time": "08:30",
            "place": "Hội trường Bộ Tư pháp, 60 Trần Phú, Hà Nội",
            "host_unit_id": bloc.units["btp"],
            "agenda": [{"title": "Báo cáo sơ kết 6 tháng", "presenter": "Thủ trưởng Bộ Tư pháp"},
                       {"title": "Thảo luận", "presenter": ""}]}
    return {**plan, **changes}


def _start(bloc: Bloc) -> Any:
    assert bloc.campaign is not None
    conf = bloc.wf.start("conference", bloc.leader, cluster_id=bloc.cluster, year=2025,
                         parent_id=bloc.campaign.id)
    return bloc.wf.fire(conf, "revise_plan", bloc.leader, {"plan": _plan(bloc)}).instance


def _attendance(bloc: Bloc) -> dict[str, Any]:
    return {str(u): {"present": code != "lang", "attendees": "" if code == "lang"
                     else f"Đại diện {code.upper()}"} for code, u in bloc.units.items()}


def test_a_plan_is_checked_and_the_invitations_reach_every_member(bloc: Bloc) -> None:
    assert bloc.campaign is not None
    conf = bloc.wf.start("conference", bloc.leader, cluster_id=bloc.cluster, year=2025,
                         parent_id=bloc.campaign.id)
    with pytest.raises(TransitionNotAllowed) as wrong:
        bloc.wf.fire(conf, "revise_plan", bloc.leader, {"plan": _plan(bloc, date="2024-07-15")})
    assert wrong.value.refusal is not None
    assert wrong.value.refusal.code == "conference_date_invalid"
    with pytest.raises(TransitionNotAllowed) as empty:
        bloc.wf.fire(conf, "revise_plan", bloc.leader, {"plan": _plan(bloc, agenda=[])})
    assert empty.value.refusal is not None
    assert empty.value.refusal.code == "conference_agenda_missing"
    with pytest.raises(TransitionNotAllowed):  # nothing planned yet
        bloc.wf.fire(conf, "invite", bloc.leader, {})

    conf = bloc.wf.fire(conf, "revise_plan", bloc.leader, {"plan": _plan(bloc)}).instance
    bloc.wf.fire(conf, "invite", bloc.leader, {})

    for user in ("bca_head", "bca_officer", "lang_head"):
        inbox = notifications.inbox(bloc.services.uow(), bloc.users[user])
        invitation = next(n for n in inbox if n.instance_id == conf.id)
        assert invitation.subject == "[Thi đua] Hội nghị sơ kết 6 tháng 2025"
        assert "15/07/2025" in invitation.body
        assert "Hội trường Bộ Tư pháp" in invitation.body
        assert invitation.link == f"/conferences/{conf.id}"


def test_a_member_cannot_plan_or_record(bloc: Bloc) -> None:
    assert bloc.campaign is not None
    with pytest.raises(PermissionDenied):
        bloc.wf.start("conference", bloc.head("bca"), cluster_id=bloc.cluster, year=2025,
                      parent_id=bloc.campaign.id)
    conf = _start(bloc)
    with pytest.raises((PermissionDenied, TransitionNotAllowed)):
        bloc.wf.fire(conf, "invite", bloc.head("bca"), {})


def test_held_minuted_signed_and_a_task_followed_to_done(bloc: Bloc) -> None:
    conf = _start(bloc)
    conf = bloc.wf.fire(conf, "invite", bloc.deputy, {}).instance
    with pytest.raises(TransitionNotAllowed) as early:
        bloc.wf.fire(conf, "hold", bloc.leader, {})
    assert early.value.refusal is not None
    assert early.value.refusal.code == "conference_attendance_missing"
    missing = _attendance(bloc)
    missing[str(bloc.units["bca"])]["attendees"] = ""
    with pytest.raises(TransitionNotAllowed) as nobody:
        bloc.wf.fire(conf, "record_attendance", bloc.leader, {"attendance": missing})
    assert nobody.value.refusal is not None
    assert nobody.value.refusal.code == "conference_attendees_missing"
    conf = bloc.wf.fire(conf, "record_attendance", bloc.leader,
                        {"attendance": _attendance(bloc)}).instance
    bloc.clock.set(at("2025-07-15", 11))
    conf = bloc.wf.fire(conf, "hold", bloc.leader, {}).instance

    with pytest.raises(TransitionNotAllowed) as late:
        bloc.wf.fire(conf, "record_conclusions", bloc.leader, {"conclusions": [
            {"text": "Đẩy nhanh tiến độ", "unit_id": bloc.units["bca"], "due": "2025-07-01"}]})
    assert late.value.refusal is not None
    assert late.value.refusal.code == "conference_task_due_invalid"
    conf = bloc.wf.fire(conf, "record_conclusions", bloc.leader, {"conclusions": [
        {"text": "Các đơn vị hoàn thành chỉ tiêu 6 tháng cuối năm", "unit_id": None, "due": None},
        {"text": "Xây dựng mô hình điểm về cải cách hành chính", "unit_id": bloc.units["bca"],
         "due": "2025-09-30"}]}).instance
    with pytest.raises(TransitionNotAllowed):  # the minutes are not drawn up yet
        bloc.wf.fire(conf, "draw_up", bloc.leader, {})

    names = conferences.Names("Khối thi đua các bộ, ngành Nội chính Trung ương",
                              bloc.services.reads.unit_names(bloc.units.values()),
                              "Thủ trưởng Bộ Tư pháp")
    doc = conferences.draw_up_minutes(bloc.wf, bloc.services.settings.documents_dir, conf,
                                      bloc.leader, names)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(doc.content)).paragraphs)
    cells = "\n".join(c.text for t in docx.Document(io.BytesIO(doc.content)).tables
                      for r in t.rows for c in r.cells)
    assert "Hội nghị sơ kết 6 tháng 2025" in text
    assert "ngày 15 tháng 7 năm 2025" in text
    assert "7/8 đơn vị thành viên có mặt" in text
    assert "hoàn thành trước 30/09/2025" in text
    assert "Báo cáo sơ kết 6 tháng" in cells
    assert "Vắng" in cells
    with pytest.raises(PermissionDenied):
        conferences.draw_up_minutes(bloc.wf, bloc.services.settings.documents_dir, conf,
                                    bloc.head("bca"), names)

    conf = bloc.wf.fire(conf.id, "draw_up", bloc.leader, {}).instance
    with pytest.raises((PermissionDenied, TransitionNotAllowed)):
        bloc.wf.fire(conf, "sign", bloc.deputy, {})
    conf = bloc.wf.fire(conf, "sign", bloc.leader, {}).instance
    assert conf.state == "signed"

    [task] = conferences.tasks_of(bloc.wf, conf)
    assert task.unit_id == bloc.units["bca"]
    assert task.data["task"]["due"] == "2025-09-30"
    waiting = {w.id: w for w in inbox.waiting_for(bloc.wf, bloc.officer("bca"))[0]}
    assert waiting[task.id].due == dt.date(2025, 9, 30)  # the conclusion's due date
    assert waiting[task.id].title == "Nhiệm vụ theo kết luận hội nghị 2025 – Bộ Công an"
    bloc.wf.fire(task, "report", bloc.officer("bca"), {"comment": "Đã xây dựng mô hình"})
    task = bloc.wf.get(task.id)
    with pytest.raises((PermissionDenied, TransitionNotAllowed)):
        bloc.wf.fire(task, "accept", bloc.officer("bca"), {})
    task = bloc.wf.fire(task, "accept", bloc.leader, {}).instance
    assert task.state == "done"


def test_a_task_is_reminded_before_its_due_date_and_escalated_when_late(bloc: Bloc) -> None:
    conf = _start(bloc)
    bloc.wf.fire(conf, "invite", bloc.leader, {})
    bloc.wf.fire(conf.id, "record_attendance", bloc.leader, {"attendance": _attendance(bloc)})
    bloc.clock.set(at("2025-07-15", 11))
    bloc.wf.fire(conf.id, "hold", bloc.leader, {})
    bloc.wf.fire(conf.id, "record_conclusions", bloc.leader, {"conclusions": [
        {"text": "Báo cáo tiến độ chỉ tiêu", "unit_id": bloc.units["bca"], "due": "2025-08-20"}]})
    conf = bloc.wf.get(conf.id)
    names = conferences.Names("Khối", bloc.services.reads.unit_names(bloc.units.values()))
    conferences.draw_up_minutes(bloc.wf, bloc.services.settings.documents_dir, conf,
                                bloc.leader, names)
    bloc.wf.fire(conf.id, "draw_up", bloc.leader, {})
    bloc.wf.fire(conf.id, "sign", bloc.leader, {})
    [task] = conferences.tasks_of(bloc.wf, bloc.wf.get(conf.id))

    def kinds(user: str) -> list[str]:
        return [n.kind for n in notifications.inbox(bloc.services.uow(), bloc.users[user])
                if n.instance_id == task.id]

    bloc.clock.set(at("2025-08-13"))  # 7 days before
    bloc.services.sweeper().sweep()
    assert kinds("bca_officer") == ["reminder"]
    assert "20/08/2025" in next(
        n.body for n in notifications.inbox(bloc.services.uow(), bloc.users["bca_officer"])
        if n.instance_id == task.id)
    bloc.clock.set(at("2025-08-21"))  # late: the cluster's leader is told
    bloc.services.sweeper().sweep()
    assert "escalation" in kinds("btp_head")
