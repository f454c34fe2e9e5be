"""A supervision note's rule on its own: its day in the cluster's year and not after today, what
was found written, texts of a bounded length."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.services.rules.supervision import TEXT_LENGTH, note_refusal

TODAY = dt.date(2025, 7, 21)


def _code(note: object, year: int | None = 2025) -> str | None:
    refusal = note_refusal(note, year, TODAY)
    return refusal.code if refusal is not None else None


def test_a_whole_note_passes() -> None:
    assert _code({"date": "2025-07-21", "content": "Đúng kế hoạch", "recommendations": ""}) \
        is None


@pytest.mark.parametrize(("note", "code"), [
    ("not a mapping", "supervision_note_content_missing"),
    ({"date": "21/07/2025", "content": "x"}, "supervision_note_date_invalid"),
    ({"date": "2024-07-21", "content": "x"}, "supervision_note_date_invalid"),
    ({"date": "2025-07-22", "content": "x"}, "supervision_note_date_future"),
    ({"date": "2025-07-20", "content": "   "}, "supervision_note_content_missing"),
    ({"date": "2025-07-20", "content": "x" * (TEXT_LENGTH + 1)}, "supervision_note_too_long"),
    ({"date": "2025-07-20", "content": "x", "recommendations": "y" * (TEXT_LENGTH + 1)},
     "supervision_note_too_long"),
])
def test_what_is_wrong_is_named(note: object, code: str) -> None:
    assert _code(note) == code
