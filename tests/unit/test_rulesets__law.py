"""The shipped rule sets follow the texts of issue 16: ballot thresholds on all council members
(Decree 98/2023 art. 30(7)), time limits per level (Decree 98/2023 art. 32(2), QĐ 311/QĐ-BNV and
QĐ 637/QĐ-BNV), Decree 152/2025 art. 59, and a set for the years before 2024."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from workflow.definitions.rulesets_loader import load_ruleset_paths, load_ruleset_text
from workflow.domain.rulesets import ADMIN_LEVELS, Sourced, dong
from workflow.errors import DefinitionErrors, InvalidInput, NotFound

ROOT = Path(__file__).resolve().parents[2]
BOOK = load_ruleset_paths([ROOT / "definitions" / "rules"], base=ROOT)
V2024, V2025 = BOOK.get("tdkt", 1), BOOK.get("tdkt", 2)
ND98 = "Nghị định 98/2023/NĐ-CP, Điều 30 khoản 7"
BALLOT = ("co_thi_dua_chinh_phu", "co_thi_dua_bo", "chien_si_thi_dua_bo",
          "chien_si_thi_dua_toan_quoc")
NO_BALLOT = ("bang_khen_thu_tuong", "tap_the_ld_xuat_sac", "tap_the_ld_tien_tien")


@pytest.mark.parametrize(("title", "share"), [
    ("co_thi_dua_chinh_phu", Fraction(4, 5)), ("co_thi_dua_bo", Fraction(4, 5)),
    ("chien_si_thi_dua_bo", Fraction(9, 10)), ("chien_si_thi_dua_toan_quoc", Fraction(9, 10)),
])
@pytest.mark.parametrize("version", [1, 2])
def test_the_ballot_thresholds_are_shares_of_all_members(
    title: str, share: Fraction, version: int
) -> None:
    vote = BOOK.get("tdkt", version).title_rule(title).vote

    assert (vote.threshold.value, vote.comparison, vote.basis) == (share, "at_least",
                                                                     "all_members")
    assert vote.threshold.citation == ND98
    assert vote.ballot_required is not None
    assert vote.ballot_required.value is True
    assert vote.absentees_in_writing is not None
    assert vote.absentees_in_writing.value is True
    # checked against the text for 2024; carried over unverified under Decree 152/2025
    assert vote.threshold.verified is (version == 1)


@pytest.mark.parametrize("title", NO_BALLOT)
def test_titles_outside_the_decrees_list_have_no_legal_threshold(title: str) -> None:
    vote = V2024.title_rule(title).vote

    assert vote.ballot_required is not None
    assert (vote.ballot_required.value, vote.ballot_required.verified) == (False, True)
    assert not vote.threshold.verified
    assert "no ballot threshold in the decree" in vote.threshold.basis


def ten_members_vote(title: str, yes: int, present: int, written: int) -> tuple[bool, str]:
    """A council of 10: `present` at the meeting, `written` absent members giving their
    opinion in writing (art. 30(7)); both count as votes cast, the share is of all 10."""
    vote = V2024.title_rule(title).vote
    assert vote.absentees_in_writing is not None
    assert vote.absentees_in_writing.value
    return vote.decide(yes, 10, present + written)


def test_a_flag_needs_80_percent_of_all_members_with_written_absentees() -> None:
    # 7 at the meeting vote yes, 1 absent member agrees in writing: 8 of 10
    assert ten_members_vote("co_thi_dua_bo", 8, 7, 1) == (True, (
        "8 of 10 members present = 80%, quorum of at least 2/3 met; 8 yes of 10 members = 80%,"
        " meets the rule of at least 80% of all members"))
    # 7 yes and the absent member not counted: 70% fails, whoever was absent
    carried, why = ten_members_vote("co_thi_dua_chinh_phu", 7, 7, 0)
    assert not carried
    assert why.endswith("7 yes of 10 members = 70%, does not meet the rule of at least 80% of"
                        " all members")
    # the old shipped rule (more than 50%) would have carried 6 of 10
    assert not ten_members_vote("co_thi_dua_chinh_phu", 6, 9, 1)[0]


def test_a_fighter_needs_90_percent_of_all_members_with_written_absentees() -> None:
    assert ten_members_vote("chien_si_thi_dua_bo", 9, 8, 2)[0]
    carried, why = ten_members_vote("chien_si_thi_dua_toan_quoc", 8, 8, 2)
    assert not carried
    assert why.endswith("8 yes of 10 members = 80%, does not meet the rule of at least 90% of"
                        " all members")
    # 9 yes of 9 present is 100% of those present but 90% of all 10 members: carried
    assert ten_members_vote("chien_si_thi_dua_toan_quoc", 9, 9, 0)[0]
    vote = V2024.title_rule("chien_si_thi_dua_bo").vote
    assert not vote.decide(8, 9, 9)[0]  # 88.9% of all members


# --- time limits -------------------------------------------------------------------------


def test_the_central_limits_are_20_and_5_working_days() -> None:
    for rules in (V2024, V2025):
        central = rules.limits()
        assert central == rules.limits("central")
        assert central.appraisal_working_days is rules.appraisal_working_days
        assert (central.appraisal_working_days.value,
                central.return_notice_working_days.value) == (20, 5)
    assert V2024.appraisal_working_days.citation == "Nghị định 98/2023/NĐ-CP, Điều 32 khoản 2"
    assert V2024.appraisal_working_days.verified
    assert V2024.return_notice_working_days.document == "Quyết định 311/QĐ-BNV năm 2025"
    assert V2024.return_notice_working_days.verified
    assert V2025.return_notice_working_days.document == "Quyết định 637/QĐ-BNV năm 2025"
    # QĐ 637 says 20 days (not working days) for its one procedure: not verified
    assert not V2025.appraisal_working_days.verified


@pytest.mark.parametrize("level", ADMIN_LEVELS)
def test_every_level_has_its_limits(level: str) -> None:
    for rules in (V2024, V2025):
        limits = rules.limits(level)  # type: ignore[arg-type]
        assert limits.level == level
        assert limits.appraisal_working_days.value >= 1
        assert limits.return_notice_working_days.value == 5
    # QĐ 637/QĐ-BNV: the bodies at every level return an unqualified dossier in 5 working days
    assert V2025.limits(level).return_notice_working_days.verified  # type: ignore[arg-type]


def test_the_levels_differ_and_an_unknown_level_is_refused() -> None:
    assert V2025.limits("commune").appraisal_working_days.value == 15
    assert V2024.limits("ministry").appraisal_working_days.value == 25
    assert not V2024.limits("ministry").appraisal_working_days.verified
    with pytest.raises(InvalidInput, match="unknown level 'province'"):
        V2024.limits("province")  # type: ignore[arg-type]


def test_time_limits_are_loaded_and_checked() -> None:
    head = BASE.replace("TIME_LIMITS", (
        "time_limits:\n"
        "  commune:\n"
        "    appraisal_working_days: {value: 0, basis: x, verified: false}\n"
        "    return_notice_working_days: {value: 5, basis: x, verified: false, artcle: 3}\n"
        "  province: {}\n"))
    with pytest.raises(DefinitionErrors) as caught:
        load_ruleset_text(head, "x.yaml")

    assert [str(e) for e in caught.value.errors] == [
        "x.yaml:12 time_limits.commune.appraisal_working_days.value: must be at least 1, got 0",
        "x.yaml:13 time_limits.commune.return_notice_working_days.artcle: unknown key 'artcle'"
        " (did you mean 'article'?)",
        "x.yaml:14 time_limits.province: unknown key 'province' (allowed keys: ministry,"
        " commune)",
    ]


BASE = """code: t
version: 1
title: {vi: T, en: T}
effective_from: 2030-01-01
legal_basis: [Luật]
public_posting_days: {value: 10, basis: x, verified: false}
public_posting_basis: working
appraisal_working_days: {value: 20, basis: x, verified: true, document: NĐ 1, article: 32}
return_notice_working_days: {value: 5, basis: x, verified: false}
TIME_LIMITS
tie_rule: {value: revote_then_rank, basis: x, verified: false}
documents:
  - {code: to_trinh, label: {vi: Tờ trình, en: Letter}}
titles:
  - code: co
    label: {vi: Cờ, en: Flag}
    kind: collective
    level: state
    decided_by: decision_authority
    vote:
      threshold: {value: 0.8, basis: x, verified: true, document: NĐ 1, article: 30, clause: 7}
      comparison: at_least
      basis: all_members
      secret: {value: true, basis: x, verified: false}
      quorum: {value: 2/3, basis: x, verified: false}
    required_documents: {value: [to_trinh], basis: x, verified: false}
"""


def test_a_value_carries_its_citation() -> None:
    rules = load_ruleset_text(BASE.replace("TIME_LIMITS\n", ""), "x.yaml")
    threshold = rules.title_rule("co").vote.threshold

    assert (threshold.document, threshold.article, threshold.clause) == ("NĐ 1", "30", "7")
    assert threshold.citation == "NĐ 1, Điều 30 khoản 7"
    assert rules.appraisal_working_days.citation == "NĐ 1, Điều 32"
    assert rules.limits("commune") == rules.limits()  # none given: the central level's
    assert Sourced(1, "x", False, document="QĐ 2", article="Phụ lục").citation == "QĐ 2, Phụ lục"
    assert Sourced(1, "x", False).citation == ""


# --- Decree 152/2025 and the years before 2024 ----------------------------------------------


def test_decree_152_replaces_decrees_98_and_28_from_july_2025() -> None:
    replaces = V2025.replaces
    assert replaces is not None
    assert replaces.value == ("Nghị định 98/2023/NĐ-CP", "Nghị định 28/2024/NĐ-CP")
    assert (replaces.citation, replaces.verified) == (
        "Nghị định 152/2025/NĐ-CP, Điều 59 khoản 2", True)
    assert V2025.effective_from == dt.date(2025, 7, 1)
    assert not any("reported" in basis for basis in V2025.legal_basis)
    assert any("Điều 59" in basis for basis in V2025.legal_basis)


def test_the_set_before_2024_is_entirely_unverified() -> None:
    early = BOOK.in_force(dt.date(2022, 2, 10))

    assert early.code == "tdkt_2013"
    assert "Nghị định 91/2017/NĐ-CP" in early.title.vi
    assert not any(value.verified for _, value in early.sourced())
    for code in ("chien_si_thi_dua_bo", "chien_si_thi_dua_toan_quoc"):
        vote = early.title_rule(code).vote
        assert (vote.threshold.value, vote.comparison, vote.basis) == (
            Fraction(9, 10), "at_least", "all_members")
    assert early.title_rule("co_thi_dua_chinh_phu").vote.decide(6, 9, 9)[0]


def test_every_verified_value_names_its_document_article_and_source() -> None:
    for rules in BOOK.sets:
        for path, value in rules.sourced():
            if value.verified:
                assert value.document, (rules.name, path)
                assert value.article, (rules.name, path)
                assert value.source, (rules.name, path)


# --- prize money (Decree 152/2025 art. 50, 54; base salary of Decree 73/2024) ---------------


@pytest.mark.parametrize(("title", "amount"), [
    ("co_thi_dua_chinh_phu", 28_080_000),  # 12.0 × 2,340,000
    ("co_thi_dua_bo", 18_720_000),  # 8.0 ×
    ("bang_khen_thu_tuong", 16_380_000),  # 7 ×
    ("tap_the_ld_xuat_sac", 3_510_000),  # 1.5 ×
    ("tap_the_ld_tien_tien", 1_880_000),  # 0.8 × = 1,872,000, rounded up to 10,000
    ("chien_si_thi_dua_toan_quoc", 10_530_000),  # 4.5 ×
    ("chien_si_thi_dua_bo", 7_020_000),  # 3.0 ×
])
def test_prize_money_is_the_coefficient_times_the_base_salary_rounded_up(
    title: str, amount: int
) -> None:
    prize = V2025.prize_money(title, dt.date(2025, 12, 20))

    assert prize.amount == amount
    assert prize.amount % 10_000 == 0
    assert prize.amount >= prize.exact > prize.amount - 10_000
    assert (prize.base_salary, prize.base_salary_from) == (2_340_000, dt.date(2024, 7, 1))


def test_the_base_salary_is_the_one_in_force_on_the_decision_date() -> None:
    before, after = (V2024.prize_money("co_thi_dua_bo", dt.date(2024, m, 1)) for m in (6, 7))

    assert (before.base_salary, before.amount) == (1_800_000, 14_400_000)
    assert (after.base_salary, after.amount) == (2_340_000, 18_720_000)
    with pytest.raises(NotFound, match="knows no base salary on 2024-01-05"):
        V2025.prize_money("co_thi_dua_bo", dt.date(2024, 1, 5))
    with pytest.raises(NotFound, match="gives no prize money for 'co_thi_dua_bo'"):
        BOOK.in_force(dt.date(2022, 2, 10)).prize_money("co_thi_dua_bo", dt.date(2022, 2, 10))


def test_rounding_up_never_rounds_an_exact_multiple() -> None:
    rules = load_ruleset_text(BASE.replace("TIME_LIMITS\n", (
        "base_salary:\n"
        "  - {from: 2030-01-01, amount: {value: 2345678, basis: x, verified: false}}\n"
        "prize_rounding: {value: 10000, basis: x, verified: false}\n")).replace(
        "    required_documents:",
        "    prize_coefficient: {value: 0.3, basis: x, verified: false}\n"
        "    required_documents:"), "x.yaml")

    prize = rules.prize_money("co", dt.date(2030, 6, 1))
    assert (prize.exact, prize.amount) == (Decimal("703703.4"), 710_000)


def test_a_base_salary_given_twice_is_refused() -> None:
    text = BASE.replace("TIME_LIMITS\n", (
        "base_salary:\n"
        "  - {from: 2030-01-01, amount: {value: 1, basis: x, verified: false}}\n"
        "  - {from: 2030-01-01, amount: {value: 2, basis: x, verified: false}}\n"))
    with pytest.raises(DefinitionErrors) as caught:
        load_ruleset_text(text, "x.yaml")

    assert [str(e) for e in caught.value.errors] == [
        "x.yaml:12 base_salary[1].from: a base salary from 2030-01-01 is already given at"
        " base_salary[0] (line 11)"]


@pytest.mark.parametrize(("salary", "amount"), [
    (2_000_000, 600_000),  # 0.3 × = 600,000 exactly: stays
    (2_000_001, 610_000),  # 600,000.3: one đồng over rounds up a whole step
    (2_033_333, 610_000),  # 609,999.9
    (2_033_334, 620_000),  # 610,000.2
])
def test_prize_money_rounds_up_to_the_next_ten_thousand_dong(salary: int, amount: int) -> None:
    rules = load_ruleset_text(BASE.replace("TIME_LIMITS\n", (
        "base_salary:\n"
        f"  - {{from: 2030-01-01, amount: {{value: {salary}, basis: x, verified: false}}}}\n"
        "prize_rounding: {value: 10000, basis: x, verified: false}\n")).replace(
        "    required_documents:",
        "    prize_coefficient: {value: 0.3, basis: x, verified: false}\n"
        "    required_documents:"), "x.yaml")

    assert rules.prize_money("co", dt.date(2030, 6, 1)).amount == amount


def test_prize_money_is_written_as_a_vietnamese_decision_writes_it() -> None:
    prize = V2025.prize_money("chien_si_thi_dua_toan_quoc", dt.date(2025, 12, 20))

    assert dong(1_234_000) == "1.234.000"
    assert dong(999) == "999"
    assert prize.text == "10.530.000 đồng"
    assert prize.reckoning == ("4,5 lần mức lương cơ sở 2.340.000 đồng (từ 01/07/2024), làm "
                               "tròn lên bội số của 10.000 đồng")
