"""When a join on child workflows is satisfied: checked by the machine for a transition's
`join`, and by the built-in guard `children_in_state`."""

from __future__ import annotations

from typing import Any

from workflow.domain.refusals import Ref, Refusal, refs


def join_refusal(
    states: list[str], workflow: str, wanted: tuple[str, ...] | list[str], count: Any
) -> Refusal | None:
    """None when enough children are in a wanted state; else how many are, and how many must."""
    live = [s for s in states if s != "__cancelled__"]
    done = sum(1 for s in live if s in wanted)
    need = len(live) if count == "all" else 1 if count == "any" else int(count)
    if live and done >= need:
        return None
    kind = Ref("workflow", workflow)
    if count == "all" and not live:
        return Refusal("children_none", {"workflow": kind})
    params = {"done": done, "total": len(live), "workflow": kind,
              "states": refs("state", list(wanted))}
    if count == "all":
        return Refusal("children_waiting_all", params)
    return Refusal("children_waiting_some", {**params, "need": need})
