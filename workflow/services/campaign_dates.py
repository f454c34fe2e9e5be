"""Moving a date of a campaign (e.g. the pledge deadline): the change is recorded in the
campaign's history, and every pending deadline derived from that date moves with it."""

from __future__ import annotations

import datetime as dt

from workflow.domain.roles import Actor
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import deadlines as planning
from workflow.services.rules.base import CAMPAIGN_DATES
from workflow.services.workflows import Step, Workflows


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
        queries = workflows.catalog.uow().in_engine_tx(tx)
        rows = queries.derived_deadlines(inst.id, key)
        moves = planning.moved_rows(rows, new_day, workflows.clock.tz)
        for values in moves:
            queries.move_deadline(values)
    return len(moves)
