"""Guards and effects of the cluster year, named by the shipped definitions.

Importing this package registers them all in `YEAR`; the composition root
(`workflow.bootstrap.default_registry`) adds them to the engine's built-ins.
"""

from __future__ import annotations

from workflow.services.rules import (
    ballots,
    campaign,
    conference,
    department,
    dossier,
    exemplary,
    impediments,
    inspection,
    notices,
    scoring,
    supervision,
    voting,
)
from workflow.services.rules.base import YEAR

__all__ = ["YEAR", "ballots", "campaign", "conference", "department", "dossier", "exemplary",
           "impediments", "inspection", "notices", "scoring", "supervision", "voting"]
