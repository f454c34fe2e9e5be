"""A loaded workflow instance: plain data, small, with no reference to a machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

ACTIVE = "active"
SUSPENDED = "suspended"
CANCELLED = "cancelled"
COMPLETED = "completed"
STATUSES = (ACTIVE, SUSPENDED, CANCELLED, COMPLETED)


class Instance:
    """What is happening to one item: its workflow version, state, scope and data."""

    __slots__ = (
        "id",
        "definition_id",
        "workflow",
        "state",
        "status",
        "version",
        "unit_id",
        "cluster_id",
        "year",
        "parent_id",
        "data",
        "last_hash",
        "entered_at",
    )

    def __init__(
        self,
        id: int,
        definition_id: int,
        workflow: str,
        state: str,
        status: str,
        version: int,
        unit_id: int | None,
        cluster_id: int | None,
        year: int | None,
        parent_id: int | None,
        data: dict[str, Any],
        last_hash: str,
        entered_at: dt.datetime,
    ) -> None:
        self.id = id
        self.definition_id = definition_id
        self.workflow = workflow
        self.state = state
        self.status = status
        self.version = version
        self.unit_id = unit_id
        self.cluster_id = cluster_id
        self.year = year
        self.parent_id = parent_id
        self.data = data
        self.last_hash = last_hash
        self.entered_at = entered_at

    def __repr__(self) -> str:
        return (
            f"<Instance {self.id} {self.workflow}@{self.definition_id} {self.state}"
            f" v{self.version} {self.status}>"
        )
