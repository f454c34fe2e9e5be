"""A cluster's campaign (phong trào thi đua) before its launch: what the council office plans
(theme, kind, criteria table, the year's dates), the checks of that plan, and the campaign's
title as people name it.

Plain Python: the use cases (workflow/services/campaigns.py) and the launch guard share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from workflow.domain.refusals import Ref, Refusal

# The campaign's dates in the order the year runs (the keys of the campaign's `dates`).
DATE_KEYS = ("pledge_deadline", "six_month_report_due", "inspection_end",
             "scoring_deadline", "year_end_report_due")
# The year-end report may fall due before the scoring deadline (units report while the
# leader verifies), so it is only kept after the dates before scoring.
_UNORDERED_AFTER = {"year_end_report_due": "scoring_deadline"}
KINDS = ("regular", "thematic")  # thường xuyên, chuyên đề
THEME_MAX = 500


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    """What a campaign is launched with, checked."""

    year: int
    kind: str
    theme: str
    criteria_table: str  # the code of a published table; its newest version is pinned at launch
    dates: dict[str, dt.date]

    def data(self) -> dict[str, Any]:
        """The draft campaign's data (the launch copies it and pins the table's version)."""
        return {"theme": self.theme, "kind": self.kind,
                "criteria_table": {"code": self.criteria_table, "version": None},
                "dates": {k: d.isoformat() for k, d in self.dates.items()}}

    def launch_payload(self) -> dict[str, Any]:
        return {"theme": self.theme, "kind": self.kind, "criteria_table": self.criteria_table,
                "dates": {k: d.isoformat() for k, d in self.dates.items()}}


def read_plan(
    form: Mapping[str, Any], year: int, tables: Collection[str],
) -> tuple[CampaignPlan | None, dict[str, Refusal]]:
    """The plan typed in a form (dates as yyyy-mm-dd), or the problems found, one per field
    (`theme`, `kind`, `criteria_table` and each date key)."""
    errors: dict[str, Refusal] = {}
    theme = " ".join(str(form.get("theme") or "").split())
    if not theme:
        errors["theme"] = Refusal("campaign_theme_missing")
    elif len(theme) > THEME_MAX:
        errors["theme"] = Refusal("campaign_theme_too_long", {"max": THEME_MAX})
    kind = str(form.get("kind") or "regular")
    if kind not in KINDS:
        errors["kind"] = Refusal("campaign_kind_invalid", {"kind": kind[:50]})
    table = str(form.get("criteria_table") or "").strip()
    if not table:
        errors["criteria_table"] = Refusal("criteria_table_missing")
    elif table not in tables:
        errors["criteria_table"] = Refusal("criteria_table_unknown", {"table": table[:100]})
    dates = _dates(form.get("dates") or {}, year, errors)
    if errors:
        return None, errors
    return CampaignPlan(year, kind, theme, table, dates), {}


def _dates(raw: Any, year: int, errors: dict[str, Refusal]) -> dict[str, dt.date]:
    found: dict[str, dt.date] = {}
    given = raw if isinstance(raw, Mapping) else {}
    for key in DATE_KEYS:
        text = str(given.get(key) or "").strip()
        if not text:
            errors[key] = Refusal("campaign_date_missing", {"key": Ref("term", key)})
            continue
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            errors[key] = Refusal("campaign_date_invalid",
                                  {"key": Ref("term", key), "value": text[:30]})
            continue
        if day.year != year:
            errors[key] = Refusal("campaign_date_outside_year",
                                  {"key": Ref("term", key), "date": day, "year": str(year)})
            continue
        found[key] = day
    for later, earlier in _pairs():
        if later in found and earlier in found and found[later] < found[earlier]:
            errors.setdefault(later, Refusal("campaign_dates_order", {
                "later": Ref("term", later), "later_date": found[later],
                "earlier": Ref("term", earlier), "earlier_date": found[earlier]}))
    return found


def _pairs() -> list[tuple[str, str]]:
    """(later, earlier) pairs of dates that must keep their order."""
    pairs = []
    for i, later in enumerate(DATE_KEYS):
        limit = _UNORDERED_AFTER.get(later)
        before = DATE_KEYS[:i] if limit is None else DATE_KEYS[:DATE_KEYS.index(limit)]
        pairs += [(later, earlier) for earlier in reversed(before)]
    return pairs


def campaign_title(
    year: int | None, cluster_name: str, kind: str | None = "regular",
    theme: str | None = None, locale: str = "vi",
) -> str:
    """How people name a campaign: "Phong trào thi đua 2026 – <cluster>"; a thematic campaign
    by its theme."""
    if kind == "thematic" and theme:
        return theme
    words = "Emulation campaign" if locale.startswith("en") else "Phong trào thi đua"
    when = f" {year}" if year else ""
    return f"{words}{when} – {cluster_name}" if cluster_name else f"{words}{when}"
