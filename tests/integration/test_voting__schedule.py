"""Scheduling the year-end vote as people do it (the page and the API share the use case), and
what it tells the voters: their inbox and their messages."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import Snapshots
from tests.year_support import MEMBERS, Bloc, make_bloc, walk_to_year_end
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.services import inbox, voting

FLAG = "co_thi_dua_chinh_phu"
MEETING = voting.Meeting(dt.date(2025, 12, 19), dt.time(8, 30), "Đà Nẵng",
                         "Hội nghị tổng kết năm 2025")


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    def build() -> Bloc:
        services.criteria.sync([services.settings.definitions_dir / "criteria"],
                               base=services.settings.definitions_dir.parent)
        bloc = make_bloc(services, clock)
        walk_to_year_end(bloc)
        bloc.clock.set(dt.datetime(2025, 12, 18, 1, tzinfo=dt.UTC))
        return bloc

    return snapshots.world("voting:bloc at year end, 08:00", services, clock, build)


def schedule(bloc: Bloc, **kwargs: object) -> object:
    options: dict[str, object] = {"candidates": {FLAG: [bloc.units["bca"]]}, "meeting": MEETING}
    options.update(kwargs)
    return voting.schedule_year_end_vote(bloc.wf, bloc.refresh().id, bloc.leader,
                                         options["candidates"], options["meeting"])  # type: ignore[arg-type]


def test_the_vote_is_scheduled_once_the_campaign_is_at_its_vote_and_only_once(bloc: Bloc) -> None:
    with pytest.raises(TransitionNotAllowed) as early:
        schedule(bloc)
    bloc.wf.fire(bloc.refresh(), "start_voting", bloc.leader)

    session = voting.schedule_year_end_vote(bloc.wf, bloc.refresh().id, bloc.leader,
                                            {FLAG: [bloc.units["bca"]]}, MEETING)
    with pytest.raises(TransitionNotAllowed) as twice:
        schedule(bloc)

    assert early.value.refusal is not None
    assert early.value.refusal.code == "vote_not_due"
    assert twice.value.refusal is not None
    assert twice.value.refusal.code == "vote_already_scheduled"
    assert session.parent_id == bloc.refresh().id
    assert session.data["meeting"]["place"] == "Đà Nẵng"
    assert session.data["ends_at"] == "2025-12-19T03:30:00+00:00"  # 10:30 in Hà Nội


def test_a_member_a_past_meeting_or_an_unknown_title_is_refused(bloc: Bloc) -> None:
    bloc.wf.fire(bloc.refresh(), "start_voting", bloc.leader)
    campaign = bloc.refresh().id

    with pytest.raises(PermissionDenied):
        voting.schedule_year_end_vote(bloc.wf, campaign, bloc.head("bca"),
                                      {FLAG: [bloc.units["bqp"]]}, MEETING)
    with pytest.raises(InvalidInput, match="past"):
        schedule(bloc, meeting=voting.Meeting(dt.date(2025, 12, 1), dt.time(8), "Huế", "HN"))
    with pytest.raises(InvalidInput, match="not a title voted in a cluster"):
        schedule(bloc, candidates={"bang_khen_thu_tuong": [bloc.units["bca"]]})
    assert voting.campaign_sessions(bloc.wf, campaign) == []


def test_each_voter_finds_the_open_vote_until_voting_and_is_told_once(bloc: Bloc) -> None:
    bloc.wf.fire(bloc.refresh(), "start_voting", bloc.leader)
    session = schedule(bloc)
    bloc.wf.fire(session, "check_quorum", bloc.leader,  # type: ignore[arg-type]
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    opened = bloc.wf.fire(session, "open", bloc.leader)  # type: ignore[arg-type]

    written = voting.announce(bloc.wf, opened, base_url="https://thidua.example")
    waiting = inbox.ballots_waiting(bloc.wf, bloc.head("bqp"))
    voting.cast_ballot(bloc.wf, opened.instance.id, bloc.head("bqp"), {FLAG: [bloc.units["bca"]]})

    assert [(w.id, w.actions, w.unit) for w in waiting] == [
        (opened.instance.id, ("Bỏ phiếu",), "Bộ Quốc phòng")]
    assert waiting[0].due_at is not None
    assert waiting[0].due_at.strftime("%d/%m/%Y %H:%M") == "19/12/2025 10:30"
    assert inbox.ballots_waiting(bloc.wf, bloc.head("bqp")) == []
    assert inbox.ballots_waiting(bloc.wf, bloc.officer("bca")) == []  # not the unit's voter
    assert written >= len(MEMBERS)  # in-app for each head, and e-mail where they have one
