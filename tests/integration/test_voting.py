"""The bloc's year-end vote: one secret ballot per member unit, the rule applied exactly, ties
settled by a runoff and then by rank, fairness warnings, minutes — and ballots that cannot be
traced back to who cast them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import Snapshots
from tests.year_support import MEMBERS, REASON, Bloc, make_bloc, walk_to_year_end
from workflow.adapters.tables import ballots, metadata, sealed_ballots, vote_participation
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.services import people, voting

FLAG = "co_thi_dua_chinh_phu"


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    def build() -> Bloc:
        services.criteria.sync([services.settings.definitions_dir / "criteria"],
                               base=services.settings.definitions_dir.parent)
        bloc = make_bloc(services, clock)
        walk_to_year_end(bloc)
        bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
        return bloc

    return snapshots.world("voting:bloc at year end", services, clock, build)


def open_vote(bloc: Bloc, candidates: list[str]) -> Instance:
    session = voting.schedule_cluster_vote(
        bloc.wf, bloc.refresh().id, bloc.leader, {FLAG: [bloc.units[c] for c in candidates]})
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    return bloc.wf.fire(session, "open", bloc.leader).instance


def vote(bloc: Bloc, session: Instance, choices: dict[str, str | None]) -> None:
    for voter, choice in choices.items():
        picked = {FLAG: [bloc.units[choice]]} if choice else {}
        voting.cast_ballot(bloc.wf, session.id, bloc.head(voter), picked)


def close(bloc: Bloc, session: Instance) -> Instance:
    bloc.wf.fire(session, "close", bloc.leader, {"comment": REASON})
    return bloc.wf.get(session.id)


def test_the_bloc_proposes_one_unit_for_the_government_flag(bloc: Bloc, tmp_path) -> None:
    session = open_vote(bloc, ["bca", "bqp"])
    vote(bloc, session, {"btp": "bca", "lang": "bca", "bqp": "bca", "bca": "bqp",
                         "tandtc": "bca", "vksndtc": "bqp", "ttcp": "bca", "ktnn": None})

    session = close(bloc, session)

    assert session.state == "tallied"  # counted as soon as the box was sealed
    result = voting.result(bloc.wf, session.id)
    assert result["winners"] == {FLAG: [bloc.units["bca"]]}
    lines = {c["candidate"]: c for c in result["tally"]["1"]["titles"][FLAG]["candidates"]}
    bca, bqp = lines[bloc.units["bca"]], lines[bloc.units["bqp"]]
    assert (bca["yes"], bca["elected"]) == (5, True)
    assert "5 yes of 8 members = 62.5%, meets the rule of more than 50%" in bca["reason"]
    assert (bqp["yes"], bqp["carried"]) == (2, False)
    assert result["tally"]["1"]["abstained"] == 1
    digest = voting.draw_up_minutes(bloc.wf, session.id, bloc.leader, tmp_path,
                                    [("Nguyễn Văn A", "Trưởng ban")])
    bloc.wf.fire(session.id, "lock", bloc.leader)
    history = bloc.wf.history(session.id)
    assert history[-2]["payload"]["minutes_sha256"] == digest
    assert bloc.wf.get(session.id).state == "locked"
    text = "\n".join(p.text for p in docx.Document(
        str(next(tmp_path.iterdir()))).paragraphs)
    assert "BIÊN BẢN KIỂM PHIẾU" in text.upper()


def test_exactly_half_fails_a_more_than_half_rule(bloc: Bloc) -> None:
    session = open_vote(bloc, ["bca"])
    vote(bloc, session, {"btp": "bca", "lang": "bca", "bqp": "bca", "bca": None,
                         "tandtc": "bca", "vksndtc": None, "ttcp": None, "ktnn": None})

    result = voting.result(bloc.wf, close(bloc, session).id)

    line = result["tally"]["1"]["titles"][FLAG]["candidates"][0]
    assert (line["yes"], line["carried"]) == (4, False)
    assert "4 yes of 8 members = 50%, does not meet the rule of more than 50%" in line["reason"]
    assert result["winners"] == {FLAG: []}


def test_a_ballot_names_at_most_the_titles_number_of_candidates(bloc: Bloc) -> None:
    session = open_vote(bloc, ["bca", "ttcp"])

    with pytest.raises(InvalidInput) as err:
        voting.cast_ballot(bloc.wf, session.id, bloc.head("btp"),
                           {FLAG: [bloc.units["bca"], bloc.units["ttcp"]]})

    assert "at most 1 candidate(s) per ballot" in str(err.value)
    assert voting.turnout(bloc.wf, session.id)["voted"] == []  # nothing was recorded


def test_a_voter_casts_one_ballot_and_only_while_the_vote_is_open(bloc: Bloc) -> None:
    session = open_vote(bloc, ["bca"])
    voting.cast_ballot(bloc.wf, session.id, bloc.head("bqp"), {FLAG: [bloc.units["bca"]]})
    vote(bloc, session, {"ttcp": "bca", "ktnn": None})  # enough to close early, with a reason

    with pytest.raises(TransitionNotAllowed) as twice:
        voting.cast_ballot(bloc.wf, session.id, bloc.head("bqp"), {})
    with pytest.raises(PermissionDenied):
        voting.cast_ballot(bloc.wf, session.id, bloc.officer("bqp"), {})
    with pytest.raises(PermissionDenied) as hidden:
        voting.result(bloc.wf, session.id)
    close(bloc, session)
    with pytest.raises(TransitionNotAllowed) as late:
        voting.cast_ballot(bloc.wf, session.id, bloc.head("bca"), {})

    assert "has already voted in round 1" in str(twice.value)
    assert "hidden until the votes are counted" in str(hidden.value)
    assert "voting is not open" in str(late.value)
    assert voting.turnout(bloc.wf, session.id)["voted"] == sorted(
        f"unit:{bloc.units[c]}" for c in ("bqp", "ttcp", "ktnn"))


def test_a_delegate_casts_the_units_ballot(bloc: Bloc) -> None:
    session = open_vote(bloc, ["bca"])
    uow = bloc.services.uow()
    people.delegate(uow, bloc.clock, bloc.head("ktnn"), bloc.users["ktnn_officer"],
                    dt.date(2025, 12, 1), dt.date(2025, 12, 31), "Giấy ủy quyền 45/GUQ-KTNN")
    agent = people.act_for(uow, bloc.users["ktnn_officer"], bloc.users["ktnn_head"],
                           dt.date(2025, 12, 18))

    receipt = voting.cast_ballot(bloc.wf, session.id, agent, {FLAG: [bloc.units["bca"]]})

    assert receipt.voter_key == f"unit:{bloc.units['ktnn']}"
    with bloc.services.engine.connect() as conn:
        cast_by = conn.execute(sa.select(vote_participation.c.cast_by)).scalar()
    assert cast_by == "ktnn_officer"


def test_candidates_need_a_final_score_and_no_discipline(bloc: Bloc) -> None:
    with pytest.raises(InvalidInput) as disciplined:
        voting.schedule_cluster_vote(bloc.wf, bloc.refresh().id, bloc.leader,
                                     {FLAG: [bloc.units["bca"]]},
                                     disciplined=[bloc.units["bca"]])
    with pytest.raises(InvalidInput) as stranger:
        voting.schedule_cluster_vote(bloc.wf, bloc.refresh().id, bloc.leader, {FLAG: [99999]})

    assert "under discipline" in str(disciplined.value)
    assert "has no final score sheet" in str(stranger.value)


def test_fairness_warnings_name_the_leader_electing_itself_and_a_low_rank(bloc: Bloc) -> None:
    session = open_vote(bloc, ["btp"])
    vote(bloc, session, {code: "btp" if code != "btp" else None for code, _ in MEMBERS})
    result = voting.result(bloc.wf, close(bloc, session).id)
    assert any("cluster leader" in w and "elected itself" in w for w in result["warnings"])

    other = open_vote(bloc, ["ttcp"])
    vote(bloc, other, {code: "ttcp" if code != "ttcp" else None for code, _ in MEMBERS})
    result = voting.result(bloc.wf, close(bloc, other).id)
    assert any("ranked 8 by final score, not in the top 3" in w for w in result["warnings"])


def test_ballots_cannot_be_joined_to_who_cast_them(bloc: Bloc) -> None:
    # a secret vote's ballots are sealed (sealed_ballots); the plain table keeps open votes'
    for box in ("ballots", "sealed_ballots"):
        ballot_columns = {c.name for c in metadata.tables[box].columns}
        who_columns = {c.name for c in metadata.tables["vote_participation"].columns}
        assert ballot_columns & who_columns == {"session_id", "round"}  # the session only
        assert not {"created_at", "cast_at", "at", "timestamp"} & (ballot_columns | who_columns)
        assert not any(fk.column.table.name == "vote_participation"
                       for fk in metadata.tables[box].foreign_keys)

    session = open_vote(bloc, ["bca"])
    vote(bloc, session, {code: "bca" if code != "bca" else None for code, _ in MEMBERS})
    with bloc.services.engine.connect() as conn:
        while_open = set(conn.execute(sa.select(sealed_ballots.c.id)).scalars())
    close(bloc, session)

    with bloc.services.engine.connect() as conn:
        rows = conn.execute(sa.select(sealed_ballots)).mappings().all()
        voters = conn.execute(sa.select(vote_participation)).mappings().all()
        plain = conn.execute(sa.select(ballots)).mappings().all()
    assert len(rows) == len(voters) == 8
    assert plain == []  # a secret ballot is never written in plain
    assert all(len(r["id"]) == 32 and int(r["id"], 16) >= 0 for r in rows)  # random ids
    # sealing rewrote the box in random order under new ids: storage order says nothing
    assert not while_open & {r["id"] for r in rows}
    if bloc.services.engine.dialect.name == "sqlite":  # WITHOUT ROWID: kept in id order
        assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    history = str(bloc.wf.history(session.id))
    assert "bca_head" not in history
    assert "ktnn_head" not in history


def test_the_ranking_table_goes_out_as_excel_with_its_hash_in_history(
    bloc: Bloc, tmp_path: Path
) -> None:
    from workflow.services import year

    out = tmp_path / "out"
    digest = year.ranking_workbook(bloc.wf, bloc.refresh().id, bloc.leader, out)

    [path] = list(out.iterdir())
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    units = {r[1]: r for r in rows if isinstance(r[0], int)}
    assert units["Thanh tra Chính phủ"][-2] == 8  # rank
    assert units["Bộ Công an"][-3] == 100  # total, a number
    assert any(h["payload"].get("sha256") == digest for h in bloc.wf.history(bloc.campaign.id))


def test_a_head_does_not_vote_for_their_own_unit(bloc: Bloc) -> None:
    session = open_vote(bloc, ["bca", "bqp"])
    with pytest.raises(PermissionDenied) as own:
        voting.cast_ballot(bloc.wf, session.id, bloc.head("bca"), {FLAG: [bloc.units["bca"]]})
    assert f"candidate {bloc.units['bca']} is your own unit's" in str(own.value)
    assert voting.turnout(bloc.wf, session.id)["voted"] == []  # nothing was recorded

    voting.cast_ballot(bloc.wf, session.id, bloc.head("bca"), {FLAG: [bloc.units["bqp"]]})
    assert voting.turnout(bloc.wf, session.id)["voted"] == [f"unit:{bloc.units['bca']}"]


@pytest.mark.parametrize("username", ["bca_officer", "ttcp_officer", "bca_head", "lang_head"])
def test_an_officer_may_not_issue_the_official_ranking(bloc: Bloc, tmp_path: Path,
                                                       username: str) -> None:
    """Every officer holds the cluster-wide inspector grant: enough to read the ranking, not to
    generate the official workbook and write it into the campaign's history."""
    from workflow.errors import PermissionDenied
    from workflow.services import year

    campaign = bloc.refresh()
    before = len(bloc.wf.history(campaign.id))

    with pytest.raises(PermissionDenied, match="only the cluster leader and the council "
                                               "office may"):
        year.ranking_workbook(bloc.wf, campaign.id, bloc.actor(username), tmp_path / "out")

    assert len(bloc.wf.history(campaign.id)) == before
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("username", ["btp_head", "vu_tdkt"])
def test_the_leader_and_the_council_office_may_issue_the_official_ranking(
    bloc: Bloc, tmp_path: Path, username: str,
) -> None:
    from workflow.services import year

    digest = year.ranking_workbook(bloc.wf, bloc.refresh().id, bloc.actor(username),
                                   tmp_path / "out")

    assert any(h["payload"].get("sha256") == digest for h in bloc.wf.history(bloc.campaign.id))



# --- closing a secret vote early ---------------------------------------------------------------


def test_a_secret_vote_cannot_be_closed_on_a_single_ballot(bloc: Bloc) -> None:
    """Closed after one ballot, the turnout would name the only voter and the result show
    their choice: even with a reason, the chair must wait for the minimum number of ballots."""
    session = open_vote(bloc, ["bca"])
    vote(bloc, session, {"bqp": "bca"})

    with pytest.raises(TransitionNotAllowed) as refused:
        bloc.wf.fire(session, "close", bloc.leader, {"comment": REASON})

    assert "only 1 of 8 voters present have voted" in str(refused.value)
    assert refused.value.refusal is not None
    assert refused.value.refusal.code == "too_few_ballots"
    assert "at least 3 ballots" in str(refused.value)
    assert bloc.wf.get(session.id).state == "open"
    with pytest.raises(PermissionDenied):
        voting.result(bloc.wf, session.id)


def test_closing_early_needs_a_reason_and_the_minimum_of_ballots(bloc: Bloc) -> None:
    session = open_vote(bloc, ["bca"])
    vote(bloc, session, {"bqp": "bca", "ttcp": "bca", "ktnn": None})

    with pytest.raises(TransitionNotAllowed) as no_reason:
        bloc.wf.fire(session, "close", bloc.leader)
    closed = bloc.wf.fire(session, "close", bloc.leader, {"comment": REASON}).instance

    assert "3 of 8 voters present have voted" in str(no_reason.value)
    assert no_reason.value.refusal is not None
    assert no_reason.value.refusal.code == "reason_required"
    assert bloc.wf.get(closed.id).state == "tallied"
    assert any(h["comment"] == REASON for h in bloc.wf.history(session.id))


def test_a_vote_closes_without_a_reason_once_every_present_voter_has_voted(bloc: Bloc) -> None:
    session = voting.schedule_cluster_vote(
        bloc.wf, bloc.refresh().id, bloc.leader, {FLAG: [bloc.units["bca"]]})
    # six of the eight came (the cluster's quorum of 2/3 needs six): all voted, the box is
    # complete
    present = ["btp", "lang", "bqp", "bca", "tandtc", "ttcp"]
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{bloc.units[c]}" for c in present]})
    session = bloc.wf.fire(session, "open", bloc.leader).instance
    vote(bloc, session, {"btp": "bca", "lang": None, "bqp": "bca", "bca": None,
                         "tandtc": "bca", "ttcp": None})

    closed = bloc.wf.fire(session, "close", bloc.leader).instance

    assert bloc.wf.get(closed.id).state == "tallied"


def test_a_vote_closes_freely_at_its_scheduled_end(bloc: Bloc) -> None:
    session = voting.schedule_cluster_vote(
        bloc.wf, bloc.refresh().id, bloc.leader, {FLAG: [bloc.units["bca"]]},
        ends_at=bloc.clock.now() + dt.timedelta(hours=2))
    session = open_vote_of(bloc, session)
    vote(bloc, session, {"bqp": "bca"})
    with pytest.raises(TransitionNotAllowed):
        bloc.wf.fire(session, "close", bloc.leader, {"comment": REASON})

    bloc.clock.advance(hours=2)
    closed = bloc.wf.fire(session, "close", bloc.leader).instance

    assert bloc.wf.get(closed.id).state == "tallied"


def open_vote_of(bloc: Bloc, session: Instance) -> Instance:
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    return bloc.wf.fire(session, "open", bloc.leader).instance


# --- the cluster meeting's quorum ------------------------------------------------------------


def test_a_cluster_vote_with_four_of_eight_members_present_does_not_open(bloc: Bloc) -> None:
    session = voting.schedule_cluster_vote(
        bloc.wf, bloc.refresh().id, bloc.leader, {FLAG: [bloc.units["bca"]]})
    four = [f"unit:{bloc.units[c]}" for c in ("btp", "lang", "bqp", "bca")]

    with pytest.raises(TransitionNotAllowed) as refused:
        bloc.wf.fire(session, "check_quorum", bloc.leader, {"present": four})

    assert refused.value.refusal is not None
    assert refused.value.refusal.code == "cluster_quorum_not_met"
    assert refused.value.refusal.params["needed"] == 6  # 2/3 of 8 is 5 1/3: six units
    assert refused.value.refusal.params["present"] == 4
    assert bloc.wf.get(session.id).state == "scheduled"


def test_a_cluster_vote_opens_with_exactly_the_quorum_present(bloc: Bloc) -> None:
    session = voting.schedule_cluster_vote(
        bloc.wf, bloc.refresh().id, bloc.leader, {FLAG: [bloc.units["bca"]]})
    five = [f"unit:{bloc.units[c]}" for c in ("btp", "lang", "bqp", "bca", "tandtc")]
    with pytest.raises(TransitionNotAllowed):
        bloc.wf.fire(session, "check_quorum", bloc.leader, {"present": five})
    six = [*five, f"unit:{bloc.units['ttcp']}"]

    checked = bloc.wf.fire(bloc.wf.get(session.id), "check_quorum", bloc.leader,
                           {"present": six}).instance
    opened = bloc.wf.fire(checked, "open", bloc.leader).instance

    assert opened.state == "open"

