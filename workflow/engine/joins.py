"""When a join on child workflows is satisfied: checked by the machine for a transition's
`join`, and by the built-in guard `children_in_state`."""

from __future__ import annotations

from typing import Any


def join_reason(
    states: list[str], workflow: str, wanted: tuple[str, ...] | list[str], count: Any
) -> str | None:
    """None when enough children are in a wanted state; else a sentence that says how many are."""
    live = [s for s in states if s != "__cancelled__"]
    done = sum(1 for s in live if s in wanted)
    need = len(live) if count == "all" else 1 if count == "any" else int(count)
    if live and done >= need:
        return None
    if count == "all" and not live:
        return f"there are no {workflow} items yet"
    target = "all" if count == "all" else f"at least {need}"
    return f"{done} of {len(live)} {workflow} items are {'/'.join(wanted)}; {target} must be"
