"""Units, clusters re-formed year to year, leadership by rotation, and delegation."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import YEAR, Org
from workflow.bootstrap import Services
from workflow.errors import InvalidInput, PermissionDenied
from workflow.services import organisations as orgs
from workflow.services import people


def test_a_unit_can_hang_under_its_ministry(services: Services) -> None:
    ministry = orgs.create_unit(services.uow(), "BHXH", "Bảo hiểm xã hội Việt Nam")
    office = orgs.create_unit(services.uow(), "BHXH-HN", "BHXH Hà Nội", parent_id=ministry)

    assert orgs.unit_id(services.uow(), "BHXH-HN") == office


def test_a_duplicate_unit_code_is_a_clear_error(services: Services) -> None:
    orgs.create_unit(services.uow(), "BTP", "Bộ Tư pháp")

    with pytest.raises(InvalidInput) as err:
        orgs.create_unit(services.uow(), "BTP", "Bộ Tư pháp (2)")

    assert str(err.value) == "code: a unit with code 'BTP' already exists"


def test_re_formed_blocs_keep_past_membership(services: Services) -> None:
    """BHXH Việt Nam merged three blocs into two: 2018 keeps its three, 2019 has two."""
    uow = services.uow()
    u = [orgs.create_unit(uow, f"U{i}", f"Đơn vị {i}") for i in range(9)]
    old = [orgs.create_cluster(uow, f"K{k}", f"Khối {k}", "khoi", 2018, u[3 * k:3 * k + 3])
           for k in range(3)]
    new = [orgs.create_cluster(uow, "K0", "Khối 1", "khoi", 2019, u[:5]),
           orgs.create_cluster(uow, "K1", "Khối 2", "khoi", 2019, u[5:])]

    assert [orgs.get_cluster(uow, c).members for c in old] == [tuple(u[0:3]), tuple(u[3:6]),
                                                             tuple(u[6:9])]
    assert orgs.find_cluster(uow, "K0", 2019).members == tuple(u[:5])
    assert orgs.find_cluster(uow, "K0", 2018).id == old[0]
    assert orgs.get_cluster(uow, new[1]).members == tuple(u[5:])


def test_leader_must_be_a_member(services: Services) -> None:
    uow = services.uow()
    a, b, c = (orgs.create_unit(uow, x, x) for x in "ABC")

    with pytest.raises(InvalidInput) as err:
        orgs.create_cluster(uow, "K", "Khối", "khoi", YEAR, [a, b], leader_unit_id=c)

    assert "leader_unit_id: unit" in str(err.value)


def test_the_head_of_the_leading_unit_leads_that_year_only(services: Services) -> None:
    uow = services.uow()
    a, b, c = (orgs.create_unit(uow, x, x) for x in "ABC")
    k25 = orgs.create_cluster(uow, "K", "Khối", "khoi", 2025, [a, b, c], leader_unit_id=a,
                              deputy_unit_id=b)
    k26 = orgs.create_cluster(uow, "K", "Khối", "khoi", 2026, [a, b, c], leader_unit_id=b,
                              deputy_unit_id=c)
    head_a = people.create_user(uow, "head_a", "Head A")
    people.grant(uow, head_a, "unit_head", unit_id=a, year=2025)
    people.grant(uow, head_a, "unit_head", unit_id=a, year=2026)

    actor = people.actor(uow, head_a)

    assert actor is not None
    assert "cluster_leader" in actor.roles_for(None, k25, 2025)
    assert "cluster_leader" not in actor.roles_for(None, k26, 2026)
    assert actor.roles_for(None, k26, 2026) == set()


def test_rotation_proposes_the_deputy_as_next_leader(services: Services, org: Org) -> None:
    e, clock = services.uow(), services.clock
    a, b, c = org.units["a"], org.units["b"], org.units["c"]
    k = orgs.create_cluster(e, "KR", "Khối R", "khoi", YEAR, [a, b, c], leader_unit_id=a,
                            deputy_unit_id=b, council="Hội đồng TĐKT Trung ương")

    proposal = orgs.propose_rotation(e, clock, k, org.actor("office"))
    next_id = orgs.decide_rotation(e, clock, proposal.id, org.actor("office"), confirm=True)

    assert (proposal.next_year, proposal.leader_unit_id, proposal.deputy_unit_id) == (
        YEAR + 1, b, c)
    assert next_id is not None
    nxt = orgs.get_cluster(e, next_id)
    assert (nxt.year, nxt.leader_unit_id, nxt.deputy_unit_id, nxt.members) == (
        YEAR + 1, b, c, (a, b, c))
    assert orgs.get_cluster(e, k).leader_unit_id == a  # this year is unchanged


def test_rotation_wraps_around_the_member_order(services: Services, org: Org) -> None:
    a, b, c = org.units["a"], org.units["b"], org.units["c"]
    cluster = orgs.Cluster(1, "K", "K", "khoi", YEAR, None, b, c, (a, b, c))

    assert orgs.next_leadership(cluster) == (c, a)


def test_only_the_council_office_confirms_a_rotation(services: Services, org: Org) -> None:
    e, clock = services.uow(), services.clock
    a, b = org.units["a"], org.units["b"]
    k = orgs.create_cluster(e, "KR", "Khối R", "khoi", YEAR, [a, b], leader_unit_id=a,
                            deputy_unit_id=b)
    proposal = orgs.propose_rotation(e, clock, k, org.actor("office"))

    with pytest.raises(PermissionDenied):
        orgs.decide_rotation(e, clock, proposal.id, org.actor("head_a"), confirm=True)
    with pytest.raises(PermissionDenied):
        orgs.propose_rotation(e, clock, k, org.actor("officer_c"))


def test_a_delegate_acts_for_the_head_and_history_shows_both(org: Org) -> None:
    e, clock, wf = org.services.uow(), org.services.clock, org.services.workflows
    item = wf.start("approval", org.actor("officer_c"), unit_id=org.units["c"],
                    cluster_id=org.cluster, year=YEAR)
    people.delegate(e, clock, org.actor("head_c"), org.users["officer_c"],
                    dt.date(2025, 1, 1), dt.date(2025, 1, 31), "Giấy ủy quyền số 12/GUQ")

    agent = people.act_for(e, org.users["officer_c"], org.users["head_c"], dt.date(2025, 1, 6))
    wf.fire(item, "submit", agent, {"title": "Báo cáo"})

    entry = wf.history(item.id)[-1]
    assert (entry["actor"], entry["on_behalf_of"], entry["role"]) == (
        "officer_c", "head_c", "unit_head")


def test_an_expired_or_revoked_delegation_is_refused(org: Org) -> None:
    e, clock = org.services.uow(), org.services.clock
    did = people.delegate(e, clock, org.actor("head_c"), org.users["officer_c"],
                          dt.date(2025, 1, 1), dt.date(2025, 1, 31), "GUQ 12")

    with pytest.raises(PermissionDenied) as expired:
        people.act_for(e, org.users["officer_c"], org.users["head_c"], dt.date(2025, 2, 1))
    people.revoke_delegation(e, clock, did, org.actor("head_c"))
    with pytest.raises(PermissionDenied):
        people.act_for(e, org.users["officer_c"], org.users["head_c"], dt.date(2025, 1, 6))

    assert "no delegation from 'head_c' to 'officer_c' covers 2025-02-01" in str(expired.value)


def test_a_delegate_cannot_delegate_further(org: Org) -> None:
    e, clock = org.services.uow(), org.services.clock
    people.delegate(e, clock, org.actor("head_c"), org.users["officer_c"],
                    dt.date(2025, 1, 1), dt.date(2025, 1, 31), "GUQ 12")
    agent = people.act_for(e, org.users["officer_c"], org.users["head_c"], dt.date(2025, 1, 6))

    with pytest.raises(PermissionDenied) as err:
        people.delegate(e, clock, agent, org.users["officer_b"], dt.date(2025, 1, 6),
                        dt.date(2025, 1, 7), "GUQ 13")

    assert "cannot delegate further" in str(err.value)


def test_a_delegation_needs_a_mandate_and_a_sane_range(org: Org) -> None:
    e, clock = org.services.uow(), org.services.clock
    head = org.actor("head_c")

    with pytest.raises(InvalidInput):
        people.delegate(e, clock, head, org.users["officer_c"], dt.date(2025, 1, 1),
                        dt.date(2025, 1, 31), "  ")
    with pytest.raises(InvalidInput):
        people.delegate(e, clock, head, org.users["officer_c"], dt.date(2025, 2, 1),
                        dt.date(2025, 1, 31), "GUQ")


def test_grants_must_match_the_scope_of_their_role(services: Services) -> None:
    uid = people.create_user(services.uow(), "x", "X")

    with pytest.raises(InvalidInput) as err:
        people.grant(services.uow(), uid, "unit_head", year=YEAR)

    assert str(err.value) == "unit_id: the role unit_head is held for a unit"
