"""The administration's rules on the in-memory unit of work: every change leaves one entry in
the history of admin changes (with the change, or not at all), edits record only what changed,
grants held until revoked, token expiries, next year's clusters by rotation."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fakes import FakeUnitOfWork
from workflow.clock import FakeClock
from workflow.domain.roles import Actor, RoleGrant
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import admin_log, api_tokens, people
from workflow.services import organisations as orgs

NOW = dt.datetime(2025, 1, 6, 2, 0, tzinfo=dt.UTC)
ADMIN = Actor(99, "quan_tri", (RoleGrant("admin"),))
OFFICE = Actor(98, "vu_tdkt", (RoleGrant("council_secretariat", year=2025),))
UNIT = Actor(97, "can_bo", (RoleGrant("unit_officer", unit_id=1, year=2025),))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def actions(uow: FakeUnitOfWork) -> list[tuple[str | None, str]]:
    return [(c["actor"], c["action"]) for c in uow.db.changes]


def test_each_admin_change_is_recorded_with_who_and_what(uow: FakeUnitOfWork) -> None:
    unit = orgs.create_unit(uow, "BTP", "Bộ Tư pháp", by=ADMIN, at=NOW)
    user = people.create_user(uow, "an", "Nguyễn An", "an@btp.gov.vn", unit_id=unit, by=ADMIN)
    grant = people.grant(uow, user, "unit_officer", unit_id=unit, by=ADMIN)
    people.set_active(uow, user, False, by=ADMIN)
    people.set_active(uow, user, False, by=ADMIN)  # already closed: nothing to record
    people.revoke_grant(uow, grant, by=ADMIN)

    assert actions(uow) == [("quan_tri", "unit_created"), ("quan_tri", "user_created"),
                            ("quan_tri", "grant_given"), ("quan_tri", "user_deactivated"),
                            ("quan_tri", "grant_revoked")]
    given = uow.db.changes[2]
    assert given["after"] == {"role": "unit_officer", "unit": "BTP – Bộ Tư pháp",
                              "cluster": None, "year": None}
    assert given["user_id"] == user
    assert uow.db.changes[0]["at"] == NOW
    assert uow.db.changes[-1]["before"] == given["after"]


def test_a_refused_change_records_nothing(uow: FakeUnitOfWork) -> None:
    people.create_user(uow, "an", "An")
    before = list(uow.db.changes)

    with pytest.raises(InvalidInput):
        people.create_user(uow, "an", "An again", by=ADMIN)
    with pytest.raises(InvalidInput):
        people.grant(uow, 1, "unit_officer", unit_id=42, by=ADMIN)

    assert uow.db.changes == before


def test_an_edit_records_only_what_changed(uow: FakeUnitOfWork) -> None:
    unit = orgs.create_unit(uow, "BCA", "Bộ Công an")
    user = people.create_user(uow, "an", "Nguyễn An", "an@old.vn")

    changed = people.edit_user(uow, user, "Nguyễn Văn An", "an@old.vn", unit, by=ADMIN)
    same = people.edit_user(uow, user, " Nguyễn Văn An ", "an@old.vn", unit, by=ADMIN)

    assert changed
    assert not same
    [edit] = [c for c in uow.db.changes if c["action"] == "user_edited"]
    assert edit["before"] == {"full_name": "Nguyễn An", "unit": None}
    assert edit["after"] == {"full_name": "Nguyễn Văn An", "unit": "BCA – Bộ Công an"}
    assert people.profile(uow, user).unit_id == unit


@pytest.mark.parametrize(("name", "email", "unit", "message"), [
    ("", None, None, "full_name: required"),
    ("An", "not-an-address", None, "is not an e-mail address"),
    ("An", None, 777, "no unit with id 777"),
])
def test_an_edit_is_checked(uow: FakeUnitOfWork, name: str, email: str | None,
                            unit: int | None, message: str) -> None:
    user = people.create_user(uow, "an", "An")

    with pytest.raises(InvalidInput, match=message):
        people.edit_user(uow, user, name, email, unit, by=ADMIN)


def test_a_grant_is_revoked_only_for_its_owner_and_never_ones_own_admin(
    uow: FakeUnitOfWork,
) -> None:
    me = people.create_user(uow, "quan_tri", "Quản trị")
    mine = people.grant(uow, me, "admin")
    other = people.create_user(uow, "an", "An")
    by = Actor(me, "quan_tri", (RoleGrant("admin"),))

    with pytest.raises(NotFound):
        people.revoke_grant(uow, mine, user_id=other, by=by)
    with pytest.raises(InvalidInput, match="own admin role"):
        people.revoke_grant(uow, mine, by=by)
    people.revoke_grant(uow, mine, by=ADMIN)  # another administrator can

    assert people.actor(uow, me) is not None
    assert people.actor(uow, me).grants == ()  # type: ignore[union-attr]


def test_a_role_until_revoked_covers_every_year(uow: FakeUnitOfWork) -> None:
    unit = orgs.create_unit(uow, "BTP", "Bộ Tư pháp")
    deputy = orgs.create_unit(uow, "LANG", "Ban Quản lý Lăng")
    orgs.create_cluster(uow, "KNC", "Khối Nội chính", "khoi", 2026, [deputy, unit],
                        leader_unit_id=unit, deputy_unit_id=deputy)
    user = people.create_user(uow, "an", "An")
    people.grant(uow, user, "unit_head", unit_id=unit)  # no year: until revoked

    actor = people.actor(uow, user)

    assert actor is not None
    assert "unit_head" in actor.roles_for(unit, None, 2025)
    assert "unit_head" in actor.roles_for(unit, None, 2026)
    assert any(g.role == "cluster_leader" and g.year == 2026 for g in actor.grants)


def test_a_token_expires_at_the_end_of_its_last_local_day(uow: FakeUnitOfWork) -> None:
    clock = FakeClock(NOW)
    user = people.create_user(uow, "an", "An")
    token = api_tokens.create_token(uow, clock, user, "CI", expires_on=dt.date(2025, 1, 10),
                                    by=ADMIN)
    [info] = api_tokens.tokens_of(uow, user)

    clock.set(dt.datetime(2025, 1, 10, 16, 59, tzinfo=dt.UTC))  # 23:59 in Hà Nội
    last_minute = api_tokens.authenticate(uow, clock, token)
    clock.set(dt.datetime(2025, 1, 10, 17, 0, tzinfo=dt.UTC))  # midnight there
    after = api_tokens.authenticate(uow, clock, token)

    assert last_minute == user
    assert after is None
    assert info.expires_at == dt.datetime(2025, 1, 10, 17, 0, tzinfo=dt.UTC)
    assert info.state(clock.now()) == "expired"
    assert uow.db.changes[-1]["after"] == {"name": "CI", "expires_on": "2025-01-10"}


def test_a_token_expiry_is_today_to_two_years_ahead(uow: FakeUnitOfWork) -> None:
    clock = FakeClock(NOW)
    user = people.create_user(uow, "an", "An")

    with pytest.raises(InvalidInput, match="already past"):
        api_tokens.create_token(uow, clock, user, "x", expires_on=dt.date(2025, 1, 5))
    with pytest.raises(InvalidInput, match="at most 730 days"):
        api_tokens.create_token(uow, clock, user, "x", expires_on=dt.date(2027, 1, 7))
    assert api_tokens.create_token(uow, clock, user, "x", expires_on=dt.date(2025, 1, 6))


def test_a_person_revokes_only_their_own_token(uow: FakeUnitOfWork) -> None:
    clock = FakeClock(NOW)
    mine = people.create_user(uow, "an", "An")
    theirs = people.create_user(uow, "binh", "Bình")
    api_tokens.create_token(uow, clock, theirs, "của Bình")
    [token] = api_tokens.tokens_of(uow, theirs)

    with pytest.raises(NotFound):
        api_tokens.revoke(uow, clock, token.id, owner=mine)
    assert api_tokens.revoke(uow, clock, token.id, owner=theirs)
    assert not api_tokens.revoke(uow, clock, token.id, owner=theirs)  # once is enough
    assert [a for _, a in actions(uow)].count("token_revoked") == 1


def test_the_history_pages_newest_first_and_by_person(uow: FakeUnitOfWork) -> None:
    users = [people.create_user(uow, f"u{n}", f"Người {n}", by=ADMIN) for n in range(5)]
    people.set_active(uow, users[2], False, by=ADMIN)

    page = admin_log.changes(uow, number=1, per=2)
    last = admin_log.changes(uow, number=9, per=2)
    one = admin_log.changes(uow, user_id=users[2])

    assert (page.total, page.pages) == (6, 3)
    assert [c.action for c in page.changes] == ["user_deactivated", "user_created"]
    assert last.number == 3
    assert [c.action for c in one.changes] == ["user_deactivated", "user_created"]
    assert one.changes[0].user_name == "Người 2"


# --- clusters ----------------------------------------------------------------------------------


def _bloc(uow: FakeUnitOfWork) -> tuple[list[int], int]:
    u = [orgs.create_unit(uow, code, f"Đơn vị {code}") for code in ("D", "A", "C", "B")]
    cluster = orgs.create_cluster(uow, "K1", "Khối 1", "khoi", 2025, u,
                                  leader_unit_id=u[0], deputy_unit_id=u[1])
    return u, cluster


def test_members_keep_the_order_given(uow: FakeUnitOfWork) -> None:
    u, cluster = _bloc(uow)

    assert orgs.get_cluster(uow, cluster).members == tuple(u)


def test_next_year_keeps_the_members_and_rotates_the_leadership(uow: FakeUnitOfWork) -> None:
    u, _ = _bloc(uow)

    [proposal] = orgs.propose_next_year(uow, 2025)

    assert proposal.members == tuple(u)
    assert (proposal.leader_unit_id, proposal.deputy_unit_id) == (u[1], u[2])
    assert not proposal.exists


def test_next_year_is_confirmed_all_or_nothing_by_the_council_office(
    uow: FakeUnitOfWork,
) -> None:
    u, _ = _bloc(uow)
    orgs.create_cluster(uow, "K2", "Khối 2", "khoi", 2025, [u[3]])
    good, lonely = orgs.propose_next_year(uow, 2025)
    broken = orgs.NextYearCluster("K2", "Khối 2", "khoi", None, (u[3],), u[0], None)

    with pytest.raises(PermissionDenied):
        orgs.confirm_next_year(uow, 2025, [good], by=UNIT)
    with pytest.raises(InvalidInput, match="not a member"):
        orgs.confirm_next_year(uow, 2025, [good, broken], by=OFFICE)
    assert orgs.propose_next_year(uow, 2026) == []  # nothing was created

    created = orgs.confirm_next_year(uow, 2025, [good, lonely], by=OFFICE)

    assert len(created) == 2
    assert orgs.find_cluster(uow, "K1", 2026).leader_unit_id == u[1]
    assert lonely.leader_unit_id is None  # one member: no rotation, the office chooses
    assert [p.exists for p in orgs.propose_next_year(uow, 2025)] == [True, True]
    with pytest.raises(InvalidInput, match="already exists"):
        orgs.confirm_next_year(uow, 2025, [good], by=OFFICE)


def test_a_cluster_edit_records_the_new_order(uow: FakeUnitOfWork) -> None:
    u, cluster = _bloc(uow)

    orgs.edit_cluster(uow, cluster, "Khối 1", list(reversed(u)), leader_unit_id=u[3],
                      deputy_unit_id=u[2], by=ADMIN)

    assert orgs.get_cluster(uow, cluster).members == tuple(reversed(u))
    edit = uow.db.changes[-1]
    assert edit["action"] == "cluster_edited"
    assert edit["after"]["members"] == ["B – Đơn vị B", "C – Đơn vị C", "A – Đơn vị A",
                                        "D – Đơn vị D"]
