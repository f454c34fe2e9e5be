"""The rules of people, organisations and API tokens, on the in-memory unit of work (no
database: the SQL behind these repositories is tested in tests/integration)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fakes import FakeUnitOfWork
from workflow.clock import FakeClock
from workflow.errors import InvalidInput, NotFound, PermissionDenied, WeakPassword
from workflow.services import api_tokens, people
from workflow.services import organisations as orgs

NOW = dt.datetime(2025, 1, 6, 2, 0, tzinfo=dt.UTC)
PASSWORD = "ngựa ô lên dốc 2026"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(people, "PASSWORD_HASH", "scrypt:1024:8:1")


def test_a_username_is_taken_once(uow: FakeUnitOfWork) -> None:
    people.create_user(uow, "an", "Nguyễn An")

    with pytest.raises(InvalidInput, match="taken"):
        people.create_user(uow, " an ", "Another An")
    assert people.user_id(uow, "an") == 1


def test_a_unit_role_needs_a_unit_that_exists(uow: FakeUnitOfWork) -> None:
    user = people.create_user(uow, "an", "An")

    with pytest.raises(InvalidInput, match="held for a unit"):
        people.grant(uow, user, "unit_head")
    with pytest.raises(InvalidInput, match="no unit with id 99"):
        people.grant(uow, user, "unit_head", unit_id=99)
    assert people.actor(uow, user).grants == ()  # type: ignore[union-attr]


def test_a_failed_use_case_writes_nothing(uow: FakeUnitOfWork) -> None:
    unit = orgs.create_unit(uow, "A", "Đơn vị A")

    with pytest.raises(InvalidInput, match="listed twice"):
        orgs.create_cluster(uow, "K", "Khối", "khoi", 2025, [unit, unit])
    with pytest.raises(InvalidInput, match="no unit with id 42"):
        orgs.create_cluster(uow, "K", "Khối", "khoi", 2025, [unit, 42])
    assert uow.db.clusters == {}
    assert not uow.active


def test_a_weak_password_is_refused_and_a_good_one_signs_in(uow: FakeUnitOfWork) -> None:
    user = people.create_user(uow, "an", "An")

    with pytest.raises(WeakPassword):
        people.set_password(uow, user, "12345678")
    people.set_password(uow, user, PASSWORD)

    assert people.check_password(uow, "an", PASSWORD) == user
    assert people.check_password(uow, "an", "wrong password 123") is None
    assert people.check_password(uow, "nobody", PASSWORD) is None


def test_a_reset_ends_every_session_and_asks_for_a_new_password(uow: FakeUnitOfWork) -> None:
    user = people.create_user(uow, "an", "An")
    before = people.session_epoch(uow, user)

    temporary = people.reset_password(uow, user)

    assert people.check_password(uow, "an", temporary) == user
    assert people.session_epoch(uow, user) == before + 1
    assert people.actor(uow, user).extra["must_change_password"]  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        people.reset_password(uow, 999)


def test_a_delegate_acts_with_the_principals_grants_within_the_dates(
    uow: FakeUnitOfWork,
) -> None:
    clock = FakeClock(NOW)
    unit = orgs.create_unit(uow, "A", "Đơn vị A")
    head = people.create_user(uow, "head", "Thủ trưởng")
    officer = people.create_user(uow, "officer", "Cán bộ")
    people.grant(uow, head, "unit_head", unit_id=unit, year=2025)
    principal = people.actor(uow, head)
    assert principal is not None
    did = people.delegate(uow, clock, principal, officer, dt.date(2025, 1, 1),
                          dt.date(2025, 1, 31), "Quyết định 12/QĐ")

    agent = people.act_for(uow, officer, head, dt.date(2025, 1, 6))

    assert (agent.username, agent.on_behalf_of, agent.grants) == (
        "officer", "head", principal.grants)
    with pytest.raises(PermissionDenied):
        people.act_for(uow, officer, head, dt.date(2025, 2, 1))
    with pytest.raises(PermissionDenied, match="cannot delegate further"):
        people.delegate(uow, clock, agent, head, dt.date(2025, 1, 1), dt.date(2025, 1, 2), "x")
    people.revoke_delegation(uow, clock, did, principal)
    with pytest.raises(PermissionDenied):
        people.act_for(uow, officer, head, dt.date(2025, 1, 6))


def test_the_deputy_leads_next_year_once_the_council_confirms(uow: FakeUnitOfWork) -> None:
    clock = FakeClock(NOW)
    a, b, c = (orgs.create_unit(uow, x, x) for x in "ABC")
    k = orgs.create_cluster(uow, "KR", "Khối R", "khoi", 2025, [a, b, c], leader_unit_id=a,
                            deputy_unit_id=b)
    office = people.create_user(uow, "office", "Văn phòng")
    people.grant(uow, office, "council_secretariat", year=2025)
    head_a = people.create_user(uow, "head_a", "Head A")
    people.grant(uow, head_a, "unit_head", unit_id=a, year=2025)
    leader = people.actor(uow, head_a)
    secretariat = people.actor(uow, office)
    assert leader is not None
    assert secretariat is not None

    proposal = orgs.propose_rotation(uow, clock, k, leader)
    with pytest.raises(InvalidInput, match="already proposed"):
        orgs.propose_rotation(uow, clock, k, leader)
    with pytest.raises(PermissionDenied):
        orgs.decide_rotation(uow, clock, proposal.id, leader, confirm=True)
    next_id = orgs.decide_rotation(uow, clock, proposal.id, secretariat, confirm=True)

    assert next_id is not None
    nxt = orgs.get_cluster(uow, next_id)
    assert (nxt.year, nxt.leader_unit_id, nxt.deputy_unit_id, nxt.members) == (
        2026, b, c, (a, b, c))
    assert orgs.get_cluster(uow, k).leader_unit_id == a


def test_a_token_works_until_revoked_and_is_kept_only_as_its_hash(
    uow: FakeUnitOfWork,
) -> None:
    clock = FakeClock(NOW)
    user = people.create_user(uow, "client", "API client")

    token = api_tokens.create_token(uow, clock, user, "báo cáo")

    assert api_tokens.authenticate(uow, clock, token) == user
    assert token not in repr(uow.db.tokens)
    [info] = api_tokens.tokens_of(uow, user)
    assert info.last_used_at == NOW
    api_tokens.revoke(uow, clock, info.id)
    assert api_tokens.authenticate(uow, clock, token) is None
    with pytest.raises(NotFound):
        api_tokens.revoke(uow, clock, 999)
    with pytest.raises(InvalidInput, match="no active user"):
        api_tokens.create_token(uow, clock, 999, "x")


def test_a_write_cannot_join_a_read_only_unit_of_work(uow: FakeUnitOfWork) -> None:
    with uow.read(), pytest.raises(RuntimeError, match="read-only"):
        people.create_user(uow, "an", "An")
    assert uow.db.users == {}
