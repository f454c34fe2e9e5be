"""Users, their role grants, and delegation (ủy quyền): who an actor is and what they hold."""

from __future__ import annotations

import datetime as dt
import functools
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workflow.adapters.db import new_id, read_connection, write_transaction
from workflow.adapters.tables import clusters, delegations, role_assignments, units, users
from workflow.clock import Clock
from workflow.domain import passwords
from workflow.domain.roles import ROLES, Actor, RoleGrant
from workflow.errors import InvalidInput, NotFound, PermissionDenied, WeakPassword

# A unit head of the unit that leads (or is deputy of) a cluster in a year acts as its leader
# (deputy) that year: leadership follows the rotation, not a grant someone must remember.


def create_user(
    engine: Engine, username: str, full_name: str, email: str | None = None
) -> int:
    username = username.strip()
    if not username:
        raise InvalidInput("username: required")
    with write_transaction(engine) as conn:
        if conn.execute(sa.select(users.c.id).where(users.c.username == username)).first():
            raise InvalidInput(f"username: '{username}' is taken")
        return new_id(conn.execute(users.insert().values(
            username=username, full_name=full_name, email=email, active=True)))


def grant(
    engine: Engine, user_id: int, role: str, *, unit_id: int | None = None,
    cluster_id: int | None = None, year: int | None = None,
) -> None:
    """Give a user a role for a unit or a cluster (or everywhere) and a year (or every year)."""
    info = ROLES.get(role)
    if info is None or role == "system":
        raise InvalidInput(f"role: unknown role '{role}'")
    if unit_id is not None and cluster_id is not None:
        raise InvalidInput("a role is held for a unit or for a cluster, not both")
    if info.scope == "unit" and unit_id is None:
        raise InvalidInput(f"unit_id: the role {role} is held for a unit")
    if info.scope == "cluster" and cluster_id is None:
        raise InvalidInput(f"cluster_id: the role {role} is held for a cluster")
    if info.scope == "global" and (unit_id is not None or cluster_id is not None):
        raise InvalidInput(f"the role {role} is not held for one unit or cluster")
    with write_transaction(engine) as conn:
        if unit_id is not None and conn.execute(
                sa.select(units.c.id).where(units.c.id == unit_id)).first() is None:
            raise InvalidInput(f"unit_id: no unit with id {unit_id}")
        if cluster_id is not None and conn.execute(
                sa.select(clusters.c.id).where(clusters.c.id == cluster_id)).first() is None:
            raise InvalidInput(f"cluster_id: no cluster with id {cluster_id}")
        conn.execute(role_assignments.insert().values(
            user_id=user_id, role=role, unit_id=unit_id, cluster_id=cluster_id, year=year))


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


def set_password(engine: Engine, user_id: int, password: str) -> None:
    """Store a password as a salted scrypt hash (never the password itself)."""
    from werkzeug.security import generate_password_hash

    with read_connection(engine) as conn:
        username = conn.execute(sa.select(users.c.username).where(
            users.c.id == user_id)).scalar()
    if username is None:
        raise NotFound(f"no user with id {user_id}")
    check_strength(password, str(username))
    with write_transaction(engine) as conn:
        conn.execute(users.update().where(users.c.id == user_id).values(
            password_hash=generate_password_hash(password, method=PASSWORD_HASH),
            must_change_password=False))


def reset_password(engine: Engine, user_id: int) -> str:
    """An admin's reset: a new random password, returned once to hand over; every session of
    the user ends, and they must choose their own password when they next sign in."""
    from werkzeug.security import generate_password_hash

    words = [secrets.token_hex(2) for _ in range(4)]  # easy to read out: 3f9a-07c2-d1e4-88b0
    temporary = "-".join(words)
    with write_transaction(engine) as conn:
        done = conn.execute(users.update().where(users.c.id == user_id).values(
            password_hash=generate_password_hash(temporary, method=PASSWORD_HASH),
            must_change_password=True, session_epoch=users.c.session_epoch + 1))
    if not done.rowcount:
        raise NotFound(f"no user with id {user_id}")
    return temporary


def check_password(engine: Engine, username: str, password: str) -> int | None:
    """The user's id when the password is right and the account active; None otherwise."""
    from werkzeug.security import check_password_hash

    with read_connection(engine) as conn:
        row = conn.execute(sa.select(users.c.id, users.c.password_hash, users.c.active).where(
            users.c.username == username)).first()
    if row is None or not row.active or not row.password_hash:
        check_password_hash(_dummy_hash(), password)  # as slow as a real check: no hint
        return None                                    # of which usernames exist
    return int(row.id) if check_password_hash(row.password_hash, password) else None


@functools.cache
def _dummy_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_HASH)


def session_epoch(engine: Engine, user_id: int) -> int:
    with read_connection(engine) as conn:
        return int(conn.execute(sa.select(users.c.session_epoch).where(
            users.c.id == user_id)).scalar() or 0)


def end_sessions(engine: Engine, user_id: int) -> None:
    """Sign the user out everywhere: sessions carrying an older epoch no longer count."""
    with write_transaction(engine) as conn:
        conn.execute(users.update().where(users.c.id == user_id).values(
            session_epoch=users.c.session_epoch + 1))


def user_id(engine: Engine, username: str) -> int:
    with read_connection(engine) as conn:
        found = conn.execute(sa.select(users.c.id).where(users.c.username == username)).scalar()
    if found is None:
        raise NotFound(f"no user named '{username}'")
    return int(found)


def actor(engine: Engine, user_id: int) -> Actor | None:
    """The user with every grant they hold, or None for an unknown or inactive user."""
    with read_connection(engine) as conn:
        return _load(conn, user_id)


def actor_by_username(engine: Engine, username: str) -> Actor | None:
    with read_connection(engine) as conn:
        uid = conn.execute(sa.select(users.c.id).where(users.c.username == username)).scalar()
        return _load(conn, int(uid)) if uid is not None else None


_RA = role_assignments.c
_HEAD = role_assignments.alias("head")
# The user and their own grants in one query (a user without grants gives one row of NULLs).
_USER_GRANTS = (
    sa.select(users.c.username, users.c.active, users.c.session_epoch,
              users.c.must_change_password, _RA.role, _RA.unit_id, _RA.cluster_id, _RA.year)
    .outerjoin(role_assignments, _RA.user_id == users.c.id)
    .where(users.c.id == sa.bindparam("uid"))
)
# Leadership that follows from heading the leading or deputy unit of a cluster that year.
_DERIVED = (
    sa.select(clusters.c.id, clusters.c.year,
              sa.case((clusters.c.leader_unit_id == _HEAD.c.unit_id, "cluster_leader"),
                      else_="cluster_deputy"))
    .join(_HEAD, sa.and_(_HEAD.c.year == clusters.c.year, sa.or_(
        clusters.c.leader_unit_id == _HEAD.c.unit_id,
        clusters.c.deputy_unit_id == _HEAD.c.unit_id)))
    .where(_HEAD.c.user_id == sa.bindparam("uid"), _HEAD.c.role == "unit_head")
)


def _load(conn: Connection, user_id: int) -> Actor | None:
    rows = conn.execute(_USER_GRANTS, {"uid": user_id}).all()
    if not rows or not rows[0].active:
        return None
    grants = [RoleGrant(r.role, r.unit_id, r.cluster_id, r.year) for r in rows if r.role]
    if any(g.role == "unit_head" for g in grants):
        grants += [RoleGrant(role, cluster_id=c, year=y)
                   for c, y, role in conn.execute(_DERIVED, {"uid": user_id})]
    return Actor(user_id, rows[0].username, tuple(dict.fromkeys(grants)),
                 extra={"session_epoch": int(rows[0].session_epoch or 0),
                        "must_change_password": bool(rows[0].must_change_password)})


def units_of(actor: Actor) -> set[int]:
    """The units the actor belongs to (holds a unit role for)."""
    return {g.unit_id for g in actor.grants if g.unit_id is not None}


# --- delegation ------------------------------------------------------------------------------


def delegate(
    engine: Engine, clock: Clock, by: Actor, to_user_id: int, starts_on: dt.date,
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
    with write_transaction(engine) as conn:
        if not conn.execute(sa.select(users.c.id).where(users.c.id == to_user_id,
                                                        users.c.active)).first():
            raise InvalidInput(f"to_user_id: no active user with id {to_user_id}")
        return new_id(conn.execute(delegations.insert().values(
            from_user_id=by.user_id, to_user_id=to_user_id, starts_on=starts_on,
            ends_on=ends_on, mandate=mandate, created_by=by.username, created_at=clock.now())))


def act_for(engine: Engine, delegate_id: int, principal_id: int, on: dt.date) -> Actor:
    """The delegate, holding the principal's grants, if a mandate covers the date.

    Every history entry made so shows both names (actor and on_behalf_of).
    """
    d = delegations.c
    with read_connection(engine) as conn:
        row = conn.execute(sa.select(d.id).where(
            d.from_user_id == principal_id, d.to_user_id == delegate_id, d.revoked_at.is_(None),
            d.starts_on <= on, d.ends_on >= on)).first()
        principal = _load(conn, principal_id)
        agent = _load(conn, delegate_id)
    if principal is None or agent is None:
        raise NotFound("no such active user")
    if row is None:
        raise PermissionDenied(
            f"no delegation from '{principal.username}' to '{agent.username}' covers {on}")
    return Actor(agent.user_id, agent.username, principal.grants,
                 on_behalf_of=principal.username)


def revoke_delegation(engine: Engine, clock: Clock, delegation_id: int, by: Actor) -> None:
    with write_transaction(engine) as conn:
        row = conn.execute(sa.select(delegations).where(
            delegations.c.id == delegation_id)).first()
        if row is None:
            raise NotFound(f"no delegation {delegation_id}")
        if row.from_user_id != by.user_id and not by.has_global_role("admin"):
            raise PermissionDenied("only the delegating user or an admin revokes a delegation")
        conn.execute(delegations.update().where(delegations.c.id == delegation_id).values(
            revoked_at=clock.now()))


def unit_name(engine: Engine, unit_id: int) -> str:
    with read_connection(engine) as conn:
        name = conn.execute(sa.select(units.c.name).where(units.c.id == unit_id)).scalar()
    if name is None:
        raise NotFound(f"no unit with id {unit_id}")
    return str(name)


def set_active(engine: Engine, user_id: int, active: bool) -> None:
    """Open or close an account: a closed one cannot sign in (NotFound when there is none)."""
    with write_transaction(engine) as conn:
        done = conn.execute(users.update().where(users.c.id == user_id).values(active=active))
    if not done.rowcount:
        raise NotFound(f"no user with id {user_id}")
