"""Impediments to an award (Decree 152/2025 art. 4(4)) without a database: when one is active,
what is wrong with one about to be recorded or closed, and the dossier's guard, which refuses
to propose, carry or decide while one is active on the day (never a rejection)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from workflow.definitions.rulesets_loader import load_ruleset_paths
from workflow.domain import impediments as imp
from workflow.domain.refusals import Named, Ref
from workflow.domain.roles import Actor, RoleGrant
from workflow.domain.rulesets import RuleSet
from workflow.engine.registry import CallContext
from workflow.services import access
from workflow.services.ports import ImpedimentStatements
from workflow.services.rules.impediments import no_award_impediment

ROOT = Path(__file__).resolve().parents[2]
BOOK = load_ruleset_paths([ROOT / "definitions" / "rules"], base=ROOT)
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
RECORDED = dt.datetime(2026, 1, 2, 2, tzinfo=dt.UTC)


def impediment(kind: str = "complaint", start: dt.date = dt.date(2026, 1, 5),
               until: dt.date | None = None, closed_on: dt.date | None = None,
               id_: int = 1, unit_id: int | None = 7) -> imp.Impediment:
    return imp.Impediment(id_, unit_id, None, kind, "Đơn 15/ĐTC", None, start, until, "",
                          "vu_tdkt", RECORDED, closed_on, "no_violation" if closed_on else None)


# --- the domain -----------------------------------------------------------------------------


def test_an_open_complaint_holds_from_its_first_day_until_the_day_its_closure_is_recorded(
) -> None:
    found = impediment(closed_on=dt.date(2026, 2, 10))

    assert not found.active_on(dt.date(2026, 1, 4))
    assert found.active_on(dt.date(2026, 1, 5))
    assert found.active_on(dt.date(2026, 2, 9))
    assert not found.active_on(dt.date(2026, 2, 10))
    assert [found.status(d) for d in (dt.date(2026, 1, 1), dt.date(2026, 1, 20),
                                      dt.date(2026, 3, 1))] == ["upcoming", "active", "closed"]


def test_a_discipline_holds_for_its_period_and_no_longer() -> None:
    found = impediment("discipline", until=dt.date(2026, 7, 4))

    assert found.active_on(dt.date(2026, 7, 4))
    assert not found.active_on(dt.date(2026, 7, 5))
    assert found.status(dt.date(2026, 8, 1)) == "ended"


def test_blocking_keeps_the_kinds_the_rule_set_names_earliest_first() -> None:
    later = impediment("investigation", start=dt.date(2026, 1, 6), id_=2)
    earlier = impediment("complaint", start=dt.date(2026, 1, 5), id_=3)
    press = impediment("press_report", start=dt.date(2026, 1, 1), id_=4)

    found = imp.blocking([later, earlier, press], dt.date(2026, 1, 7),
                         ("investigation", "complaint"))

    assert [i.id for i in found] == [3, 2]


def test_the_refusal_names_the_first_impediment_and_counts_the_others() -> None:
    refusal = imp.refusal([impediment("discipline", until=dt.date(2026, 7, 4)), impediment()],
                          Ref("unit", 7), "Nghị định 152/2025/NĐ-CP, Điều 4 khoản 4")

    assert refusal.code == "award_impediment_until"
    assert refusal.params["others"] == 1
    assert refusal.params["kind"] == Named("discipline", imp.KINDS["discipline"].vi,
                                           imp.KINDS["discipline"].en)
    assert refusal.english() == (
        "7: discipline from 2026-01-05 to 2026-07-04 (Đơn 15/ĐTC); Nghị định 152/2025/NĐ-CP, "
        "Điều 4 khoản 4: nothing is awarded or proposed meanwhile; wait until the period is "
        "over, or record its closure (date, outcome, document)")


@pytest.mark.parametrize(("kind", "reference", "start", "until", "code"), [
    ("fine", "QĐ 1", dt.date(2026, 1, 1), None, "impediment_kind_unknown"),
    ("discipline", "  ", dt.date(2026, 1, 1), None, "impediment_reference_missing"),
    ("discipline", "QĐ 1", None, None, "impediment_start_missing"),
    ("discipline", "QĐ 1", dt.date(2026, 2, 1), dt.date(2026, 1, 1),
     "impediment_until_before_start"),
])
def test_what_is_wrong_with_a_new_impediment(kind: str, reference: str,
                                             start: dt.date | None, until: dt.date | None,
                                             code: str) -> None:
    problem = imp.problem_of_new(kind, reference, start, until, "")

    assert problem is not None
    assert problem.code == code


def test_what_is_wrong_with_a_closure() -> None:
    found = impediment()

    assert imp.problem_of_closure(found, dt.date(2026, 1, 10), "no_violation", "KL 7") is None
    problems = [imp.problem_of_closure(found, on, outcome, ref) for on, outcome, ref in (
        (dt.date(2026, 1, 10), "forgiven", "KL 7"), (None, "no_violation", "KL 7"),
        (dt.date(2026, 1, 4), "no_violation", "KL 7"), (dt.date(2026, 1, 10), "served", ""))]
    assert [p.code if p else None for p in problems] == [
        "impediment_outcome_unknown", "impediment_closure_date_missing",
        "impediment_closed_before_start", "impediment_closure_reference_missing"]
    closed = impediment(closed_on=dt.date(2026, 1, 10))
    again = imp.problem_of_closure(closed, dt.date(2026, 1, 11), "no_violation", "KL 8")
    assert again is not None
    assert again.code == "impediment_closed_already"


# --- the dossier's guard ----------------------------------------------------------------------


class FakeStatements(ImpedimentStatements):
    """The impediments of a few subjects, in memory."""

    def __init__(self, rows: list[imp.Impediment]) -> None:
        self.rows = rows

    def _row(self, i: imp.Impediment) -> dict[str, Any]:
        return {"id": i.id, "unit_id": i.unit_id, "user_id": i.user_id, "kind": i.kind,
                "reference": i.reference, "reference_date": i.reference_date, "start": i.start,
                "until": i.until, "note": i.note, "recorded_by": i.recorded_by,
                "recorded_at": i.recorded_at, "closed_on": i.closed_on, "outcome": i.outcome,
                "closure_reference": i.closure_reference, "closure_note": i.closure_note,
                "closed_by": i.closed_by, "closed_at": i.closed_at}

    def add(self, values: Mapping[str, Any]) -> int:
        raise NotImplementedError

    def get(self, impediment_id: int) -> dict[str, Any] | None:
        return next((self._row(i) for i in self.rows if i.id == impediment_id), None)

    def of_subject(self, unit_id: int | None, user_id: int | None) -> list[dict[str, Any]]:
        return [self._row(i) for i in self.rows
                if (unit_id is not None and i.unit_id == unit_id)
                or (user_id is not None and i.user_id == user_id)]

    def listed(self, limit: int) -> list[dict[str, Any]]:
        return [self._row(i) for i in self.rows][:limit]

    def close(self, impediment_id: int, values: Mapping[str, Any]) -> bool:
        raise NotImplementedError

    def live_dossiers(self, unit_id: int | None, user_id: int | None) -> list[int]:
        return []

    def username(self, user_id: int) -> str | None:
        return f"user{user_id}"

    def clusters_of_unit(self, unit_id: int) -> list[tuple[int, int]]:
        return []

    def unit_of_user(self, user_id: int) -> tuple[bool, int | None]:
        return True, None

    def unit_exists(self, unit_id: int) -> bool:
        return True


class FakeQuery:
    tz = HANOI

    def __init__(self, rows: list[imp.Impediment]) -> None:
        self.statements = FakeStatements(rows)

    def rule_set(self, code: str, version: int) -> RuleSet:
        return BOOK.get(code, version)

    def impediments(self) -> ImpedimentStatements:
        return self.statements


def check(rows: list[imp.Impediment], trigger: str, now: dt.datetime,
          payload: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None,
          ) -> Any:
    instance = SimpleNamespace(id=1, state="with_authority", unit_id=7, cluster_id=3,
                               year=2025, parent_id=None, data={
                                   "rule_set": {"code": "tdkt", "version": 2}, **(data or {})})
    ctx = CallContext(cast(Any, instance), cast(Any, None),
                      cast(Any, SimpleNamespace(trigger=trigger)), cast(Any, None),
                      frozenset(), payload or {}, now, cast(Any, FakeQuery(rows)))
    return no_award_impediment(ctx, {})


def at(day: str) -> dt.datetime:  # 9 o'clock in Hà Nội
    return dt.datetime.fromisoformat(f"{day}T09:00:00+07:00")


def test_the_guard_refuses_a_proposal_while_a_complaint_is_open() -> None:
    rows = [impediment()]

    refused = check(rows, "post", at("2026-01-05"))

    assert refused is not None
    assert refused.code == "award_impediment"
    assert refused.params["subject"] == Ref("unit", 7)
    assert refused.params["basis"] == "Nghị định 152/2025/NĐ-CP, Điều 4 khoản 4"
    assert check(rows, "post", at("2026-01-04")) is None  # the day before it began


def test_the_guard_reads_the_decisions_date_and_lets_a_rejection_through() -> None:
    rows = [impediment("discipline", start=dt.date(2026, 1, 5), until=dt.date(2026, 3, 31))]
    approve = {"outcome": "approved", "decision_number": "9/QĐ-TTg"}

    assert check(rows, "decide", at("2026-01-02"), {**approve,
                                                      "decision_date": "2026-02-01"}) is not None
    assert check(rows, "decide", at("2026-02-01"), {**approve,
                                                      "decision_date": "2026-04-01"}) is None
    assert check(rows, "decide", at("2026-02-01"), {"outcome": "rejected"}) is None


def test_the_guard_checks_a_person_the_dossier_names() -> None:
    person = imp.Impediment(5, None, 42, "investigation", "QĐ 21/QĐ-TTr", None,
                            dt.date(2026, 1, 1), None, "", "vu_tdkt", RECORDED)

    refused = check([person], "submit", at("2026-01-05"), data={"nominee_user_id": 42})

    assert refused is not None
    assert refused.params["subject"] == Ref("user", "user42")
    assert check([person], "submit", at("2026-01-05")) is None  # a unit's dossier: not theirs


# --- who keeps them (access policy) -------------------------------------------------------------


def actor(*grants: RoleGrant) -> Actor:
    return Actor(1, "someone", grants)


def test_the_council_office_and_the_units_cluster_leader_keep_impediments() -> None:
    clusters = [(3, 2025)]
    office = actor(RoleGrant("council_secretariat", year=2025))
    leader = actor(RoleGrant("cluster_leader", cluster_id=3, year=2025),
                   RoleGrant("unit_head", unit_id=8, year=2025))
    last_year = actor(RoleGrant("cluster_leader", cluster_id=3, year=2024))
    other_cluster = actor(RoleGrant("cluster_leader", cluster_id=4, year=2025))
    head = actor(RoleGrant("unit_head", unit_id=7, year=2025))

    assert access.may_keep_impediments(office, 7, clusters)
    assert access.may_keep_impediments(leader, 7, clusters)
    assert not access.may_keep_impediments(leader, 8, [(3, 2025)])  # its own unit
    assert not access.may_keep_impediments(last_year, 7, clusters)
    assert not access.may_keep_impediments(other_cluster, 7, clusters)
    assert not access.may_keep_impediments(head, 7, clusters)
    assert access.may_read_impediments(head, 7, clusters)  # the unit reads what holds it back
    assert access.may_read_impediments(actor(RoleGrant("decision_authority")), 7, clusters)
    assert not access.may_read_impediments(actor(RoleGrant("unit_head", unit_id=9)), 7,
                                           clusters)
