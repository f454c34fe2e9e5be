"""A tie at the cap goes to a runoff among the tied; tied again, the final score rank decides.
Two candidates can only tie above the threshold when a ballot may name both, so these tests
run on a copy of the rules where the flag's ballot names up to two candidates."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_WORKFLOWS
from tests.year_support import MEMBERS, REASON, Bloc, make_bloc, walk_to_year_end
from workflow.bootstrap import Services, bootstrap
from workflow.clock import FakeClock
from workflow.config import load_settings
from workflow.errors import TransitionNotAllowed
from workflow.services import voting

FLAG = "co_thi_dua_chinh_phu"


@pytest.fixture
def two_choice_services(db_url: str, clock: FakeClock, tmp_path: Path) -> Iterator[Services]:
    definitions = tmp_path / "definitions"
    shutil.copytree(ROOT / "definitions", definitions)
    rules = definitions / "rules" / "2024.yaml"
    text = rules.read_text(encoding="utf-8")
    marker = "  - code: co_thi_dua_chinh_phu\n"
    rules.write_text(text.replace(marker, marker + "    max_candidates_per_ballot: 2\n", 1),
                     encoding="utf-8")
    settings = load_settings(environ={}, overrides={
        "database": {"url": db_url},
        "app": {"definitions_dir": str(definitions),
                "documents_dir": str(tmp_path / "documents")}})
    svc = bootstrap(settings, clock=clock)
    svc.upgrade_schema()
    svc.sync_definitions()
    svc.catalog.sync([TEST_WORKFLOWS], base=ROOT)
    yield svc
    svc.close()


@pytest.fixture
def bloc(two_choice_services: Services, clock: FakeClock) -> Bloc:
    bloc = make_bloc(two_choice_services, clock)
    walk_to_year_end(bloc)
    bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
    return bloc


def _open(bloc: Bloc, candidates: list[str]) -> int:
    session = voting.schedule_cluster_vote(
        bloc.wf, bloc.refresh().id, bloc.leader, {FLAG: [bloc.units[c] for c in candidates]})
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    bloc.wf.fire(session, "open", bloc.leader)
    return session.id


def _everyone_names(bloc: Bloc, session_id: int, picks: list[str]) -> None:
    """Every head names the picks, except their own unit (nobody votes on their own)."""
    for code, _ in MEMBERS:
        voting.cast_ballot(bloc.wf, session_id, bloc.head(code),
                           {FLAG: [bloc.units[p] for p in picks if p != code]})


def test_a_tie_goes_to_a_runoff_and_a_second_tie_to_the_final_rank(bloc: Bloc) -> None:
    session = _open(bloc, ["bca", "ttcp"])
    _everyone_names(bloc, session, ["bca", "ttcp"])  # both carried with 7 of 8: one seat
    bloc.wf.fire(session, "close", bloc.leader, {"comment": REASON})

    tied = voting.result(bloc.wf, session)
    assert sorted(tied["runoff"][FLAG]) == sorted([bloc.units["bca"], bloc.units["ttcp"]])
    assert tied["winners"] == {FLAG: []}
    with pytest.raises(TransitionNotAllowed, match="a runoff is pending"):
        bloc.wf.fire(session, "record_minutes", bloc.leader)

    bloc.wf.fire(session, "runoff", bloc.leader)
    assert bloc.wf.get(session).data["round"] == 2
    _everyone_names(bloc, session, ["bca", "ttcp"])  # tied again
    bloc.wf.fire(session, "close", bloc.leader, {"comment": REASON})

    final = voting.result(bloc.wf, session)
    assert final["winners"] == {FLAG: [bloc.units["bca"]]}  # rank 1 beats rank 8
    note = final["tally"]["2"]["titles"][FLAG]["note"]
    assert "the final score rank decides" in note
