"""People in the JSON API: accounts, the roles granted to them and their API tokens.
Administrators create people and grant roles (as in the admin pages); each user keeps their own
tokens and administrators anyone's (access policy). A token is shown once, when created.
Registered on the API blueprint (web.api imports this module once its own routes are in place)."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from web.api import actor, iso, load_json, load_query, operation, page_of, services
from web.api.schemas import MAX_ID, REPLIES, PageQuery, PageSchema, Reply, Text
from web.api.units import paged, require_admin
from workflow.domain.records import UserSummary
from workflow.domain.roles import ROLES, SYSTEM_ROLE
from workflow.errors import NotFound, PermissionDenied
from workflow.services import access, api_tokens, people

GRANTABLE = sorted(r for r in ROLES if r != SYSTEM_ROLE)


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


# --- requests ---------------------------------------------------------------------------------


# The addresses validate.Email takes, or fewer (format: email allows some it refuses, e.g. a
# one-letter top-level domain)
EMAIL = (r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
         r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,6}$")


class PersonBody(Schema):
    username = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.@\-]{1,100}$"),
                    metadata={"description": "the sign-in name"})
    full_name = Text(required=True, validate=validate.Length(1, 200))
    email = Text(allow_none=True, validate=[validate.Length(max=200), validate.Email()],
                 metadata={"pattern": EMAIL, "description": "an email address"})
    password = Text(validate=validate.Length(max=200), metadata={
        "description": "a password to sign in to the pages (checked for strength); without "
                       "one the person cannot sign in until an admin resets it"})


class PeopleQuery(PageQuery):
    q = Text(validate=validate.Length(max=100),
             metadata={"description": "part of the username or full name"})
    role = Text(validate=validate.OneOf(GRANTABLE), metadata={"description": "holding this role"})
    active = fields.Boolean(metadata={"description": "active (true) or deactivated (false)"})


CRITERION_CODE = r"^[a-z][a-z0-9_]{0,31}$"  # as workflow.services.people checks it


class GrantBody(Schema):
    role = Text(required=True, validate=validate.OneOf(GRANTABLE))
    unit_id = _id(allow_none=True, metadata={"description": "for a unit's role"})
    cluster_id = _id(allow_none=True, metadata={"description": "for a cluster's role"})
    year = fields.Integer(strict=True, allow_none=True, validate=validate.Range(2000, 2100),
                          metadata={"description": "the year it is held for; none: every year"})
    criteria = fields.List(Text(validate=validate.Regexp(CRITERION_CODE)), load_default=list,
                           validate=validate.Length(max=12), metadata={
                               "description": "the criteria codes a professional department "
                                              "(department) gives the figures of"})


class TokenBody(Schema):
    name = Text(required=True, validate=validate.Length(1, 100),
                metadata={"description": "what the token is for, e.g. the client using it"})
    expires_on = fields.Date(load_default=None, metadata={
        "description": "its last day (local date, at most two years ahead); none: until revoked"})


# --- replies ----------------------------------------------------------------------------------


class PersonGrantSchema(Reply):
    OPTIONAL = ("criteria",)  # only on a professional department's role
    role = fields.String()
    role_label = fields.String(metadata={"description": "the role's name, in Vietnamese"})
    unit = fields.String(allow_none=True, metadata={"description": "the unit's code"})
    cluster = fields.String(allow_none=True, metadata={"description": "the cluster's code"})
    year = fields.Integer(allow_none=True)
    criteria = fields.List(fields.String(), metadata={
        "description": "the criteria codes a professional department's role is held for "
                       "(only on such a role)"})


class PersonSchema(Reply):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    active = fields.Boolean()
    roles = fields.List(fields.Nested(PersonGrantSchema))


class PersonPageSchema(PageSchema):
    items = fields.List(fields.Nested(PersonSchema))


class TokenSchema(Reply):
    id = fields.Integer()
    name = fields.String()
    created_at = fields.String(metadata={"format": "date-time"})
    last_used_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    revoked_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    expires_at = fields.String(allow_none=True, metadata={
        "format": "date-time", "description": "when it stops working; none: until revoked"})


class TokenListSchema(PageSchema):
    items = fields.List(fields.Nested(TokenSchema))


class TokenQuery(PageQuery):
    revoked = fields.Boolean(metadata={"description": "revoked (true) or live (false) only"})


class NewTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "the token itself, shown this once only"})


REPLIES.update({"Person": PersonSchema, "PersonPage": PersonPageSchema, "Token": TokenSchema,
                "TokenList": TokenListSchema, "NewToken": NewTokenSchema})


# --- helpers ----------------------------------------------------------------------------------


def everyone() -> list[UserSummary]:
    return list(services().reads.users_page(1, 1_000_000).users)


def person_reply(u: UserSummary) -> dict[str, Any]:
    return {"id": u.id, "username": u.username, "full_name": u.full_name, "email": u.email,
            "active": u.active, "roles": [{
                "role": g.role, "role_label": ROLES[g.role].vi if g.role in ROLES else g.role,
                "unit": g.unit, "cluster": g.cluster, "year": g.year,
                **({"criteria": list(g.criteria)} if g.criteria else {})} for g in u.grants]}


def person(user_id: int) -> UserSummary:
    found = next((u for u in everyone() if u.id == user_id), None)
    if found is None:
        raise NotFound(f"no user with id {user_id}")
    return found


def require_tokens_of(user_id: int) -> None:
    who = actor()
    if not access.may_manage_tokens(who, user_id):
        raise PermissionDenied(f"'{who.username}' keeps only their own API tokens; an admin "
                               "keeps anyone's")
    if user_id > MAX_ID or services().reads.username(user_id) is None:
        raise NotFound(f"no user with id {user_id}")


def token_reply(t: api_tokens.TokenInfo) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "created_at": iso(t.created_at),
            "last_used_at": iso(t.last_used_at), "revoked_at": iso(t.revoked_at),
            "expires_at": iso(t.expires_at)}


# --- people and roles -------------------------------------------------------------------------


@operation("POST", "/v1/people", "Create a person's account (admin)", (201, "Person"),
           (400, 403), body=PersonBody, tags=("people",))
def create_person() -> ResponseReturnValue:
    require_admin("creating a person")
    body = load_json(PersonBody)
    password = body.get("password")
    if password:
        people.check_strength(password, body["username"])  # before anyone is created
    uow = services().uow()
    user_id = people.create_user(uow, body["username"], body["full_name"].strip(),
                                 body.get("email") or None, by=actor(),
                                 at=services().clock.now())
    if password:
        people.set_password(uow, user_id, password)
    return person_reply(person(user_id)), 201


@operation("GET", "/v1/people", "People by username with their roles, filtered (admin)",
           (200, "PersonPage"), (400, 403), query=PeopleQuery, tags=("people",))
def list_people() -> ResponseReturnValue:
    require_admin("listing people")
    query = load_query(PeopleQuery)
    q = (query.get("q") or "").casefold()
    rows = [u for u in everyone()
            if (not q or q in u.username.casefold() or q in u.full_name.casefold())
            and ("role" not in query or any(g.role == query["role"] for g in u.grants))
            and query.get("active", u.active) == u.active]
    items, total = paged(rows, query)
    return page_of([person_reply(u) for u in items], total, query)


@operation("GET", "/v1/people/<int:user_id>", "A person and their roles (themself, or admin)",
           (200, "Person"), (403,), tags=("people",))
def get_person(user_id: int) -> ResponseReturnValue:
    who = actor()
    if who.user_id != user_id and not access.may_administer(who):
        raise PermissionDenied(f"'{who.username}' reads only their own account; an admin "
                               "reads anyone's")
    return person_reply(person(user_id))


@operation("POST", "/v1/people/<int:user_id>/roles", "Grant a role for a unit, a cluster or "
           "everywhere, for a year or every year (admin)", (201, "Person"), (400, 403),
           body=GrantBody, tags=("people",))
def grant_role(user_id: int) -> ResponseReturnValue:
    require_admin("granting a role")
    body = load_json(GrantBody)
    person(user_id)
    people.grant(services().uow(), user_id, body["role"], unit_id=body.get("unit_id"),
                 cluster_id=body.get("cluster_id"), year=body.get("year"), by=actor(),
                 at=services().clock.now(), criteria=body.get("criteria") or ())
    return person_reply(person(user_id)), 201


# --- tokens -----------------------------------------------------------------------------------


@operation("GET", "/v1/people/<int:user_id>/tokens", "A person's API tokens, oldest first, "
           "revoked ones included (never the tokens themselves)", (200, "TokenList"),
           (400, 403), query=TokenQuery, tags=("people",))
def list_tokens(user_id: int) -> ResponseReturnValue:
    query = load_query(TokenQuery)
    require_tokens_of(user_id)
    rows = [t for t in api_tokens.tokens_of(services().uow(), user_id)
            if query.get("revoked", t.revoked_at is not None) == (t.revoked_at is not None)]
    items, total = paged(rows, query)
    return page_of([token_reply(t) for t in items], total, query)


@operation("POST", "/v1/people/<int:user_id>/tokens", "Create an API token; the token is in "
           "this answer only", (201, "NewToken"), (400, 403), body=TokenBody, tags=("people",))
def create_token(user_id: int) -> ResponseReturnValue:
    require_tokens_of(user_id)
    body = load_json(TokenBody)
    svc = services()
    secret = api_tokens.create_token(svc.uow(), svc.clock, user_id, body["name"],
                                     expires_on=body["expires_on"], by=actor())
    made = api_tokens.tokens_of(svc.uow(), user_id)[-1]
    return {**token_reply(made), "token": secret}, 201


@operation("DELETE", "/v1/people/<int:user_id>/tokens/<int:token_id>", "Revoke an API token "
           "for good", (200, "Token"), (403,), tags=("people",))
def revoke_token(user_id: int, token_id: int) -> ResponseReturnValue:
    require_tokens_of(user_id)
    svc = services()
    if not any(t.id == token_id for t in api_tokens.tokens_of(svc.uow(), user_id)):
        raise NotFound(f"no API token with id {token_id} for user {user_id}")
    api_tokens.revoke(svc.uow(), svc.clock, token_id, owner=user_id, by=actor())
    return token_reply(next(t for t in api_tokens.tokens_of(svc.uow(), user_id)
                            if t.id == token_id))
