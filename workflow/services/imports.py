"""Importing units, the year's clusters and people from an .xlsx or CSV file: a dry run that
says every problem by sheet, row and column, then an all-or-nothing commit that updates what
exists (units and clusters by code, people by username) and never duplicates it.

New people get no password: they sign in once an administrator hands them a temporary one
(`people.reset_password`), which they replace at their first sign-in."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.documents import spreadsheets
from workflow.domain import imports as domain
from workflow.domain.imports import Checked, Directory, Plan
from workflow.domain.roles import Actor
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import access, admin_log
from workflow.services.ports import UnitOfWork

STAGING = "imports"  # under the documents folder: uploads waiting for their commit
STAGED_FOR = dt.timedelta(hours=24)


class ImportRejected(InvalidInput):
    """The file has problems: nothing was written."""

    code = "import_has_problems"

    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        super().__init__(f"the file has {len(checked.problems)} problem(s); nothing was "
                         "imported")


@dataclass(frozen=True, slots=True)
class Imported:
    checked: Checked
    new_people: tuple[str, ...]  # usernames created, who need a password handed over


def require_importer(actor: Actor) -> None:
    if not access.may_import_directory(actor):
        raise PermissionDenied("importing units, clusters and people needs the role admin")


def dry_run(uow: UnitOfWork, actor: Actor, filename: str, data: bytes, year: int) -> Checked:
    """Every problem of the file against the directory as it stands; nothing is written."""
    require_importer(actor)
    sheets, problems = spreadsheets.read(filename, data)
    with uow.read():
        known = uow.directory.snapshot(year)
    return domain.check(sheets, known, problems)


def commit(uow: UnitOfWork, actor: Actor, filename: str, data: bytes, year: int) -> Imported:
    """Check the file again inside one transaction and write all of it, or nothing
    (ImportRejected carries the problems)."""
    require_importer(actor)
    sheets, problems = spreadsheets.read(filename, data)
    with uow:
        known = uow.directory.snapshot(year)
        checked = domain.check(sheets, known, problems)
        if not checked.ok:
            raise ImportRejected(checked)
        created = _apply(uow, checked.plan, known, year, actor)
    return Imported(checked, created)


def _apply(
    uow: UnitOfWork, plan: Plan, known: Directory, year: int, actor: Actor
) -> tuple[str, ...]:
    """Write the plan; each creation and change goes into the history of admin changes, as
    if made one by one in the pages (the database's time: one transaction, one moment)."""

    def log(action: str, subject: str, subject_id: int | None, *, user_id: int | None = None,
            before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
        admin_log.record(uow, actor, action, subject, subject_id, user_id=user_id,
                         before=before, after={**(after or {}), "source": "import"})

    unit_ids = {code: u.id for code, u in known.units.items()}
    for row in plan.units:  # parents first
        parent = unit_ids.get(row.parent) if row.parent else None
        old = known.units.get(row.code)
        if old is None:
            unit_ids[row.code] = uow.directory.add_unit(row.code, row.name, parent, row.kind)
            log("unit_created", "unit", unit_ids[row.code], after={
                "code": row.code, "name": row.name, "parent": row.parent or ""})
        elif domain.unit_change(row, known):
            uow.directory.update_unit(old.id, row.name, parent, row.kind or old.kind)
            log("unit_edited", "unit", old.id, after={
                "code": row.code, "name": row.name, "parent": row.parent or ""})
    for cluster in plan.clusters:
        members = [unit_ids[code] for code in cluster.members]
        leader = unit_ids[cluster.leader] if cluster.leader else None
        deputy = unit_ids[cluster.deputy] if cluster.deputy else None
        existing = known.clusters.get(cluster.code)
        values = {"code": cluster.code, "year": year, "name": cluster.name,
                  "members": list(cluster.members), "leader": cluster.leader or "",
                  "deputy": cluster.deputy or ""}
        if existing is None:
            made = uow.organisations.add_cluster(cluster.code, cluster.name, cluster.kind, year,
                                                 members, cluster.council, leader, deputy)
            log("cluster_created", "cluster", made, after=values)
        elif domain.cluster_change(cluster, known):
            uow.directory.update_cluster(existing.id, cluster.name, cluster.kind,
                                         cluster.council, leader, deputy, members)
            log("cluster_edited", "cluster", existing.id, after=values)
    created: list[str] = []
    for person in plan.people:
        found = known.people.get(person.username)
        if found is None:
            user_id = uow.users.add(person.username, person.full_name, person.email)
            held: frozenset[tuple[str, str | None]] = frozenset()
            created.append(person.username)
            log("user_created", "user", user_id, user_id=user_id, after={
                "username": person.username, "full_name": person.full_name,
                "email": person.email or ""})
        else:
            user_id, held = found.id, found.grants
            if (found.full_name, found.email) != (person.full_name,
                                                  person.email or found.email):
                uow.directory.update_person(user_id, person.full_name,
                                            person.email or found.email)
                log("user_edited", "user", user_id, user_id=user_id,
                    before={"full_name": found.full_name, "email": found.email or ""},
                    after={"full_name": person.full_name,
                           "email": person.email or found.email or ""})
        for role, unit in sorted(domain.person_grants(person) - held,
                                 key=lambda g: (g[0], g[1] or "")):
            grant_id = uow.users.add_grant(user_id, role, unit_ids[unit] if unit else None,
                                           None, None)
            log("grant_given", "grant", grant_id, user_id=user_id,
                after={"role": role, "unit": unit, "year": None})
    return tuple(created)


# --- uploads kept between the dry run and the commit (the pages) ------------------------------


@dataclass(frozen=True, slots=True)
class Staged:
    token: str
    filename: str
    data: bytes


def stage(folder: Path, actor: Actor, filename: str, data: bytes, now: dt.datetime) -> str:
    """Keep an uploaded file for its owner's commit; returns its token. Files older than a
    day are removed on the way."""
    require_importer(actor)
    place = folder / STAGING
    place.mkdir(parents=True, exist_ok=True)
    for old in place.iterdir():
        if now.timestamp() - old.stat().st_mtime > STAGED_FOR.total_seconds():
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(18)
    kind = spreadsheets.kind_of(filename) or "bin"
    (place / f"{actor.user_id}-{token}.{kind}").write_bytes(data)
    (place / f"{actor.user_id}-{token}.name").write_text(filename[:200], encoding="utf-8")
    return token


def staged(folder: Path, actor: Actor, token: str) -> Staged:
    """The file the actor staged under the token (NotFound for anyone else's or an expired
    one)."""
    require_importer(actor)
    if not token or not all(c.isalnum() or c in "-_" for c in token) or len(token) > 64:
        raise NotFound("no such uploaded file")
    place = folder / STAGING
    name = place / f"{actor.user_id}-{token}.name"
    if not name.is_file():
        raise NotFound("no such uploaded file")
    filename = name.read_text(encoding="utf-8")
    kind = spreadsheets.kind_of(filename) or "bin"
    return Staged(token, filename, (place / f"{actor.user_id}-{token}.{kind}").read_bytes())


def discard(folder: Path, actor: Actor, token: str) -> None:
    found = staged(folder, actor, token)
    place = folder / STAGING
    kind = spreadsheets.kind_of(found.filename) or "bin"
    for path in (place / f"{actor.user_id}-{token}.name",
                 place / f"{actor.user_id}-{token}.{kind}"):
        path.unlink(missing_ok=True)

