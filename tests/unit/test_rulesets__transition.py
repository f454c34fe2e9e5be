"""RuleBook.for_dossier: the transition rule of Law 06/2026/QH16 as data (dossiers received
from 01/10/2026 follow the new set; before it, the earlier set unless the new is kinder)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from tests.conftest import ROOT
from workflow.definitions.rulesets_loader import load_ruleset_paths
from workflow.domain.rulesets import RuleBook, RuleSet, Sourced, favourable_changes

BOOK = load_ruleset_paths([ROOT / "definitions" / "rules"], base=ROOT)
V2, V3 = BOOK.get("tdkt", 2), BOOK.get("tdkt", 3)
FLAG = "co_thi_dua_chinh_phu"


def with_title(rules: RuleSet, code: str, **changes: object) -> RuleSet:
    titles = []
    for title in rules.titles:
        if title.code == code:
            vote = title.vote
            if "threshold" in changes:
                vote = replace(vote, threshold=replace(vote.threshold,
                                                       value=changes["threshold"]))
            extra = {"prize_coefficient": replace(title.prize_coefficient,
                                                  value=changes["prize"])
                     } if "prize" in changes and title.prize_coefficient else {}
            title = replace(title, vote=vote, **extra)
        titles.append(title)
    return replace(rules, titles=tuple(titles))


def test_the_amending_law_set_is_unverified_and_says_which_dossiers_it_takes() -> None:
    start = V3.applies_to_dossiers_received_from
    assert start is not None
    assert start.value == dt.date(2026, 10, 1)
    assert not start.verified
    assert V3.effective_from == dt.date(2026, 10, 1)
    assert V2.effective_to == dt.date(2026, 9, 30)
    assert all(not value.verified for _path, value in V3.sourced())
    assert V2.return_notice_working_days.verified  # checked in 2025, carried with a note
    assert "Law 06/2026/QH16" in V3.return_notice_working_days.basis
    # nothing is known to change: the values are the 2025 set's
    assert favourable_changes(V2, V3, FLAG) == ()


def test_received_before_the_first_of_october_keeps_the_earlier_rules() -> None:
    before = BOOK.for_dossier(V2, FLAG, dt.date(2026, 9, 30))
    on = BOOK.for_dossier(V2, FLAG, dt.date(2026, 10, 1))

    assert (before.rules.version, before.why, before.boundary) == (
        2, "received_before", dt.date(2026, 10, 1))
    assert (on.rules.version, on.why) == (3, "received_from")


def test_the_new_rules_apply_before_their_date_when_they_are_more_favourable() -> None:
    kinder = with_title(V3, FLAG, threshold=Fraction(3, 4))
    book = RuleBook.of([*[s for s in BOOK.sets if s.version != 3 or s.code != "tdkt"], kinder])

    choice = book.for_dossier(V2, FLAG, dt.date(2026, 9, 1))

    assert (choice.rules.version, choice.why) == (3, "more_favourable")
    assert favourable_changes(V2, kinder, FLAG) == ("vote.threshold",)
    more_money = with_title(V3, FLAG, prize=Decimal("15"))
    assert favourable_changes(V2, more_money, FLAG) == ("prize_coefficient",)


def test_rules_that_ease_one_value_and_tighten_another_are_not_more_favourable() -> None:
    mixed = with_title(V3, FLAG, threshold=Fraction(3, 4), prize=Decimal("10"))
    book = RuleBook.of([*[s for s in BOOK.sets if s.version != 3 or s.code != "tdkt"], mixed])

    assert favourable_changes(V2, mixed, FLAG) is None
    assert book.for_dossier(V2, FLAG, dt.date(2026, 9, 1)).rules.version == 2
    stricter = with_title(V3, FLAG, threshold=Fraction(9, 10))
    assert favourable_changes(V2, stricter, FLAG) is None


def test_a_dossier_pinned_to_a_later_set_is_not_moved_back() -> None:
    choice = BOOK.for_dossier(V3, FLAG, dt.date(2027, 1, 5))
    assert (choice.rules.version, choice.why) == (3, "pinned")
    assert isinstance(V3.applies_to_dossiers_received_from, Sourced)
