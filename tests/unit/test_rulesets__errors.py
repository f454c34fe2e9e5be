"""Broken rule set files are refused with every problem, each at its file, line and path."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.definitions.rulesets_loader import load_ruleset_paths, load_ruleset_text
from workflow.errors import DefinitionErrors

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "data" / "broken_rules"
B = "tests/data/broken_rules"
BARE = "give value, basis and verified"
ONE = "only one may be in force on a day"

EXPECTED: dict[str, list[str]] = {
    "unknown_key.yaml": [
        f"{B}/unknown_key.yaml:1 effective_from: missing required key 'effective_from'",
        f"{B}/unknown_key.yaml:4 efective_from: unknown key 'efective_from'"
        " (did you mean 'effective_from'?)",
        f"{B}/unknown_key.yaml:8 appraisal_working_days.verifed: unknown key 'verifed'"
        " (did you mean 'verified'?)",
        f"{B}/unknown_key.yaml:11 fairness.top_rnk: unknown key 'top_rnk'"
        " (did you mean 'top_rank'?)",
        f"{B}/unknown_key.yaml:26 titles[0].vote.quroum: unknown key 'quroum'"
        " (did you mean 'quorum'?)",
        f"{B}/unknown_key.yaml:28 titles[0].max_candidate_per_ballot: unknown key"
        " 'max_candidate_per_ballot' (did you mean 'max_candidates_per_ballot'?)",
    ],
    "bare_values.yaml": [
        f"{B}/bare_values.yaml:6 public_posting_days: expected a sourced value, got 10 alone:"
        f" {BARE}",
        f"{B}/bare_values.yaml:8 appraisal_working_days.verified: missing required key 'verified'",
        f"{B}/bare_values.yaml:9 return_notice_working_days.basis: expected text, got 12",
        f"{B}/bare_values.yaml:9 return_notice_working_days.verified: expected true or false,"
        " got 'yes'",
        f"{B}/bare_values.yaml:10 tie_rule.value: missing required key 'value'",
        f"{B}/bare_values.yaml:20 titles[0].vote.threshold: expected a sourced value, got 0.9"
        f" alone: {BARE}",
        f"{B}/bare_values.yaml:23 titles[0].vote.secret: expected a sourced value, got true"
        f" alone: {BARE}",
        f"{B}/bare_values.yaml:24 titles[0].vote.quorum.basis: must not be empty",
        f"{B}/bare_values.yaml:25 titles[0].required_documents: expected a sourced value,"
        f" got a list alone: {BARE}",
    ],
    "bad_values.yaml": [
        f"{B}/bad_values.yaml:2 version: must be at least 1, got 0",
        f"{B}/bad_values.yaml:4 effective_from: expected a date like 2025-12-31,"
        " got '1 July 2024'",
        f"{B}/bad_values.yaml:5 legal_basis: must list at least one legal text",
        f"{B}/bad_values.yaml:6 public_posting_days.value: must be at least 1, got -1",
        f"{B}/bad_values.yaml:7 public_posting_basis: expected working or calendar,"
        " got 'workdays'",
        f"{B}/bad_values.yaml:8 appraisal_working_days.value: must be at least 1, got 0",
        f"{B}/bad_values.yaml:9 return_notice_working_days.value: expected a whole number,"
        " got 2.5",
        f"{B}/bad_values.yaml:10 tie_rule.value: expected revote_then_rank, got 'coin_toss'",
        f"{B}/bad_values.yaml:16 titles[0].kind: expected collective or individual,"
        " got 'colective' (did you mean 'collective'?)",
        f"{B}/bad_values.yaml:17 titles[0].level: expected state or ministry or unit,"
        " got 'province'",
        f"{B}/bad_values.yaml:18 titles[0].decided_by: unknown role 'decision_authorty'"
        " (did you mean 'decision_authority'?)",
        f"{B}/bad_values.yaml:20 titles[0].vote.threshold.value: must be more than 0 and at"
        " most 1, got 1.5",
        f"{B}/bad_values.yaml:21 titles[0].vote.comparison: expected at_least or more_than,"
        " got 'greater'",
        f"{B}/bad_values.yaml:22 titles[0].vote.basis: expected all_members or present,"
        " got 'al_members' (did you mean 'all_members'?)",
        f"{B}/bad_values.yaml:23 titles[0].vote.secret.value: expected true or false, got 1",
        f"{B}/bad_values.yaml:24 titles[0].vote.quorum.value: must be more than 0 and at"
        " most 1, got 0",
        f"{B}/bad_values.yaml:26 titles[0].cluster_vote.threshold.value: must be more than 0"
        " and at most 1, got '3/2'",
        f"{B}/bad_values.yaml:28 titles[0].cluster_vote.basis: expected all_members or"
        " present, got 'everyone'",
        f"{B}/bad_values.yaml:30 titles[0].caps.per_cluster.value: must be at least 1, got 0",
        f"{B}/bad_values.yaml:31 titles[0].caps.share_of_cluster_leaders.value: expected a"
        " share like 0.9 or 2/3, got '20%'",
        f"{B}/bad_values.yaml:32 titles[0].required_documents.value[1]: 'to_trinh' is listed"
        " twice",
        f"{B}/bad_values.yaml:33 titles[0].max_candidates_per_ballot: must be at least 1,"
        " got 0",
    ],
    "dates.yaml": [
        f"{B}/dates.yaml:5 effective_to: effective_to 2025-06-30 is before effective_from"
        " 2025-07-01",
    ],
    "duplicates.yaml": [
        f"{B}/duplicates.yaml:14 documents[2].code: document 'to_trinh' is already defined at"
        " documents[0] (line 12)",
        f"{B}/duplicates.yaml:27 titles[0].cluster_vote: a cluster vote only applies to"
        " collective titles",
        f"{B}/duplicates.yaml:32 titles[0].required_documents.value[2]: unknown document"
        " 'bien_ban_kiem_phieu' (documents: to_trinh, bao_cao_thanh_tich)",
        f"{B}/duplicates.yaml:32 titles[0].required_documents.value[3]: unknown document"
        " 'to_trinhh' (did you mean 'to_trinh'?)",
        f"{B}/duplicates.yaml:35 titles[1].code: title 'chien_si_thi_dua_bo' is already"
        " defined at titles[0] (line 16)",
    ],
    "syntax_error.yaml": [
        f"{B}/syntax_error.yaml:4: invalid YAML: expected ',' or '}}', but got ':'"
        " (while parsing a flow mapping that starts at line 3)",
    ],
    # folders: b overlaps a (open-ended), c lies inside b's open range; each at the later file
    "overlap": [
        f"{B}/overlap/b.yaml:4 effective_from: rule set 'test' v2 (from 2025-01-01) overlaps"
        f" rule set 'test' v1 (2024-01-01 to 2025-06-30) in {B}/overlap/a.yaml; {ONE}",
        f"{B}/overlap/c.yaml:4 effective_from: rule set 'test' v3 (2026-01-01 to 2026-12-31)"
        f" overlaps rule set 'test' v2 (from 2025-01-01) in {B}/overlap/b.yaml; {ONE}",
    ],
    "duplicate_version": [
        f"{B}/duplicate_version/b.yaml:2 version: rule set 'test' v1 is already defined in"
        f" {B}/duplicate_version/a.yaml",
    ],
}


def _messages(*paths: Path) -> list[str]:
    with pytest.raises(DefinitionErrors) as caught:
        load_ruleset_paths(paths, base=ROOT)
    return [str(e) for e in caught.value.errors]


def test_every_broken_file_has_expected_messages() -> None:
    on_disk = {p.name for p in BROKEN.iterdir() if p.is_dir() or p.suffix == ".yaml"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items(), ids=list(EXPECTED))
def test_a_broken_file_is_refused_with_exact_messages(name: str, expected: list[str]) -> None:
    assert _messages(BROKEN / name) == expected


def test_errors_of_every_file_are_reported_together() -> None:
    messages = _messages(BROKEN / "dates.yaml", BROKEN / "duplicates.yaml")

    assert messages == EXPECTED["dates.yaml"] + EXPECTED["duplicates.yaml"]


def test_an_overlap_with_a_shipped_set_is_reported_at_the_later_file() -> None:
    messages = _messages(ROOT / "definitions" / "rules", BROKEN / "overlap" / "a.yaml")

    assert messages == [
        f"{B}/overlap/a.yaml:4 effective_from: rule set 'test' v1 (2024-01-01 to 2025-06-30)"
        " overlaps rule set 'tdkt' v1 (2024-01-01 to 2025-06-30) in"
        f" definitions/rules/2024.yaml; {ONE}",
    ]


def test_a_missing_path_is_reported() -> None:
    assert _messages(BROKEN / "nope.yaml") == [f"{B}/nope.yaml: no such file or directory"]


VALID = (BROKEN / "overlap" / "a.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("quorum: {value: 2/3,", "quorum: {value: 1.01,",
         "x.yaml:25 titles[0].vote.quorum.value: must be more than 0 and at most 1, got 1.01"),
        ("quorum: {value: 2/3,", "quorum: {value: 2/0,",
         "x.yaml:25 titles[0].vote.quorum.value: expected a share like 0.9 or 2/3, got '2/0'"),
        ("threshold: {value: 0.5,", "threshold: {value: -0.5,",
         "x.yaml:21 titles[0].vote.threshold.value: must be more than 0 and at most 1,"
         " got -0.5"),
        ("threshold: {value: 0.5,", "threshold: {value: true,",
         "x.yaml:21 titles[0].vote.threshold.value: expected a share like 0.9 or 2/3,"
         " got true"),
        ("appraisal_working_days: {value: 25, basis: practice, verified: false}",
         "appraisal_working_days: 25",
         f"x.yaml:9 appraisal_working_days: expected a sourced value, got 25 alone: {BARE}"),
        ("basis: all_members", "basis: present_members",
         "x.yaml:23 titles[0].vote.basis: expected all_members or present, got"
         " 'present_members' (did you mean 'present'?)"),
        ("decided_by: decision_authority", "decided_by: minister",
         "x.yaml:19 titles[0].decided_by: unknown role 'minister' (roles: admin,"
         " council_secretariat, council_member, council_chair, decision_authority,"
         " cluster_leader, cluster_deputy, unit_officer, unit_head, inspector, cluster_supervisor,"
         " department,"
         " system)"),
        ("effective_to: 2025-06-30", "effective_to: 2023-12-31",
         "x.yaml:5 effective_to: effective_to 2023-12-31 is before effective_from 2024-01-01"),
        ("value: [to_trinh]", "value: []",
         "x.yaml:26 titles[0].required_documents.value: must list at least one document"),
    ],
)
def test_each_mistake_in_a_text_is_named(old: str, new: str, expected: str) -> None:
    assert old in VALID
    with pytest.raises(DefinitionErrors) as caught:
        load_ruleset_text(VALID.replace(old, new), "x.yaml")

    assert str(caught.value) == expected


def test_the_valid_text_loads() -> None:
    rule_set = load_ruleset_text(VALID, "x.yaml")

    assert (rule_set.code, rule_set.version, rule_set.source_path) == ("test", 1, "x.yaml")
    assert rule_set.titles[0].caps.per_cluster is None
    assert rule_set.fairness.same_winner_years == 3
