"""The sentences of a vote count, from one catalogue in both languages: Vietnamese with a
decimal comma for the pages, the minutes and the tờ trình, English for logs and machines."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from workflow.domain.rulesets import judge, judge_quorum
from workflow.domain.vote_text import CATALOGUE, Sentence, render_all

PARAM = re.compile(r"%\((\w+)\)s")


def test_every_sentence_has_both_languages_with_the_same_parameters() -> None:
    for code, label in CATALOGUE.items():
        assert label.vi.strip(), code
        assert label.en.strip(), code
        assert sorted(PARAM.findall(label.vi)) == sorted(PARAM.findall(label.en)), code


def test_a_rule_sentence_reads_in_vietnamese_with_a_decimal_comma() -> None:
    ok, sentence = judge(5, 8, 8, Fraction(1, 2), "all_members", True)

    assert ok
    assert sentence.render("vi") == (
        "5/8 thành viên tán thành = 62,5%, đạt quy định trên 50% tổng số thành viên")
    assert sentence.english() == (
        "5 yes of 8 members = 62.5%, meets the rule of more than 50% of all members")


def test_a_quorum_and_a_threshold_on_those_present_read_in_vietnamese() -> None:
    met, quorum = judge_quorum(5, 9, Fraction(2, 3))
    _ok, rule = judge(4, 9, 7, Fraction(3, 5), "present", False)

    assert not met
    assert quorum.render("vi") == (
        "5/9 thành viên có mặt = 55,6%, không đủ số lượng tối thiểu 2/3")
    assert rule.render("vi") == ("4/7 thành viên có mặt tán thành = 57,1%, không đạt quy "
                                 "định từ 60% số thành viên có mặt")


def test_stored_sentences_name_the_units_and_titles() -> None:
    stored = [Sentence("tie_rank", {"votes": 4, "ranks": [[7, 1], [9, 8]]}).as_data(),
              Sentence("warn_rank", {"title": "flag", "unit": 9, "rank": 8, "top": 3}).as_data()]

    text = render_all(stored, "vi", {7: "Bộ Công an", 9: "Kiểm toán Nhà nước"},
                      {"flag": "Cờ thi đua của Chính phủ"})

    assert "(Bộ Công an: hạng 1, Kiểm toán Nhà nước: hạng 8)" in text
    assert "Cờ thi đua của Chính phủ: Kiểm toán Nhà nước xếp hạng 8" in text


def test_an_unknown_sentence_is_refused() -> None:
    with pytest.raises(ValueError, match="no sentence"):
        Sentence("meets_the_rule")
