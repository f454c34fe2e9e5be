"""Notices a step sends, declared on its transition in the definition:

    effects:
      - name: notify
        params: {kind: returned, roles: [unit_officer, unit_head]}

Each person holding one of the roles on the item gets the message in the app, and by e-mail
when they have an address, in their language, naming the item ("Giao ước thi đua 2026 – Bộ
Công an") with the step's comment and a link to its page. The messages are written to the
outbox in the step's own transaction: a refused or failed step sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma

from workflow.domain.roles import ROLES
from workflow.engine.registry import CallContext
from workflow.services import naming, templates
from workflow.services.rules.base import YEAR, port


class NotifyParams(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(("returned",)))
    roles = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(tuple(ROLES))),
                           required=True, validate=ma.validate.Length(min=1))


def _by(ctx: CallContext, locale: str) -> str:
    """Who did it, as the recipient reads it: the role they acted in."""
    role = next((r for r in ctx.transition.roles if r in ctx.roles), None)
    info = ROLES.get(role or "")
    if info is None:
        return "người có thẩm quyền" if locale == "vi" else "the reviewer"
    return info.en.lower() if locale == "en" else info.vi.lower()


@YEAR.effect("notify", NotifyParams)
def notify(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Tell the people holding the roles on the item what was done, with the step's comment."""
    queries = port(ctx).engine_queries()
    inst = ctx.instance
    label = queries.unit_label(inst)  # type: ignore[arg-type]
    names = naming.Names({inst.unit_id: label} if inst.unit_id is not None else {},
                         {inst.cluster_id: label} if inst.cluster_id is not None else {})
    link = naming.item_path(ctx.spec.name, inst.id)  # made absolute when it is mailed
    comment = str(ctx.payload.get("comment") or "").strip()
    for row in queries.recipients(inst, set(params["roles"])):  # type: ignore[arg-type]
        user_id, full_name, email, locale, digest = row
        locale = templates.resolve_locale(locale)
        title = naming.item_title(ctx.spec.title, _Item(inst, ctx.spec.name), names, locale)
        subject, body = templates.render(params["kind"], locale, {
            "title": title, "comment": comment or "–", "by": _by(ctx, locale),
            "recipient": full_name})
        for message in templates.message_rows(
                user_id=user_id, email=email, kind=params["kind"], instance_id=inst.id,
                subject=subject, body=body, link=link, now=ctx.now):
            queries.add_message(message)


class _Item:
    """The instance as naming reads it, with its workflow's name."""

    def __init__(self, inst: Any, workflow: str) -> None:
        self.id: int = inst.id
        self.workflow = workflow
        self.unit_id: int | None = inst.unit_id
        self.cluster_id: int | None = inst.cluster_id
        self.year: int | None = inst.year
        self.data: Mapping[str, Any] = inst.data
