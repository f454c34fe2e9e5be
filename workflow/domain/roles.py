"""Roles and the grants that give them to a user for a unit or cluster and a year."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Scope = Literal["unit", "cluster", "global"]


@dataclass(frozen=True, slots=True)
class RoleInfo:
    name: str
    vi: str
    en: str
    scope: Scope  # what a grant of this role is held for


_ROLES = (
    RoleInfo("admin", "Quản trị hệ thống", "System administrator", "global"),
    RoleInfo(
        "council_secretariat", "Cơ quan thường trực Hội đồng TĐKT", "Council office", "global"
    ),
    RoleInfo("council_member", "Thành viên Hội đồng TĐKT", "Council member", "global"),
    RoleInfo("council_chair", "Chủ tịch Hội đồng TĐKT", "Council chair", "global"),
    RoleInfo(
        "decision_authority", "Người có thẩm quyền quyết định", "Decision authority", "global"
    ),
    RoleInfo("cluster_leader", "Trưởng cụm/khối", "Cluster leader", "cluster"),
    RoleInfo("cluster_deputy", "Phó cụm/khối", "Cluster deputy", "cluster"),
    RoleInfo("unit_officer", "Cán bộ thi đua đơn vị", "Unit emulation officer", "unit"),
    RoleInfo("unit_head", "Thủ trưởng đơn vị", "Unit head", "unit"),
    RoleInfo("inspector", "Thành viên đoàn kiểm tra", "Inspector", "cluster"),
    # a council member the council office assigns to supervise one cluster for one year: reads
    # the cluster's items that year, is invited to its conferences, writes supervision notes
    RoleInfo("cluster_supervisor", "Thành viên Hội đồng phụ trách cụm/khối",
             "Council member supervising a cluster", "cluster"),
    # a professional department (cơ quan, đơn vị chuyên môn) providing the actual figures of
    # some criteria of a cluster's table for a year; its grant names those criteria
    RoleInfo("department", "Cơ quan, đơn vị chuyên môn", "Professional department", "cluster"),
    RoleInfo("system", "Hệ thống", "System", "global"),
)

ROLES: dict[str, RoleInfo] = {r.name: r for r in _ROLES}

SYSTEM_ROLE = "system"
INSPECTOR_ROLE = "inspector"  # held for a cluster; counts on the inspections of its team
SUPERVISOR_ROLE = "cluster_supervisor"  # held for a cluster and one year: reads, never acts
DEPARTMENT_ROLE = "department"  # held for a cluster, a year and some criteria of its table


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """A role held for one unit or one cluster (or everywhere) in one year (or every year)."""

    role: str
    unit_id: int | None = None
    cluster_id: int | None = None
    year: int | None = None
    criteria: tuple[str, ...] = ()  # the criteria codes a department's grant is held for

    def covers(self, unit_id: int | None, cluster_id: int | None, year: int | None) -> bool:
        """Whether this grant applies to an item of that unit, cluster and year."""
        if self.year is not None and self.year != year:
            return False
        if self.unit_id is not None:
            return self.unit_id == unit_id
        if self.cluster_id is not None:
            return self.cluster_id == cluster_id
        return True

    def describe(self) -> str:
        where = (
            f"unit {self.unit_id}"
            if self.unit_id is not None
            else f"cluster {self.cluster_id}"
            if self.cluster_id is not None
            else "everywhere"
        )
        when = f" in {self.year}" if self.year is not None else ""
        which = f" (criteria {', '.join(self.criteria)})" if self.criteria else ""
        return f"{self.role} for {where}{when}{which}"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who fires a transition, with the grants loaded once for the request."""

    user_id: int | None
    username: str
    grants: tuple[RoleGrant, ...] = ()
    on_behalf_of: str | None = None  # the delegating user's name, when acting under a mandate
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def roles_for(self, unit_id: int | None, cluster_id: int | None, year: int | None) -> set[str]:
        """The roles this actor holds for an item of that unit, cluster and year."""
        return {g.role for g in self.grants if g.covers(unit_id, cluster_id, year)}

    def has_global_role(self, role: str) -> bool:
        return any(
            g.role == role and g.unit_id is None and g.cluster_id is None for g in self.grants
        )


SYSTEM_ACTOR = Actor(user_id=None, username="system", grants=(RoleGrant(SYSTEM_ROLE),))
