"""Users, their role grants, and delegation (ủy quyền): who an actor is and what they hold."""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from workflow.clock import Clock
from workflow.domain import passwords
from workflow.domain.roles import DEPARTMENT_ROLE, ROLES, SUPERVISOR_ROLE, Actor
from workflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied, WeakPassword
from workflow.services import admin_log
from workflow.services.ports import UnitOfWork

# A unit head of the unit that leads (or is deputy of) a cluster in a year acts as its leader
# (deputy) that year: leadership follows the rotation, not a grant someone must remember
# (the users repository derives those grants).


def create_user(
    uow: UnitOfWork, username: str, full_name: str, email: str | None = None, *,
    unit_id: int | None = None, by: Actor | None = None, at: dt.datetime | None = None,
) -> int:
    """A new account (without a password: set one, or let its owner reset it); `by` is the
    administrator making it, kept in the history of admin changes with `at`."""
    username = username.strip()
    if not username:
        raise InvalidInput("username: required")
    with uow:
        if uow.users.id_by_username(username) is not None:
            raise Conflict(f"username: '{username}' is taken")
        if unit_id is not None and not uow.organisations.unit_exists(unit_id):
            raise Conflict(f"unit_id: no unit with id {unit_id}")
        user_id = uow.users.add(username, full_name, email)
        if unit_id is not None:
            uow.users.update_profile(user_id, full_name, email, unit_id)
        admin_log.record(uow, by, "user_created", "user", user_id, user_id=user_id, at=at,
                         after=_profile_values(uow, username, full_name, email, unit_id))
        return user_id


def _profile_values(uow: UnitOfWork, username: str, full_name: str, email: str | None,
                    unit_id: int | None) -> dict[str, object]:
    return {"username": username, "full_name": full_name, "email": email,
            "unit": _unit_label(uow, unit_id)}


def _unit_label(uow: UnitOfWork, unit_id: int | None) -> str | None:
    """A unit as people name it ("BTP – Bộ Tư pháp"), kept in the history as it was then."""
    if unit_id is None:
        return None
    row = uow.organisations.unit(unit_id)
    return None if row is None else f"{row['code']} – {row['name']}"


def _grant_values(uow: UnitOfWork, role: str, unit_id: int | None, cluster_id: int | None,
                  year: int | None) -> dict[str, object]:
    cluster = None
    if cluster_id is not None:
        record = uow.organisations.cluster(cluster_id)
        cluster = None if record is None else f"{record.code} {record.year} – {record.name}"
    return {"role": role, "unit": _unit_label(uow, unit_id), "cluster": cluster, "year": year}


@dataclass(frozen=True, slots=True)
class Profile:
    id: int
    username: str
    full_name: str
    email: str | None
    unit_id: int | None
    active: bool


def profile(uow: UnitOfWork, user_id: int) -> Profile:
    with uow.read():
        row = uow.users.profile(user_id)
    if row is None:
        raise NotFound(f"no user with id {user_id}")
    return Profile(int(row["id"]), row["username"], row["full_name"], row["email"],
                   row["unit_id"], bool(row["active"]))


def edit_user(
    uow: UnitOfWork, user_id: int, full_name: str, email: str | None, unit_id: int | None, *,
    by: Actor | None = None, at: dt.datetime | None = None,
) -> bool:
    """Change a person's name, e-mail address and unit; False when nothing changed."""
    full_name, email = full_name.strip(), (email or "").strip() or None
    if not full_name:
        raise InvalidInput("full_name: required")
    if len(full_name) > 200:
        raise InvalidInput("full_name: at most 200 characters")
    if email is not None and ("@" not in email or len(email) > 200):
        raise InvalidInput(f"email: '{email}' is not an e-mail address")
    with uow:
        row = uow.users.profile(user_id)
        if row is None:
            raise NotFound(f"no user with id {user_id}")
        if unit_id is not None and not uow.organisations.unit_exists(unit_id):
            raise Conflict(f"unit_id: no unit with id {unit_id}")
        before = _profile_values(uow, row["username"], row["full_name"], row["email"],
                                 row["unit_id"])
        after = _profile_values(uow, row["username"], full_name, email, unit_id)
        changed = {k for k in before if before[k] != after[k]}
        if not changed:
            return False
        uow.users.update_profile(user_id, full_name, email, unit_id)
        admin_log.record(uow, by, "user_edited", "user", user_id, user_id=user_id, at=at,
                         before={k: before[k] for k in sorted(changed)},
                         after={k: after[k] for k in sorted(changed)})
        return True


def grant(
    uow: UnitOfWork, user_id: int, role: str, *, unit_id: int | None = None,
    cluster_id: int | None = None, year: int | None = None, by: Actor | None = None,
    at: dt.datetime | None = None, criteria: Sequence[str] = (),
) -> int:
    """Give a user a role for a unit or a cluster (or everywhere), for one year or until it is
    revoked (`year` None: it keeps working from one year to the next). A professional
    department's grant names the criteria of the cluster's table it gives the figures of."""
    criteria = _grant_criteria(role, criteria)
    info = ROLES.get(role)
    if info is None or role == "system":
        raise InvalidInput(f"role: unknown role '{role}'")
    if unit_id is not None and cluster_id is not None:
        raise Conflict("a role is held for a unit or for a cluster, not both")
    if info.scope == "unit" and unit_id is None:
        raise Conflict(f"unit_id: the role {role} is held for a unit")
    if info.scope == "cluster" and cluster_id is None:
        raise Conflict(f"cluster_id: the role {role} is held for a cluster")
    if info.scope == "global" and (unit_id is not None or cluster_id is not None):
        raise Conflict(f"the role {role} is not held for one unit or cluster")
    if role == SUPERVISOR_ROLE and year is None:
        raise Conflict(f"year: the role {role} is held for one year")
    with uow:
        if unit_id is not None and not uow.organisations.unit_exists(unit_id):
            raise Conflict(f"unit_id: no unit with id {unit_id}")
        if cluster_id is not None and not uow.organisations.cluster_exists(cluster_id):
            raise Conflict(f"cluster_id: no cluster with id {cluster_id}")
        if uow.users.username(user_id) is None:
            raise NotFound(f"no user with id {user_id}")
        grant_id = uow.users.add_grant(user_id, role, unit_id, cluster_id, year, criteria)
        after = _grant_values(uow, role, unit_id, cluster_id, year)
        if criteria:
            after["criteria"] = list(criteria)
        admin_log.record(uow, by, "grant_given", "grant", grant_id, user_id=user_id, at=at,
                         after=after)
        return grant_id


_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}\Z")
MAX_GRANT_CRITERIA = 12  # they are kept in one column of 400 characters


def _grant_criteria(role: str, criteria: Sequence[str]) -> tuple[str, ...]:
    """The criteria of a department's grant, checked: one at least, codes of the tables; no
    other role takes any."""
    codes = tuple(dict.fromkeys(c.strip() for c in criteria if c.strip()))
    if role != DEPARTMENT_ROLE:
        if codes:
            raise Conflict(f"criteria: only the role {DEPARTMENT_ROLE} is held for criteria")
        return ()
    if not codes:
        raise Conflict("criteria: choose the criteria the department gives the figures of")
    if len(codes) > MAX_GRANT_CRITERIA:
        raise Conflict(f"criteria: at most {MAX_GRANT_CRITERIA} criteria in one grant")
    for code in codes:
        if not _CODE.match(code):
            raise Conflict(f"criteria: '{code[:40]}' is not a criterion code")
    return codes


def revoke_grant(
    uow: UnitOfWork, grant_id: int, *, user_id: int | None = None, by: Actor | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Take a role back (of `user_id` when given: a grant of someone else is not found)."""
    with uow:
        row = uow.users.grant_row(grant_id)
        if row is None or (user_id is not None and row["user_id"] != user_id):
            raise NotFound(f"no role grant {grant_id}")
        if by is not None and row["user_id"] == by.user_id and row["role"] == "admin" \
                and row["unit_id"] is None and row["cluster_id"] is None:
            raise InvalidInput("role: an administrator cannot revoke their own admin role")
        before = _grant_values(uow, row["role"], row["unit_id"], row["cluster_id"],
                               row["year"])
        uow.users.remove_grant(grant_id)
        admin_log.record(uow, by, "grant_revoked", "grant", grant_id,
                         user_id=int(row["user_id"]), at=at, before=before)


MIN_PASSWORD = passwords.MIN_LENGTH
# werkzeug's scrypt at its default cost (N=2**15, r=8, p=1): about 0.15 s a hash here, which is
# the point. The stored hash carries its parameters, so a check uses the cost it was made with.
PASSWORD_HASH = "scrypt"
_WEAK = {
    "too_short": "at least {min} characters",
    "only_spaces": "not only spaces",
    "too_few_characters": "at least {min} different characters",
    "common": "one of the passwords tried first by anyone guessing",
    "sequence": "a run of the keyboard or the alphabet",
    "has_username": "it contains the username",
}


def check_strength(password: str, username: str = "") -> None:
    """Raise WeakPassword (a code and its values) when the password is too easy to guess."""
    found = passwords.weakness(password, username)
    if found is not None:
        raise WeakPassword(found.code, found.params,
                           "password: " + _WEAK[found.code].format(**found.params))


def set_password(uow: UnitOfWork, user_id: int, password: str) -> None:
    """Store a password as a salted scrypt hash (never the password itself)."""
    from werkzeug.security import generate_password_hash

    with uow.read():
        username = uow.users.username(user_id)
    if username is None:
        raise NotFound(f"no user with id {user_id}")
    check_strength(password, username)
    with uow:
        uow.users.set_password_hash(
            user_id, generate_password_hash(password, method=PASSWORD_HASH),
            must_change=False, end_sessions=False)


def create_admin(
    uow: UnitOfWork, username: str, full_name: str, password: str, *, email: str | None = None
) -> int:
    """An administrator with a password of their own (the first one of an empty installation):
    the password is checked before anyone is created, so a weak one leaves nothing behind."""
    username, full_name = username.strip(), full_name.strip()
    if not full_name:
        raise InvalidInput("full_name: required")
    check_strength(password, username)
    user_id = create_user(uow, username, full_name, email)
    grant(uow, user_id, "admin")
    set_password(uow, user_id, password)
    return user_id


def reset_password(uow: UnitOfWork, user_id: int) -> str:
    """An admin's reset: a new random password, returned once to hand over; every session of
    the user ends, and they must choose their own password when they next sign in."""
    from werkzeug.security import generate_password_hash

    words = [secrets.token_hex(2) for _ in range(4)]  # easy to read out: 3f9a-07c2-d1e4-88b0
    temporary = "-".join(words)
    with uow:
        done = uow.users.set_password_hash(
            user_id, generate_password_hash(temporary, method=PASSWORD_HASH),
            must_change=True, end_sessions=True)
    if not done:
        raise NotFound(f"no user with id {user_id}")
    return temporary


def check_password(uow: UnitOfWork, username: str, password: str) -> int | None:
    """The user's id when the password is right and the account active; None otherwise."""
    from werkzeug.security import check_password_hash

    with uow.read():
        row = uow.users.credentials(username)
    if row is None or not row[2] or not row[1]:
        check_password_hash(_dummy_hash(), password)  # as slow as a real check: no hint
        return None                                    # of which usernames exist
    return row[0] if check_password_hash(row[1], password) else None


@functools.cache
def _dummy_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_HASH)


def session_epoch(uow: UnitOfWork, user_id: int) -> int:
    with uow.read():
        return uow.users.session_epoch(user_id)


def end_sessions(uow: UnitOfWork, user_id: int) -> None:
    """Sign the user out everywhere: sessions carrying an older epoch no longer count."""
    with uow:
        uow.users.end_sessions(user_id)


def user_id(uow: UnitOfWork, username: str) -> int:
    with uow.read():
        found = uow.users.id_by_username(username)
    if found is None:
        raise NotFound(f"no user named '{username}'")
    return found


def actor(uow: UnitOfWork, user_id: int) -> Actor | None:
    """The user with every grant they hold, or None for an unknown or inactive user."""
    with uow.read():
        return uow.users.actor(user_id)


def actor_by_username(uow: UnitOfWork, username: str) -> Actor | None:
    with uow.read():
        uid = uow.users.id_by_username(username)
        return uow.users.actor(uid) if uid is not None else None


def units_of(actor: Actor) -> set[int]:
    """The units the actor belongs to (holds a unit role for)."""
    return {g.unit_id for g in actor.grants if g.unit_id is not None}


# --- delegation ------------------------------------------------------------------------------


def delegate(
    uow: UnitOfWork, clock: Clock, by: Actor, to_user_id: int, starts_on: dt.date,
    ends_on: dt.date, mandate: str,
) -> int:
    """Let another user act for `by` between two dates, under a recorded mandate."""
    if by.on_behalf_of is not None:
        raise PermissionDenied(
            f"'{by.username}' acts for '{by.on_behalf_of}' and cannot delegate further")
    if by.user_id is None:
        raise PermissionDenied("only a person can delegate")
    if to_user_id == by.user_id:
        raise InvalidInput("to_user_id: nobody delegates to themselves")
    if ends_on < starts_on:
        raise InvalidInput(f"ends_on: {ends_on} is before starts_on {starts_on}")
    mandate = mandate.strip()
    if not mandate:
        raise InvalidInput("mandate: name the document that grants the delegation")
    with uow:
        if not uow.users.is_active(to_user_id):
            raise InvalidInput(f"to_user_id: no active user with id {to_user_id}")
        return uow.users.add_delegation(by.user_id, to_user_id, starts_on, ends_on, mandate,
                                        by.username, clock.now())


def act_for(uow: UnitOfWork, delegate_id: int, principal_id: int, on: dt.date) -> Actor:
    """The delegate, holding the principal's grants, if a mandate covers the date.

    Every history entry made so shows both names (actor and on_behalf_of).
    """
    with uow.read():
        covered = uow.users.delegation_covers(principal_id, delegate_id, on)
        principal = uow.users.actor(principal_id)
        agent = uow.users.actor(delegate_id)
    if principal is None or agent is None:
        raise NotFound("no such active user")
    if not covered:
        raise PermissionDenied(
            f"no delegation from '{principal.username}' to '{agent.username}' covers {on}")
    return Actor(agent.user_id, agent.username, principal.grants,
                 on_behalf_of=principal.username)


def revoke_delegation(uow: UnitOfWork, clock: Clock, delegation_id: int, by: Actor) -> None:
    with uow:
        delegator = uow.users.delegator(delegation_id)
        if delegator is None:
            raise NotFound(f"no delegation {delegation_id}")
        if delegator != by.user_id and not by.has_global_role("admin"):
            raise PermissionDenied("only the delegating user or an admin revokes a delegation")
        uow.users.revoke_delegation(delegation_id, clock.now())


def unit_name(uow: UnitOfWork, unit_id: int) -> str:
    with uow.read():
        name = uow.organisations.unit_name(unit_id)
    if name is None:
        raise NotFound(f"no unit with id {unit_id}")
    return name


def set_active(uow: UnitOfWork, user_id: int, active: bool, *, by: Actor | None = None,
               at: dt.datetime | None = None) -> None:
    """Open or close an account: a closed one cannot sign in (NotFound when there is none)."""
    with uow:
        row = uow.users.profile(user_id)
        if row is None or not uow.users.set_active(user_id, active):
            raise NotFound(f"no user with id {user_id}")
        if bool(row["active"]) != active:
            admin_log.record(uow, by, "user_reactivated" if active else "user_deactivated",
                             "user", user_id, user_id=user_id, at=at,
                             before={"active": bool(row["active"])}, after={"active": active})
