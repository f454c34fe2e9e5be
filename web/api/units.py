"""Organisations in the JSON API: units, the clusters (cụm, khối) of each year and their
members in rotation order. Administrators keep them (as in the admin pages); anyone signed in
reads the units, and a cluster is read by those who take part in it (access policy).
Registered on the API blueprint (web.api imports this module once its own routes are in place)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from web.api import actor, load_json, load_query, operation, page_of, services
from web.api.schemas import MAX_ID, REPLIES, PageQuery, PageSchema, Reply, Text
from workflow.domain.records import ClusterSummary, UnitSummary
from workflow.errors import NotFound, PermissionDenied
from workflow.services import access, organisations

# --- requests ---------------------------------------------------------------------------------

CODE = r"^[A-Za-z0-9_.\-]{1,50}$"


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def _query_id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


class UnitBody(Schema):
    code = Text(required=True, validate=validate.Regexp(CODE),
                metadata={"description": "the unit's short code, unique, e.g. BTP"})
    name = Text(required=True, validate=validate.Length(1, 300), blank=False,
                metadata={"description": "its full name, e.g. Bộ Tư pháp"})
    parent_id = _id(allow_none=True, metadata={"description": "the unit it belongs to"})


class UnitQuery(PageQuery):
    q = Text(validate=validate.Length(max=100),
             metadata={"description": "part of the code or name (case-insensitive)"})
    parent_id = _query_id(metadata={"description": "only the units of this parent"})


class ClusterBody(Schema):
    code = Text(required=True, validate=validate.Regexp(CODE),
                metadata={"description": "short code, unique within the year"})
    name = Text(required=True, validate=validate.Length(1, 300), blank=False)
    kind = Text(required=True, validate=validate.OneOf(sorted(organisations.KINDS)),
                metadata={"description": "cum (cụm thi đua) or khoi (khối thi đua)"})
    year = fields.Integer(strict=True, required=True, validate=validate.Range(2000, 2100))
    members = fields.List(_id(), required=True, validate=validate.Length(1, 500),
                          metadata={"description": "member unit ids in rotation order",
                                    "uniqueItems": True})
    # members both, not one and the same (the use case refuses, with 409: no schema says it)
    leader_unit_id = _id(allow_none=True, metadata={"description": "the leading member"})
    deputy_unit_id = _id(allow_none=True, metadata={"description": "the deputy member"})
    council = Text(allow_none=True, validate=validate.Length(max=300),
                   metadata={"description": "the council (Hội đồng TĐKT) it reports to"})


class ClusterQuery(PageQuery):
    year = fields.Integer(validate=validate.Range(2000, 2100))
    kind = Text(validate=validate.OneOf(sorted(organisations.KINDS)))
    unit_id = _query_id(metadata={"description": "only the clusters this unit is a member of"})
    q = Text(validate=validate.Length(max=100),
             metadata={"description": "part of the code or name (case-insensitive)"})


# --- replies ----------------------------------------------------------------------------------


class UnitSchema(Reply):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    parent_id = fields.Integer(allow_none=True)


class UnitPageSchema(PageSchema):
    items = fields.List(fields.Nested(UnitSchema))


class MemberSchema(Reply):
    unit_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    position = fields.Integer(metadata={"description": "rotation order, from 1"})
    leader = fields.Boolean()
    deputy = fields.Boolean()


class ClusterSchema(Reply):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    kind_label = fields.String(metadata={"description": "cụm thi đua or khối thi đua"})
    year = fields.Integer()
    council = fields.String(allow_none=True)
    leader_unit_id = fields.Integer(allow_none=True)
    deputy_unit_id = fields.Integer(allow_none=True)
    members = fields.List(fields.Nested(MemberSchema))


class ClusterPageSchema(PageSchema):
    items = fields.List(fields.Nested(ClusterSchema))


class MemberListSchema(PageSchema):
    items = fields.List(fields.Nested(MemberSchema))


REPLIES.update({"Unit": UnitSchema, "UnitPage": UnitPageSchema, "Cluster": ClusterSchema,
                "ClusterPage": ClusterPageSchema, "MemberList": MemberListSchema})


# --- helpers ----------------------------------------------------------------------------------


def require_admin(what: str) -> None:
    who = actor()
    if not access.may_administer(who):
        raise PermissionDenied(f"{what} needs the role admin; '{who.username}' does not hold it")


def paged(rows: Sequence[Any], query: Mapping[str, Any]) -> tuple[list[Any], int]:
    start = (query["page"] - 1) * query["per_page"]
    return list(rows[start:start + query["per_page"]]), len(rows)


def unit_reply(u: UnitSummary) -> dict[str, Any]:
    return {"id": u.id, "code": u.code, "name": u.name, "parent_id": u.parent_id}


def members_reply(c: ClusterSummary, units: Mapping[int, UnitSummary]) -> list[dict[str, Any]]:
    return [{"unit_id": u, "code": units[u].code if u in units else "",
             "name": units[u].name if u in units else "", "position": n,
             "leader": u == c.leader_unit_id, "deputy": u == c.deputy_unit_id}
            for n, u in enumerate(c.member_ids, start=1)]


def cluster_reply(c: ClusterSummary, units: Mapping[int, UnitSummary]) -> dict[str, Any]:
    return {"id": c.id, "code": c.code, "name": c.name, "kind": c.kind,
            "kind_label": organisations.KINDS.get(c.kind, c.kind), "year": c.year,
            "council": c.council, "leader_unit_id": c.leader_unit_id,
            "deputy_unit_id": c.deputy_unit_id, "members": members_reply(c, units)}


def units_by_id() -> dict[int, UnitSummary]:
    return {u.id: u for u in services().reads.units()}


def visible_cluster(cluster_id: int) -> ClusterSummary:
    """The cluster, 404 when there is none, 403 unless the caller takes part in it."""
    found = next((c for c in services().reads.clusters() if c.id == cluster_id), None)
    if found is None:
        raise NotFound(f"no cluster with id {cluster_id}")
    who = actor()
    if not (access.may_administer(who)
            or access.may_see_cluster(who, found.id, found.year, found.member_ids)):
        raise PermissionDenied(f"'{who.username}' takes no part in cluster {found.code} "
                               f"{found.year}")
    return found


def _matches(q: str | None, *texts: str) -> bool:
    return not q or any(q.casefold() in t.casefold() for t in texts)


# --- units ------------------------------------------------------------------------------------


@operation("POST", "/v1/units", "Create a unit (đơn vị) (admin)", (201, "Unit"), (400, 403),
           body=UnitBody, tags=("organisations",))
def create_unit() -> ResponseReturnValue:
    require_admin("creating a unit")
    body = load_json(UnitBody)
    unit_id = organisations.create_unit(services().uow(), body["code"], body["name"],
                                        body.get("parent_id"), by=actor(),
                                        at=services().clock.now())
    return unit_reply(units_by_id()[unit_id]), 201


@operation("GET", "/v1/units", "Units by code, filtered by part of their code or name",
           (200, "UnitPage"), (400,), query=UnitQuery, tags=("organisations",))
def list_units() -> ResponseReturnValue:
    query = load_query(UnitQuery)
    rows = [u for u in services().reads.units() if _matches(query.get("q"), u.code, u.name)
            and ("parent_id" not in query or u.parent_id == query["parent_id"])]
    items, total = paged(rows, query)
    return page_of([unit_reply(u) for u in items], total, query)


@operation("GET", "/v1/units/<int:unit_id>", "A unit", (200, "Unit"), (), tags=("organisations",))
def get_unit(unit_id: int) -> ResponseReturnValue:
    found = units_by_id().get(unit_id)
    if found is None:
        raise NotFound(f"no unit with id {unit_id}")
    return unit_reply(found)


# --- clusters ---------------------------------------------------------------------------------


@operation("POST", "/v1/clusters", "Create the cluster (cụm) or bloc (khối) of a year with its "
           "members in rotation order, its leader and deputy (admin)", (201, "Cluster"),
           (400, 403), body=ClusterBody, tags=("organisations",))
def create_cluster() -> ResponseReturnValue:
    require_admin("creating a cluster")
    body = load_json(ClusterBody)
    cluster_id = organisations.create_cluster(
        services().uow(), body["code"], body["name"], body["kind"], body["year"],
        body["members"], council=(body.get("council") or "").strip() or None,
        leader_unit_id=body.get("leader_unit_id"), deputy_unit_id=body.get("deputy_unit_id"),
        by=actor(), at=services().clock.now())
    return cluster_reply(visible_cluster(cluster_id), units_by_id()), 201


@operation("GET", "/v1/clusters", "The clusters the caller takes part in (every one for an "
           "admin), the newest year first", (200, "ClusterPage"), (400,), query=ClusterQuery,
           tags=("organisations",))
def list_clusters() -> ResponseReturnValue:
    query = load_query(ClusterQuery)
    who = actor()
    admin = access.may_administer(who)
    rows = [c for c in services().reads.clusters()
            if (admin or access.may_see_cluster(who, c.id, c.year, c.member_ids))
            and query.get("year", c.year) == c.year and query.get("kind", c.kind) == c.kind
            and ("unit_id" not in query or query["unit_id"] in c.member_ids)
            and _matches(query.get("q"), c.code, c.name)]
    items, total = paged(rows, query)
    units = units_by_id()
    return page_of([cluster_reply(c, units) for c in items], total, query)


@operation("GET", "/v1/clusters/<int:cluster_id>", "A cluster with its members",
           (200, "Cluster"), (403,), tags=("organisations",))
def get_cluster(cluster_id: int) -> ResponseReturnValue:
    return cluster_reply(visible_cluster(cluster_id), units_by_id())


@operation("GET", "/v1/clusters/<int:cluster_id>/members", "A cluster's member units in "
           "rotation order, the leader and deputy marked", (200, "MemberList"), (400, 403),
           query=PageQuery, tags=("organisations",))
def cluster_members(cluster_id: int) -> ResponseReturnValue:
    query = load_query(PageQuery)
    items, total = paged(members_reply(visible_cluster(cluster_id), units_by_id()), query)
    return page_of(items, total, query)
