"""A unit of work in memory, subclassing the port: for the use-case tests that do not test SQL.

Its repositories keep rows in dicts; a transaction that raises puts every dict back as it was
(a copy taken at BEGIN), like a rollback.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workflow.domain.roles import Actor, RoleGrant
from workflow.services.ports import (
    AdminChangeRepository,
    ClusterRecord,
    EngineTxQueries,
    OrganisationRepository,
    Row,
    TokenRepository,
    UnitOfWork,
    UserRepository,
)


@dataclass
class Tables:
    """The fake database: what every unit of work made from it shares."""

    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    grants: list[dict[str, Any]] = field(default_factory=list)
    delegations: dict[int, dict[str, Any]] = field(default_factory=dict)
    units: dict[int, dict[str, Any]] = field(default_factory=dict)
    clusters: dict[int, dict[str, Any]] = field(default_factory=dict)
    rotations: dict[int, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[int, dict[str, Any]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 1
    commits: int = 0

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class FakeUsers(UserRepository):
    def __init__(self, db: Tables) -> None:
        self.db = db

    def id_by_username(self, username: str) -> int | None:
        return next((i for i, u in self.db.users.items() if u["username"] == username), None)

    def username(self, user_id: int) -> str | None:
        user = self.db.users.get(user_id)
        return None if user is None else str(user["username"])

    def is_active(self, user_id: int) -> bool:
        return bool(self.db.users.get(user_id, {}).get("active"))

    def add(self, username: str, full_name: str, email: str | None) -> int:
        uid = self.db.new_id()
        self.db.users[uid] = {"username": username, "full_name": full_name, "email": email,
                              "active": True, "password_hash": None, "session_epoch": 0,
                              "must_change_password": False}
        return uid

    def add_grant(self, user_id: int, role: str, unit_id: int | None, cluster_id: int | None,
                  year: int | None, criteria: Sequence[str] = ()) -> int:
        gid = self.db.new_id()
        self.db.grants.append({"id": gid, "user_id": user_id, "role": role, "unit_id": unit_id,
                               "cluster_id": cluster_id, "year": year,
                               "criteria": ",".join(criteria) or None})
        return gid

    def profile(self, user_id: int) -> Row | None:
        user = self.db.users.get(user_id)
        if user is None:
            return None
        return {"id": user_id, "username": user["username"], "full_name": user["full_name"],
                "email": user["email"], "unit_id": user.get("unit_id"),
                "active": user["active"]}

    def update_profile(self, user_id: int, full_name: str, email: str | None,
                       unit_id: int | None) -> None:
        self.db.users[user_id].update(full_name=full_name, email=email, unit_id=unit_id)

    def grant_row(self, grant_id: int) -> Row | None:
        return next((dict(g) for g in self.db.grants if g.get("id") == grant_id), None)

    def remove_grant(self, grant_id: int) -> None:
        self.db.grants = [g for g in self.db.grants if g.get("id") != grant_id]

    def actor(self, user_id: int) -> Actor | None:
        user = self.db.users.get(user_id)
        if user is None or not user["active"]:
            return None
        grants = [RoleGrant(g["role"], g["unit_id"], g["cluster_id"], g["year"],
                            tuple(c for c in (g.get("criteria") or "").split(",") if c))
                  for g in self.db.grants if g["user_id"] == user_id]
        for head in [g for g in grants if g.role == "unit_head"]:
            for cid, c in self.db.clusters.items():
                if head.year is not None and c["year"] != head.year:
                    continue
                if c["leader_unit_id"] == head.unit_id:
                    grants.append(RoleGrant("cluster_leader", cluster_id=cid, year=c["year"]))
                elif c["deputy_unit_id"] == head.unit_id:
                    grants.append(RoleGrant("cluster_deputy", cluster_id=cid, year=c["year"]))
        return Actor(user_id, user["username"], tuple(dict.fromkeys(grants)),
                     extra={"session_epoch": user["session_epoch"],
                            "full_name": user.get("full_name"),
                            "must_change_password": user["must_change_password"]})

    def credentials(self, username: str) -> tuple[int, str | None, bool] | None:
        uid = self.id_by_username(username)
        if uid is None:
            return None
        user = self.db.users[uid]
        return uid, user["password_hash"], bool(user["active"])

    def set_password_hash(self, user_id: int, password_hash: str, *, must_change: bool,
                          end_sessions: bool) -> bool:
        user = self.db.users.get(user_id)
        if user is None:
            return False
        user.update(password_hash=password_hash, must_change_password=must_change)
        if end_sessions:
            user["session_epoch"] += 1
        return True

    def session_epoch(self, user_id: int) -> int:
        return int(self.db.users.get(user_id, {}).get("session_epoch") or 0)

    def end_sessions(self, user_id: int) -> None:
        if user_id in self.db.users:
            self.db.users[user_id]["session_epoch"] += 1

    def add_delegation(self, from_user_id: int, to_user_id: int, starts_on: dt.date,
                       ends_on: dt.date, mandate: str, created_by: str,
                       created_at: dt.datetime) -> int:
        did = self.db.new_id()
        self.db.delegations[did] = {"from": from_user_id, "to": to_user_id,
                                    "starts_on": starts_on, "ends_on": ends_on,
                                    "mandate": mandate, "revoked_at": None}
        return did

    def delegation_covers(self, principal_id: int, delegate_id: int, on: dt.date) -> bool:
        return any(d["from"] == principal_id and d["to"] == delegate_id
                   and d["revoked_at"] is None and d["starts_on"] <= on <= d["ends_on"]
                   for d in self.db.delegations.values())

    def delegator(self, delegation_id: int) -> int | None:
        found = self.db.delegations.get(delegation_id)
        return None if found is None else int(found["from"])

    def revoke_delegation(self, delegation_id: int, at: dt.datetime) -> None:
        self.db.delegations[delegation_id]["revoked_at"] = at

    def set_active(self, user_id: int, active: bool) -> bool:
        if user_id not in self.db.users:
            return False
        self.db.users[user_id]["active"] = active
        return True


class FakeOrganisations(OrganisationRepository):
    def __init__(self, db: Tables) -> None:
        self.db = db

    def unit_id(self, code: str) -> int | None:
        return next((i for i, u in self.db.units.items() if u["code"] == code), None)

    def unit_exists(self, unit_id: int) -> bool:
        return unit_id in self.db.units

    def known_units(self, ids: Sequence[int]) -> set[int]:
        return {i for i in ids if i in self.db.units}

    def add_unit(self, code: str, name: str, parent_id: int | None) -> int:
        uid = self.db.new_id()
        self.db.units[uid] = {"code": code, "name": name, "parent_id": parent_id}
        return uid

    def unit_name(self, unit_id: int) -> str | None:
        unit = self.db.units.get(unit_id)
        return None if unit is None else str(unit["name"])

    def unit_names(self) -> dict[int, str]:
        return {i: str(u["name"]) for i, u in self.db.units.items()}

    def cluster_exists(self, cluster_id: int) -> bool:
        return cluster_id in self.db.clusters

    def cluster_id(self, code: str, year: int) -> int | None:
        return next((i for i, c in self.db.clusters.items()
                     if c["code"] == code and c["year"] == year), None)

    def cluster(self, cluster_id: int) -> ClusterRecord | None:
        c = self.db.clusters.get(cluster_id)
        if c is None:
            return None
        return ClusterRecord(cluster_id, c["code"], c["name"], c["kind"], c["year"],
                             c["council"], c["leader_unit_id"], c["deputy_unit_id"],
                             tuple(c["members"]))

    def cluster_name(self, cluster_id: int | None) -> str | None:
        c = self.db.clusters.get(cluster_id or 0)
        return None if c is None else str(c["name"])

    def add_cluster(self, code: str, name: str, kind: str, year: int, members: Sequence[int],
                    council: str | None, leader_unit_id: int | None,
                    deputy_unit_id: int | None) -> int:
        cid = self.db.new_id()
        self.db.clusters[cid] = {"code": code, "name": name, "kind": kind, "year": year,
                                 "council": council, "leader_unit_id": leader_unit_id,
                                 "deputy_unit_id": deputy_unit_id, "members": list(members)}
        return cid

    def set_leadership(self, cluster_id: int, leader: int, deputy: int) -> None:
        self.db.clusters[cluster_id].update(leader_unit_id=leader, deputy_unit_id=deputy)

    def cluster_ids_of_year(self, year: int) -> list[int]:
        return sorted((i for i, c in self.db.clusters.items() if c["year"] == year),
                      key=lambda i: str(self.db.clusters[i]["code"]))

    def unit(self, unit_id: int) -> Row | None:
        u = self.db.units.get(unit_id)
        return None if u is None else {"id": unit_id, **u}

    def update_unit(self, unit_id: int, name: str, parent_id: int | None) -> None:
        self.db.units[unit_id].update(name=name, parent_id=parent_id)

    def update_cluster(self, cluster_id: int, name: str, council: str | None,
                       members: Sequence[int], leader_unit_id: int | None,
                       deputy_unit_id: int | None) -> None:
        self.db.clusters[cluster_id].update(
            name=name, council=council, members=list(members), leader_unit_id=leader_unit_id,
            deputy_unit_id=deputy_unit_id)

    def pending_rotation(self, cluster_id: int) -> int | None:
        return next((i for i, r in self.db.rotations.items()
                     if r["cluster_id"] == cluster_id and r["status"] == "proposed"), None)

    def add_rotation(self, cluster_id: int, next_year: int, leader: int, deputy: int,
                     proposed_by: str, at: dt.datetime) -> int:
        rid = self.db.new_id()
        self.db.rotations[rid] = {"id": rid, "cluster_id": cluster_id, "next_year": next_year,
                                  "leader_unit_id": leader, "deputy_unit_id": deputy,
                                  "status": "proposed", "proposed_by": proposed_by}
        return rid

    def rotation(self, proposal_id: int) -> Row | None:
        found = self.db.rotations.get(proposal_id)
        return None if found is None else dict(found)

    def decide_rotation(self, proposal_id: int, status: str, by: str,
                        at: dt.datetime) -> None:
        self.db.rotations[proposal_id].update(status=status, decided_by=by)


class FakeTokens(TokenRepository):
    def __init__(self, db: Tables) -> None:
        self.db = db

    def add(self, user_id: int, name: str, token_hash: str, at: dt.datetime,
            expires_at: dt.datetime | None = None) -> int:
        tid = self.db.new_id()
        self.db.tokens[tid] = {"id": tid, "user_id": user_id, "name": name, "hash": token_hash,
                               "created_at": at, "last_used_at": None, "revoked_at": None,
                               "expires_at": expires_at}
        return tid

    def live(self, token_hash: str, now: dt.datetime
             ) -> tuple[int, int, dt.datetime | None] | None:
        return next(((t["id"], t["user_id"], t["last_used_at"]) for t in self.db.tokens.values()
                     if t["hash"] == token_hash and t["revoked_at"] is None
                     and (t["expires_at"] is None or t["expires_at"] > now)), None)

    def touch(self, token_id: int, at: dt.datetime) -> None:
        self.db.tokens[token_id]["last_used_at"] = at

    def revoked_at(self, token_id: int) -> tuple[bool, dt.datetime | None]:
        found = self.db.tokens.get(token_id)
        return (False, None) if found is None else (True, found["revoked_at"])

    def revoke(self, token_id: int, at: dt.datetime) -> None:
        self.db.tokens[token_id]["revoked_at"] = at

    def of_user(self, user_id: int) -> list[Row]:
        return [dict(t) for _, t in sorted(self.db.tokens.items()) if t["user_id"] == user_id]

    def get(self, token_id: int) -> Row | None:
        found = self.db.tokens.get(token_id)
        return None if found is None else dict(found)

    def every(self) -> list[Row]:
        return [dict(t, username=self.db.users[t["user_id"]]["username"])
                for _, t in sorted(self.db.tokens.items())]


class FakeChanges(AdminChangeRepository):
    def __init__(self, db: Tables) -> None:
        self.db = db

    def add(self, values: Mapping[str, Any]) -> None:
        at = values.get("at") or dt.datetime.now(dt.UTC)  # the database's own time
        self.db.changes.append({"id": len(self.db.changes) + 1, **values, "at": at})

    def page(self, user_id: int | None, limit: int, offset: int) -> tuple[int, list[Row]]:
        found = [c for c in reversed(self.db.changes)
                 if user_id is None or c["user_id"] == user_id]
        names = {i: u for i, u in self.db.users.items()}
        rows = [dict(c, actor_name=names.get(c["actor_id"], {}).get("full_name"),
                     user_name=names.get(c["user_id"], {}).get("full_name"),
                     user_username=names.get(c["user_id"], {}).get("username"))
                for c in found[offset:offset + limit]]
        return len(found), rows


class FakeUnitOfWork(UnitOfWork):
    """People, organisations and tokens in memory; the other repositories are not faked (a
    use case that needs them is tested on a real database)."""

    def __init__(self, db: Tables | None = None) -> None:
        super().__init__()
        self.db = db if db is not None else Tables()
        self._saved: Tables | None = None
        self.users = FakeUsers(self.db)
        self.organisations = FakeOrganisations(self.db)
        self.tokens = FakeTokens(self.db)
        self.changes = FakeChanges(self.db)

    def _begin(self, readonly: bool) -> None:
        self._saved = copy.deepcopy(self.db)

    def _end(self, commit: bool) -> None:
        saved, self._saved = self._saved, None
        if commit:
            self.db.commits += 1
        elif saved is not None:
            self.db.__dict__.update(saved.__dict__)

    def in_engine_tx(self, tx: object) -> EngineTxQueries:
        raise NotImplementedError("the engine's transaction is tested on a real database")
