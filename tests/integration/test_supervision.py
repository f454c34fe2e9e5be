"""Supervision of a cluster through the services: the council office assigns a council member
to the bloc for 2025; the member reads the bloc's items of 2025 and nothing of another year or
cluster, is invited to its conferences like its members, and records supervision notes that
the leader and the council office read and the other members do not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Snapshots
from tests.year_support import YEAR, Bloc, at, launch, make_bloc
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services import access, notifications, organisations, people, supervision


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    def build() -> Bloc:
        services.criteria.sync([services.settings.definitions_dir / "criteria"],
                               base=services.settings.definitions_dir.parent)
        bloc = make_bloc(services, clock)
        member = people.create_user(services.uow(), "hd_member", "Nguyễn Văn Giám Sát")
        people.grant(services.uow(), member, "council_member", year=YEAR)
        bloc.users["hd_member"] = member
        other = people.create_user(services.uow(), "hd_other", "Trần Thị Khác")
        people.grant(services.uow(), other, "council_member", year=YEAR)
        bloc.users["hd_other"] = other
        launch(bloc)
        return bloc

    return snapshots.world("supervision:bloc launched, council members", services, clock, build)


def _assign(bloc: Bloc, who: str = "hd_member") -> int:
    return supervision.assign(bloc.services.uow(), bloc.actor("vu_tdkt"), bloc.users[who],
                              bloc.cluster, at=bloc.clock.now())


def _note(**changes: Any) -> dict[str, Any]:
    return {"date": "2025-07-20", "content": "Khối triển khai đúng kế hoạch; 8/8 đơn vị đã ký "
            "giao ước", "recommendations": "Đôn đốc Thanh tra Chính phủ nộp báo cáo đúng hạn",
            **changes}


def test_the_council_office_assigns_and_only_a_council_member(bloc: Bloc) -> None:
    uow = bloc.services.uow()
    with pytest.raises(PermissionDenied):
        supervision.assign(uow, bloc.leader, bloc.users["hd_member"], bloc.cluster)
    with pytest.raises(InvalidInput, match="not a member of the council"):
        supervision.assign(uow, bloc.actor("vu_tdkt"), bloc.users["bca_head"], bloc.cluster)
    with pytest.raises(NotFound):
        supervision.assign(uow, bloc.actor("vu_tdkt"), bloc.users["hd_member"], 999_999)
    grant = _assign(bloc)
    with pytest.raises(InvalidInput, match="already supervises"):
        _assign(bloc)
    rows = supervision.assignments(bloc.services.reads.supervisors(YEAR))
    assert [(r.full_name, r.cluster_id) for r in rows] == [("Nguyễn Văn Giám Sát", bloc.cluster)]
    with pytest.raises(PermissionDenied):
        supervision.unassign(bloc.services.uow(), bloc.leader, grant)
    supervision.unassign(bloc.services.uow(), bloc.actor("vu_tdkt"), grant)
    assert bloc.services.reads.supervisors(YEAR) == []
    with pytest.raises(NotFound):
        supervision.unassign(bloc.services.uow(), bloc.actor("vu_tdkt"), grant)


def test_a_supervisor_reads_that_cluster_and_year_only(bloc: Bloc) -> None:
    assert bloc.campaign is not None
    pledge = bloc.child("pledge", "bca")
    member = bloc.actor("hd_member")
    # a council member holds a council role everywhere, but not the cluster's supervision
    assert not access.may_supervise(member, bloc.cluster, YEAR)
    assert not access.may_read_supervision(member, bloc.cluster, YEAR)
    _assign(bloc)
    member = bloc.actor("hd_member")
    assert access.may_supervise(member, bloc.cluster, YEAR)
    assert not access.may_supervise(member, bloc.cluster, YEAR + 1)
    assert access.supervised_clusters(member, YEAR) == {bloc.cluster}
    assert access.supervised_clusters(member, YEAR + 1) == set()
    assert "cluster_supervisor" in access.roles_on(member, pledge)
    assert access.may_see(member, pledge)
    assert access.may_see(member, bloc.campaign)
    # it gives no action, and nothing on another cluster of the year
    assert not access.may_attach(member, pledge, bloc.wf.catalog.latest("pledge").spec)
    assert all(t.trigger not in {"accept", "return"} or why is not None
               for t, why in bloc.wf.available(pledge, member))
    other = organisations.create_cluster(
        bloc.services.uow(), "KKT", "Khối kinh tế", "khoi", YEAR,
        [bloc.units["bca"], bloc.units["bqp"]], leader_unit_id=bloc.units["bca"],
        deputy_unit_id=bloc.units["bqp"])
    assert not access.may_supervise(member, other, YEAR)
    assert "cluster_supervisor" not in member.roles_for(None, other, YEAR)


def test_a_grant_of_the_role_is_for_one_year(bloc: Bloc) -> None:
    with pytest.raises(InvalidInput, match="one year"):
        people.grant(bloc.services.uow(), bloc.users["hd_member"], "cluster_supervisor",
                     cluster_id=bloc.cluster)


def test_supervisors_are_invited_to_the_cluster_conferences(bloc: Bloc) -> None:
    assert bloc.campaign is not None
    _assign(bloc)
    bloc.clock.set(at("2025-07-01"))
    conf = bloc.wf.start("conference", bloc.leader, cluster_id=bloc.cluster, year=YEAR,
                         parent_id=bloc.campaign.id)
    conf = bloc.wf.fire(conf, "revise_plan", bloc.leader, {"plan": {
        "kind": "six_month", "topic": "", "date": "2025-07-15", "time": "08:30",
        "place": "Hội trường Bộ Tư pháp", "host_unit_id": bloc.units["btp"],
        "agenda": [{"title": "Báo cáo sơ kết", "presenter": ""}]}}).instance
    bloc.wf.fire(conf, "invite", bloc.leader, {})
    mine = notifications.inbox(bloc.services.uow(), bloc.users["hd_member"])
    invitation = next(n for n in mine if n.instance_id == conf.id)
    assert invitation.subject == "[Thi đua] Hội nghị sơ kết 6 tháng 2025"
    assert "Trân trọng kính mời đồng chí dự" in invitation.body
    assert invitation.link == f"/conferences/{conf.id}"
    others = notifications.inbox(bloc.services.uow(), bloc.users["hd_other"])
    assert not any(n.instance_id == conf.id for n in others)
    head = notifications.inbox(bloc.services.uow(), bloc.users["bca_head"])
    assert "Trân trọng kính mời đơn vị dự" in next(
        n for n in head if n.instance_id == conf.id).body

    # a member assigned once the invitations went out is invited too, once
    late = supervision.assign(bloc.services.uow(), bloc.actor("vu_tdkt"), bloc.users["hd_other"],
                              bloc.cluster)
    assert late
    sent = supervision.invite_to_called_conferences(bloc.wf, bloc.services.reads, bloc.cluster,
                                                    YEAR, bloc.users["hd_other"])
    assert sent == 1
    others = notifications.inbox(bloc.services.uow(), bloc.users["hd_other"])
    assert [n.subject for n in others if n.instance_id == conf.id] == [
        "[Thi đua] Hội nghị sơ kết 6 tháng 2025"]
    bloc.clock.set(at("2025-07-16"))  # once the day has passed, no invitation
    assert supervision.invite_to_called_conferences(bloc.wf, bloc.services.reads, bloc.cluster,
                                                    YEAR, bloc.users["hd_member"]) == 0


def test_notes_are_recorded_checked_and_read_by_leader_and_office_only(bloc: Bloc) -> None:
    bloc.clock.set(at("2025-07-21"))
    wf, reads = bloc.wf, bloc.services.reads
    with pytest.raises(PermissionDenied):  # not assigned yet
        supervision.record_note(wf, reads, bloc.actor("hd_member"), bloc.cluster, YEAR, _note())
    _assign(bloc)
    member = bloc.actor("hd_member")
    with pytest.raises(InvalidInput) as wrong:
        supervision.record_note(wf, reads, member, bloc.cluster, YEAR, _note(date="2024-07-20"))
    assert wrong.value.refusal is not None
    assert wrong.value.refusal.code == "supervision_note_date_invalid"
    assert supervision.item_of(wf, reads, bloc.cluster, YEAR) is None  # nothing started
    fired = supervision.record_note(wf, reads, member, bloc.cluster, YEAR, _note())
    with pytest.raises(TransitionNotAllowed) as empty:
        supervision.record_note(wf, reads, member, bloc.cluster, YEAR, _note(content=" "))
    assert empty.value.refusal is not None
    assert empty.value.refusal.code == "supervision_note_content_missing"
    with pytest.raises(TransitionNotAllowed) as future:
        supervision.record_note(wf, reads, member, bloc.cluster, YEAR, _note(date="2025-08-01"))
    assert future.value.refusal is not None
    assert future.value.refusal.code == "supervision_note_date_future"
    supervision.record_note(wf, reads, member, bloc.cluster, YEAR,
                            _note(date="2025-07-21", content="Kiểm tra hồ sơ ký kết"),
                            expected_version=fired.instance.version)
    item = supervision.item_of(wf, reads, bloc.cluster, YEAR)
    assert item is not None
    assert item.id == fired.instance.id

    for who in ("hd_member", "btp_head", "vu_tdkt"):
        notes = supervision.read_notes(wf, reads, bloc.actor(who), bloc.cluster, YEAR)
        assert [n.content for n in notes] == ["Kiểm tra hồ sơ ký kết", _note()["content"]]
        assert notes[1].recommendations.startswith("Đôn đốc Thanh tra")
        assert notes[1].author == "hd_member"
        assert access.may_see(bloc.actor(who), item)
    for who in ("bca_head", "lang_head", "hd_other"):
        with pytest.raises(PermissionDenied):
            supervision.read_notes(wf, reads, bloc.actor(who), bloc.cluster, YEAR)
        assert not access.may_see(bloc.actor(who), item)

    told = notifications.inbox(bloc.services.uow(), bloc.users["btp_head"])
    notices = [n for n in told if n.instance_id == item.id]
    assert len(notices) == 2  # one a note
    assert any("ngày 20/07/2025: Khối triển khai đúng kế hoạch" in n.body for n in notices)
    notice = notices[0]
    assert notice.link == f"/supervision/items/{item.id}"
