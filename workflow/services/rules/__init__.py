"""Guards and effects of the cluster year, named by the shipped definitions.

Importing this package registers them all in `YEAR`; the composition root
(`workflow.bootstrap.default_registry`) adds them to the engine's built-ins.
"""

from __future__ import annotations

from workflow.services.rules import (
    ballots,
    campaign,
    conference,
    dossier,
    inspection,
    notices,
    scoring,
    voting,
)
from workflow.services.rules.base import YEAR

__all__ = ["YEAR", "ballots", "campaign", "conference", "dossier", "inspection", "notices",
           "scoring", "voting"]
