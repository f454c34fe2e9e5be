"""The sealed ballot box with a vote-counting committee: the key dealt k of n when the vote is
scheduled, each member collecting their share once, the vote opening only then; at the count
fewer than k shares decrypt nothing and k give the tally of the ballots cast; a vote whose
committee cannot gather k shares is re-run with its reason; a paper tally instead."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from tests.conftest import Snapshots
from tests.year_support import MEMBERS, REASON, Bloc, make_bloc, walk_to_year_end
from workflow.adapters.tables import counting_keys, key_shares, sealed_ballots
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.domain import ballot_box as bb
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.services import ballot_box as bbox
from workflow.services import people, voting

FLAG = "co_thi_dua_chinh_phu"
COUNTERS = ("kp_mot", "kp_hai", "kp_ba")
# who chose what: bca 3, bqp 3, blank 2 (nobody chooses their own unit)
CHOICES = {"btp": "bca", "lang": "bca", "ktnn": "bqp", "bca": "bqp", "bqp": "bca",
           "tandtc": None, "vksndtc": "bqp", "ttcp": None}


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    def build() -> Bloc:
        services.criteria.sync([services.settings.definitions_dir / "criteria"],
                               base=services.settings.definitions_dir.parent)
        bloc = make_bloc(services, clock)
        walk_to_year_end(bloc)
        for name in COUNTERS:
            bloc.users[name] = people.create_user(services.uow(), name,
                                                  f"Kiểm phiếu {name[3:]}")
        bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
        return bloc

    return snapshots.world("voting:bloc with a counting committee", services, clock, build)


def counter(bloc: Bloc, name: str) -> Actor:
    return bloc.actor(name)


def schedule(bloc: Bloc, threshold: int = 2) -> Instance:
    committee = bbox.Committee(tuple(bloc.users[n] for n in COUNTERS), threshold)
    session = voting.schedule_cluster_vote(
        bloc.wf, bloc.refresh().id, bloc.leader,
        {FLAG: [bloc.units["bca"], bloc.units["bqp"]]}, committee=committee)
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    return session


def collect_all(bloc: Bloc, session: Instance) -> dict[str, str]:
    return {n: bbox.collect_share(bloc.wf, session.id, counter(bloc, n)) for n in COUNTERS}


def cast_all(bloc: Bloc, session: Instance) -> dict[str, str]:
    receipts = {}
    for voter, choice in CHOICES.items():
        picked = {FLAG: [bloc.units[choice]]} if choice else {}
        receipts[voter] = voting.cast_ballot(bloc.wf, session.id, bloc.head(voter),
                                             picked).receipt
    return receipts


def test_fewer_than_k_shares_decrypt_nothing_and_k_give_the_tally(bloc: Bloc) -> None:
    session = schedule(bloc)
    with pytest.raises(TransitionNotAllowed) as early:
        bloc.wf.fire(session.id, "open", bloc.leader)
    assert early.value.refusal is not None
    assert early.value.refusal.code == "shares_not_collected"
    shares = collect_all(bloc, session)
    assert len(set(shares.values())) == 3
    assert all(s.startswith("TDKP-") for s in shares.values())
    with pytest.raises(TransitionNotAllowed):  # handed out once: the server kept no copy
        bbox.collect_share(bloc.wf, session.id, counter(bloc, "kp_mot"))
    with pytest.raises(PermissionDenied):
        bbox.collect_share(bloc.wf, session.id, bloc.leader)
    with bloc.services.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(key_shares)).scalar() == 0

    bloc.wf.fire(session.id, "open", bloc.leader)
    receipts = cast_all(bloc, session)
    assert len(set(receipts.values())) == 8
    with bloc.services.engine.connect() as conn:
        stored = [r.sealed for r in conn.execute(sa.select(sealed_ballots))]
        public_n = int(conn.execute(sa.select(counting_keys.c.public_n)).scalar_one())
    for sealed in stored:  # no plain choice in the box: only ciphertexts, numbers modulo n²
        cells = [int(cell, 16) for cell in json.loads(sealed)]
        assert all(public_n < c < public_n ** 2 for c in cells)

    bloc.wf.fire(session.id, "close", bloc.leader, {"comment": REASON})
    assert bloc.wf.get(session.id).state == "closed"  # waits for the committee
    assert sorted(receipts.values()) == bbox.receipts(bloc.wf, bloc.wf.get(session.id))
    assert bbox.check_receipt(bloc.wf, session, receipts["btp"]) == 1
    assert bbox.check_receipt(bloc.wf, session, "0" * 64) is None

    # one share: nothing decrypted, nothing counted
    assert bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_mot"),
                              shares["kp_mot"]) is None
    with pytest.raises(PermissionDenied):
        voting.result(bloc.wf, session.id)
    with bloc.services.engine.connect() as conn:
        assert conn.execute(sa.select(counting_keys.c.opened)).scalar() == {}
    # the key itself does not open from fewer than k shares
    with bloc.services.engine.connect() as conn:
        row = conn.execute(sa.select(counting_keys)).mappings().one()
    key = bb.CountingKey(int(row["public_n"]), bytes.fromhex(row["sealed_private"]))
    with pytest.raises(bb.WrongShares):
        bb.combine([shares["kp_mot"]], 2)
    with pytest.raises(bb.WrongShares):  # a single share forced through Shamir: a wrong key
        bb.private_key(key, bb.combine([shares["kp_mot"]], 1))

    fired = bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_ba"), shares["kp_ba"])
    assert fired is not None
    assert fired.to_state == "tallied"
    [counted] = voting.result(bloc.wf, session.id)["tally"].values()
    assert (counted["ballots"], counted["abstained"], counted["eligible"]) == (8, 2, 8)
    yes = {c["candidate"]: c["yes"] for c in counted["titles"][FLAG]["candidates"]}
    assert yes == {bloc.units["bca"]: 3, bloc.units["bqp"]: 3}
    with bloc.services.engine.connect() as conn:  # the released shares are gone
        assert conn.execute(sa.select(sa.func.count()).select_from(key_shares)).scalar() == 0


def test_the_committee_is_two_or_more_people_and_k_within_it(bloc: Bloc) -> None:
    campaign = bloc.refresh().id
    for members, k in (((bloc.users["kp_mot"],), 1), ((bloc.users["kp_mot"],
                                                       bloc.users["kp_hai"]), 3),
                       ((bloc.users["kp_mot"], bloc.users["kp_mot"]), 2),
                       ((bloc.users["kp_mot"], 999_999), 2)):
        with pytest.raises(InvalidInput):
            voting.schedule_cluster_vote(bloc.wf, campaign, bloc.leader,
                                         {FLAG: [bloc.units["bca"]]},
                                         committee=bbox.Committee(members, k))


def test_a_mistyped_share_drops_the_released_ones_and_a_vote_is_re_run(bloc: Bloc) -> None:
    session = schedule(bloc)
    shares = collect_all(bloc, session)
    bloc.wf.fire(session.id, "open", bloc.leader)
    cast_all(bloc, session)
    bloc.wf.fire(session.id, "close", bloc.leader, {"comment": REASON})
    with pytest.raises(InvalidInput):
        bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_mot"), "not a share")
    bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_mot"), shares["kp_mot"])
    wrong = shares["kp_hai"][:-1] + ("0" if shares["kp_hai"][-1] != "0" else "1")
    with pytest.raises(TransitionNotAllowed) as bad:
        bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_hai"), wrong)
    assert bad.value.refusal is not None
    assert bad.value.refusal.code == "shares_do_not_open"
    assert bloc.wf.get(session.id).state == "closed"

    # the committee cannot gather k shares: the vote is re-run, with its reason
    with pytest.raises(TransitionNotAllowed):
        bloc.wf.fire(session.id, "rerun", bloc.leader, {})
    bloc.wf.fire(session.id, "rerun", bloc.leader,
                 {"comment": "Hai thành viên ban kiểm phiếu làm mất mảnh khóa"})
    rerun = bloc.wf.get(session.id)
    assert rerun.state == "quorum_checked"
    assert rerun.data["reruns"][0]["reason"] == "Hai thành viên ban kiểm phiếu làm mất mảnh khóa"
    assert voting.turnout(bloc.wf, session.id)["voted"] == []
    new_shares = collect_all(bloc, rerun)
    assert not set(new_shares.values()) & set(shares.values())
    bloc.wf.fire(session.id, "open", bloc.leader)
    cast_all(bloc, rerun)
    bloc.wf.fire(session.id, "close", bloc.leader, {"comment": REASON})
    bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_hai"), new_shares["kp_hai"])
    # an old share does not open the new key
    with pytest.raises(TransitionNotAllowed):
        bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_ba"), shares["kp_ba"])
    bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_hai"), new_shares["kp_hai"])
    fired = bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_ba"),
                               new_shares["kp_ba"])
    assert fired is not None
    assert fired.to_state == "tallied"
    [counted] = voting.result(bloc.wf, session.id)["tally"].values()
    assert counted["ballots"] == 8


def test_a_paper_vote_is_counted_from_the_committee_tally(bloc: Bloc) -> None:
    session = schedule(bloc)
    collect_all(bloc, session)
    bloc.wf.fire(session.id, "open", bloc.leader)
    bca, bqp = str(bloc.units["bca"]), str(bloc.units["bqp"])
    with pytest.raises(TransitionNotAllowed):  # more votes than ballots
        bloc.wf.fire(session.id, "enter_paper_tally", bloc.leader, {"paper_tally": {
            "ballots": 8, "blank": 1, "votes": {FLAG: {bca: 8, bqp: 2}}}})
    fired = bloc.wf.fire(session.id, "enter_paper_tally", bloc.leader, {"paper_tally": {
        "ballots": 8, "blank": 1, "votes": {FLAG: {bca: 6, bqp: 1}}}})
    assert fired.to_state == "tallied"
    result = voting.result(bloc.wf, session.id)
    assert result["winners"][FLAG] == [bloc.units["bca"]]
    [counted] = result["tally"].values()
    assert (counted["ballots"], counted["abstained"]) == (8, 1)


def test_no_paper_tally_over_electronic_ballots_and_the_key_is_forgotten(bloc: Bloc) -> None:
    session = schedule(bloc)
    shares = collect_all(bloc, session)
    bloc.wf.fire(session.id, "open", bloc.leader)
    cast_all(bloc, session)
    bloc.wf.fire(session.id, "close", bloc.leader, {"comment": REASON})
    bca, bqp = str(bloc.units["bca"]), str(bloc.units["bqp"])
    with pytest.raises(TransitionNotAllowed):
        bloc.wf.fire(session.id, "enter_paper_tally", bloc.leader, {"paper_tally": {
            "ballots": 8, "blank": 1, "votes": {FLAG: {bca: 6, bqp: 1}}}})
    bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_mot"), shares["kp_mot"])
    bbox.release_share(bloc.wf, session.id, counter(bloc, "kp_hai"), shares["kp_hai"])
    assert bloc.wf.get(session.id).state == "tallied"
    voting.draw_up_minutes(bloc.wf, session.id, bloc.leader,
                           bloc.services.settings.documents_dir,
                           [("Kiểm phiếu một", "Trưởng ban kiểm phiếu")])
    with bloc.services.engine.connect() as conn:
        row = conn.execute(sa.select(counting_keys)).mappings().one()
    assert row["sealed_private"] is None  # no set of shares opens anything now
    assert row["opened"]["1"]["ballots"] == 8


def test_without_a_committee_the_server_counts_at_the_close(bloc: Bloc) -> None:
    session = voting.schedule_cluster_vote(
        bloc.wf, bloc.refresh().id, bloc.leader, {FLAG: [bloc.units["bca"]]})
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    bloc.wf.fire(session.id, "open", bloc.leader)
    for voter, _name in MEMBERS:
        picked = {FLAG: [bloc.units["bca"]]} if voter != "bca" else {}
        voting.cast_ballot(bloc.wf, session.id, bloc.head(voter), picked)
    bloc.wf.fire(session.id, "close", bloc.leader, {"comment": REASON})
    [counted] = voting.result(bloc.wf, session.id)["tally"].values()
    assert counted["titles"][FLAG]["candidates"][0]["yes"] == 7
    assert counted["abstained"] == 1
