"""Decree 152/2025 art. 4: among equally qualified candidates, women and collectives with at
least 70% women come first. The engine does not know a unit's share of women, so where a vote
breaks a tie (a runoff, or the final score rank) the result recalls the priority."""

from __future__ import annotations

from tests.conftest import ROOT
from workflow.definitions.rulesets_loader import load_ruleset_paths
from workflow.domain.vote_text import Sentence, render_all
from workflow.domain.voting import TitleResult
from workflow.services.rules.voting import _as_data

BOOK = load_ruleset_paths([ROOT / "definitions" / "rules"], base=ROOT)
FLAG = "co_thi_dua_chinh_phu"


def outcome(note: Sentence | None) -> TitleResult:
    return TitleResult(FLAG, (), (), (4, 7) if note else (), note.english() if note else "",
                       note)


def test_a_broken_tie_recalls_the_priority_of_women_in_vietnamese() -> None:
    rules = BOOK.get("tdkt", 2)
    tie = Sentence("tie_runoff", {"count": 2, "votes": 7, "seats": 1})

    data = _as_data(outcome(tie), rules)

    assert [s["code"] for s in data["note_rule"]] == ["tie_runoff", "tie_women_priority"]
    assert render_all(data["note_rule"], "vi").endswith(
        "Nghị định 152/2025/NĐ-CP Điều 4: giữa các ứng viên có thành tích như nhau, ưu tiên nữ "
        "và tập thể có từ 70% nữ trở lên")
    assert "at least 70% women come first" in data["note"]
    assert rules.women_priority_share is not None
    assert not rules.women_priority_share.verified


def test_no_priority_note_without_a_tie_or_before_decree_152() -> None:
    assert _as_data(outcome(None), BOOK.get("tdkt", 2))["note_rule"] == []
    tie = Sentence("tie_rank", {"votes": 7, "ranks": [[4, 1], [7, 8]]})
    before = _as_data(outcome(tie), BOOK.get("tdkt", 1))  # the 2024 set gives no priority
    assert [s["code"] for s in before["note_rule"]] == ["tie_rank"]
