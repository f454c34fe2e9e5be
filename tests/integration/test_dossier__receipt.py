"""A dossier follows the rules of the date it is received where a law's transition rule says
so: Law 06/2026/QH16 (reported in force 01/10/2026) takes dossiers received from that day;
those received before keep the earlier rules unless the new ones are more favourable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.integration.test_dossier import attach, bloc, cluster_vote, local
from tests.year_support import Bloc
from workflow.services import dossiers

__all__ = ["bloc"]  # the dossier tests' bloc at year end, with its council

DOCUMENTS = ["to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_suy_ton_cum"]


def submitted_at(bloc: Bloc, folder: Path, moment: dt.datetime) -> dict[str, object]:
    session = cluster_vote(bloc, folder)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, folder)
    assert dossier.data["rule_set"] == {"code": "tdkt", "version": 1}  # the campaign's, of 2024
    bloc.wf.fire(dossier, "post", bloc.leader)
    attach(bloc, dossier, DOCUMENTS, folder)
    bloc.clock.set(moment)
    return dict(bloc.wf.fire(dossier.id, "submit", bloc.leader).instance.data)


@pytest.mark.parametrize(("moment", "received", "version", "why"), [
    (local("2026-09-30", 23), "2026-09-30", 1, "received_before"),  # 23:00 in Hà Nội
    (local("2026-10-01", 0), "2026-10-01", 3, "received_from"),  # midnight, the first day
    (local("2026-10-05"), "2026-10-05", 3, "received_from"),
])
def test_a_dossier_straddling_the_first_of_october_2026_follows_the_rules_of_its_receipt(
    bloc: Bloc, tmp_path: Path, moment: dt.datetime, received: str, version: int, why: str
) -> None:
    data = submitted_at(bloc, tmp_path, moment)

    assert data["received_on"] == received
    assert data["rule_set"] == {"code": "tdkt", "version": version}
    assert data["opened_rule_set"] == {"code": "tdkt", "version": 1}
    assert data["rules_choice"] == {"why": why, "boundary": "2026-10-01"}


def test_a_dossier_received_before_any_later_rules_keeps_its_votes_rules(
    bloc: Bloc, tmp_path: Path
) -> None:
    data = submitted_at(bloc, tmp_path, local("2025-12-24"))

    assert data["received_on"] == "2025-12-24"
    assert data["rule_set"] == {"code": "tdkt", "version": 1}
    assert data["rules_choice"] == {"why": "received_before", "boundary": "2026-10-01"}
