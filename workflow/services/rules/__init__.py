"""Guards and effects of the cluster year, named by the shipped definitions."""

from __future__ import annotations

from workflow.engine.registry import Registry, default_registry
from workflow.services.rules import campaign, dossier, inspection, scoring, voting
from workflow.services.rules.base import YEAR

__all__ = ["registry", "campaign", "dossier", "inspection", "scoring", "voting"]


def registry() -> Registry:
    """Every guard and effect a definition may name: the engine's built-ins and the year's."""
    full = default_registry()
    full.guards.update(YEAR.guards)
    full.effects.update(YEAR.effects)
    return full
