"""Moving a date of a campaign (e.g. the pledge deadline): the change is recorded in the
campaign's history, and every pending deadline derived from that date moves with it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from workflow.adapters.tables import deadlines, instances
from workflow.domain.roles import Actor
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import deadlines as planning
from workflow.services.rules.base import CAMPAIGN_DATES
from workflow.services.workflows import Step, Workflows

_D = deadlines.c


def move_campaign_date(
    workflows: Workflows, campaign_id: int, key: str, new_day: dt.date, actor: Actor,
    reason: str,
) -> int:
    """Set a campaign date; returns how many pending deadline rows moved."""
    if key not in CAMPAIGN_DATES:
        raise InvalidInput(f"key: '{key}' is not a campaign date ({', '.join(CAMPAIGN_DATES)})")
    if not reason.strip():
        raise InvalidInput("reason: say why the date moves")
    with workflows.store.write() as tx:
        inst = tx.load_instance(campaign_id, lock=True)
        if inst is None or inst.workflow != "campaign":
            raise NotFound(f"no campaign with id {campaign_id}")
        held = actor.roles_for(inst.unit_id, inst.cluster_id, inst.year)
        role = next((r for r in ("council_secretariat", "admin") if r in held), None)
        if role is None:
            raise PermissionDenied("moving a campaign date is for the council office or an admin")
        dates = dict(inst.data.get("dates") or {})
        old = dates.get(key)
        dates[key] = new_day.isoformat()
        inst.data = {**inst.data, "dates": dates}
        wf = workflows.catalog.compiled(inst.definition_id)
        step = Step("edit", inst.state, None, role, reason.strip(),
                    {"dates": {key: [old, new_day.isoformat()]}})
        workflows.record_step(tx, wf, inst, inst.version, actor, step, workflows.clock.now())
        select = tx.cache.get("derived_deadlines", lambda: sa.select(
            _D.id, _D.kind, _D.days_before, _D.anchor).where(
            _D.status == "pending", _D.anchor.like(sa.bindparam("anchor")),
            _D.instance_id.in_(sa.select(instances.c.id).where(sa.or_(
                instances.c.id == sa.bindparam("b_campaign"),
                instances.c.parent_id == sa.bindparam("b_campaign"))))))
        rows = tx.fetchall(select, {"anchor": f"campaign_date:{key}:%", "b_campaign": inst.id})
        update = tx.cache.get("move_deadline", lambda: deadlines.update().where(
            _D.id == sa.bindparam("b_id")).values(due_date=sa.bindparam("due_date"),
                                                  fire_at=sa.bindparam("fire_at")))
        moves = planning.moved_rows([(r[0], r[1], r[2], r[3]) for r in rows], new_day,
                                    workflows.clock.tz)
        for values in moves:
            tx.execute(update, values)
    return len(moves)
