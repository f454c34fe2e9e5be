"""The Government-flag cap: a share of the council's leading units, made a whole number as the
rule set says (rounded down unless set otherwise), with its exact value to explain it."""

from __future__ import annotations

from fractions import Fraction

import pytest

from workflow.domain.rulesets import Caps, QuotaRounding, Sourced


def caps(rounding: QuotaRounding | None) -> Caps:
    share = Sourced(Fraction(1, 5), "20% of the leading units", False)
    return Caps(share_of_cluster_leaders=share, leader_quota_rounding=None if rounding is None
                else Sourced(rounding, "how the share is rounded", False))


@pytest.mark.parametrize(("rounding", "leading", "quota"), [
    (None, 2, 0), ("down", 2, 0), ("down", 5, 1), ("down", 9, 1),
    ("nearest", 2, 0), ("nearest", 3, 1), ("nearest", 12, 2), ("up", 2, 1), ("up", 5, 1),
    ("up", 0, 0),
])
def test_the_share_of_leading_units_is_rounded_as_the_rule_set_says(
    rounding: QuotaRounding | None, leading: int, quota: int
) -> None:
    assert caps(rounding).leader_quota(leading) == quota


def test_the_exact_share_is_kept_to_explain_the_cap() -> None:
    assert caps(None).leader_share(2) == Fraction(2, 5)
    assert caps(None).rounding == "down"


def test_the_shipped_rule_sets_round_the_flag_cap_down_unverified() -> None:
    from pathlib import Path

    from workflow.definitions.rulesets_loader import load_ruleset_paths

    book = load_ruleset_paths([Path(__file__).resolve().parents[2] / "definitions" / "rules"])
    for rules in book.sets:
        cap = rules.title_rule("co_thi_dua_chinh_phu").caps.leader_quota_rounding
        assert cap is not None
        assert (cap.value, cap.verified) == ("down", False)
