"""Each verified value of the rule sets and holiday files rests on a quoted sentence of its text.

tests/data/legal_quotes.yaml quotes the sentences; here each verified value is checked against
its quote: the citation matches, a share reads as its percentage, a time limit as its number of
working days, a title as the decree names it (or is absent from the decree's list).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from workflow.definitions.calendar_loader import load_calendar_paths
from workflow.definitions.rulesets_loader import load_ruleset_paths
from workflow.domain.rulesets import Sourced, show_share

ROOT = Path(__file__).resolve().parents[2]
BOOK = load_ruleset_paths([ROOT / "definitions" / "rules"], base=ROOT)
CAL = load_calendar_paths([ROOT / "definitions" / "holidays"], base=ROOT)
DATA = yaml.safe_load((ROOT / "tests" / "data" / "legal_quotes.yaml").read_text("utf-8"))
QUOTES: dict[str, dict[str, Any]] = DATA["quotes"]
ENTRIES = {(e["set"], e["path"]): e for e in DATA["values"]}
DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


# how Decree 152/2025 art. 4(4) names each kind of impediment (workflow/domain/impediments.py)
IMPEDIMENT_PHRASES = {
    "discipline": "đang xem xét thi hành kỷ luật",
    "investigation": "điều tra, thanh tra, kiểm tra khi có dấu hiệu vi phạm",
    "complaint": "có đơn thư khiếu nại, tố cáo",
    "press_report": "tiêu cực được báo chí nêu đang được xác minh",
}


def verified_values() -> dict[tuple[str, str], Sourced[Any]]:
    return {(f"{rules.code} v{rules.version}", path): value
            for rules in BOOK.sets for path, value in rules.sourced() if value.verified}


def text(quote: str) -> str:
    return " ".join(QUOTES[quote]["text"].split())


def test_every_verified_value_has_a_quote_and_every_quote_a_verified_value() -> None:
    assert len(ENTRIES) == len(DATA["values"])  # no value quoted twice
    assert sorted(ENTRIES) == sorted(verified_values())
    assert {e["quote"] for e in DATA["values"]} | {h["quote"] for h in DATA["holidays"]} == set(
        QUOTES)


@pytest.mark.parametrize("key", sorted(ENTRIES), ids=lambda k: f"{k[0]}:{k[1]}")
def test_a_verified_value_agrees_with_its_quote(key: tuple[str, str]) -> None:
    entry, value = ENTRIES[key], verified_values()[key]
    quote = QUOTES[entry["quote"]]
    said = text(entry["quote"])

    assert (value.document, value.article, value.clause, value.source) == (
        quote["document"], quote["article"], quote.get("clause", ""), quote["source"])
    assert (entry["expect"] in said) is not entry.get("absent", False), said
    if isinstance(value.value, Fraction):
        assert entry["expect"] == show_share(value.value)
        assert f"{entry['expect']} trở lên tính trên tổng số thành viên" in said
    elif isinstance(value.value, bool):
        assert value.value is not entry.get("absent", False)
    elif isinstance(value.value, Decimal):  # a prize coefficient, "4,5 lần mức lương cơ sở"
        number, _, rest = entry["expect"].partition(" ")
        assert rest == "lần mức lương cơ sở"
        assert Decimal(number.replace(",", ".")) == value.value
    elif key[1] == "award_impediments":  # each kind held back is named by the clause
        for kind in value.value:
            assert IMPEDIMENT_PHRASES[kind] in said, kind
    elif key[1].startswith("base_salary"):  # đồng a month, "2.340.000 đồng/tháng"
        assert entry["expect"] == f"{value.value:,} đồng/tháng".replace(",", ".")
    elif isinstance(value.value, int):
        assert entry["expect"] == f"{value.value:02d} ngày làm việc"
    else:  # the texts a decree puts out of force
        for document in value.value:
            assert document.removeprefix("Nghị định ") in said


def quoted_days(quote: str) -> set[dt.date]:
    return {dt.date(int(y), int(m), int(d)) for d, m, y in DATE.findall(text(quote))}


def test_the_announced_holidays_are_in_their_quotes() -> None:
    for entry in DATA["holidays"]:
        days = quoted_days(entry["quote"])
        document = QUOTES[entry["quote"]]["document"]
        if "worked" in entry:
            day = entry["worked"]
            worked = {w.day: w for w in CAL.years[day.year].worked}
            assert worked[day].verified
            assert document in worked[day].source
            assert day in days
            continue
        first, last = entry.get("from", entry.get("day")), entry.get("to", entry.get("day"))
        held = [h for h in CAL.years[first.year].holidays if first <= h.day <= last]
        assert len(held) == (last - first).days + 1
        assert all(h.verified and document in h.source for h in held)
        weekdays = [h.day for h in held if h.day.weekday() < 5]
        assert {weekdays[0], weekdays[-1]} <= days


def test_every_verified_holiday_is_quoted_or_explained() -> None:
    quoted: set[dt.date] = set()
    for entry in DATA["holidays"]:
        first = entry.get("from", entry.get("day", entry.get("worked")))
        last = entry.get("to", first)
        quoted |= {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}
    explained = {day for gap in DATA["unquoted"] for day in gap.get("days", [])}
    years = {gap["year"] for gap in DATA["unquoted"] if "year" in gap}
    for calendar in CAL.years.values():
        days = [h.day for h in calendar.holidays if h.verified]
        days += [w.day for w in calendar.worked if w.verified]
        for day in days:
            assert day in quoted or day in explained or day.year in years, day
