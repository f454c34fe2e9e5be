"""The council's own vote-counting committee: the council office names council people when it
schedules the meeting, each collects a share before the vote opens, the sealed ballots are
counted only once k of them release their shares, and the result is written on the dossier."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.integration.test_council import dossier_at_council, lock, member
from tests.integration.test_dossier import FLAG, bloc
from tests.year_support import REASON, Bloc
from workflow.errors import Conflict, InvalidInput, PermissionDenied
from workflow.services import ballot_box as bbox
from workflow.services import council, voting

__all__ = ["bloc"]  # the integration tests' bloc at year end, with its council

YEAR = 2025


def meeting() -> voting.Meeting:
    return voting.Meeting(dt.date(2026, 1, 20), dt.time(8, 30), "Nhà Quốc hội",
                          "Phiên họp Hội đồng Thi đua – Khen thưởng")


def test_a_council_session_is_counted_by_k_of_its_committee(bloc: Bloc, tmp_path: Path) -> None:
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    dossier = dossier_at_council(bloc, tmp_path)
    counters = [bloc.users["hd_0"], bloc.users["hd_1"], bloc.users["hd_2"]]
    session = council.schedule(wf, bloc.services.reads, office, [dossier.id], YEAR, meeting(),
                               committee=bbox.Committee(tuple(counters), 2))
    assert session.data["committee"] == {"members": counters, "threshold": 2}

    shares = {n: bbox.collect_share(wf, session.id, bloc.actor(n)) for n in ("hd_0", "hd_1",
                                                                           "hd_2")}
    with pytest.raises(PermissionDenied):  # the office is not of the committee
        bbox.collect_share(wf, session.id, office)
    wf.fire(session, "check_quorum", office, {"present": [member(bloc, n) for n in range(9)]})
    wf.fire(session.id, "open", office)
    for n in range(9):
        voting.cast_ballot(wf, session.id, bloc.actor(f"hd_{n}"),
                           {FLAG: [dossier.id] if n < 8 else []})
    wf.fire(session.id, "close", office, {"comment": REASON})
    assert wf.get(session.id).state == "closed"  # waits for the committee
    assert bbox.release_share(wf, session.id, bloc.actor("hd_2"), shares["hd_2"]) is None
    with pytest.raises(PermissionDenied):  # one share opens nothing
        voting.result(wf, session.id)
    fired = bbox.release_share(wf, session.id, bloc.actor("hd_0"), shares["hd_0"])
    assert fired is not None
    assert fired.to_state == "tallied"
    [counted] = voting.result(wf, session.id)["tally"].values()
    yes = {c["candidate"]: c["yes"] for c in counted["titles"][FLAG]["candidates"]}
    assert yes == {dossier.id: 8}
    lock(bloc, wf.get(session.id), tmp_path)
    council.write_results(wf, session.id, office)
    assert wf.get(dossier.id).state == "with_authority"  # 8 of 9: at least 80% of all


def test_the_committee_is_chosen_among_the_councils_people(bloc: Bloc, tmp_path: Path) -> None:
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    dossier = dossier_at_council(bloc, tmp_path)
    stranger = bloc.users["bca_head"]
    with pytest.raises(Conflict) as refused:
        council.schedule(wf, bloc.services.reads, office, [dossier.id], YEAR, meeting(),
                         committee=bbox.Committee((bloc.users["hd_0"], stranger), 2))
    assert refused.value.refusal is not None
    assert refused.value.refusal.code == "council_committee_stranger"
    with pytest.raises(InvalidInput):  # k beyond the members named
        council.schedule(wf, bloc.services.reads, office, [dossier.id], YEAR, meeting(),
                         committee=bbox.Committee((bloc.users["hd_0"], bloc.users["hd_1"]), 3))
    assert not council.sessions(wf, bloc.services.reads, YEAR)  # nothing was scheduled
