"""Broken definitions are refused with every problem, each at its file, line and path."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.definitions.workflow_loader import load_paths, load_text
from workflow.engine import builtins
from workflow.errors import DefinitionErrors

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "data" / "broken"
B = "tests/data/broken"

EXPECTED: dict[str, list[str]] = {
    "syntax_error.yaml": [
        f"{B}/syntax_error.yaml:4: invalid YAML: expected ',' or '}}', but got ':'"
        " (while parsing a flow mapping that starts at line 3)",
    ],
    "duplicate_key.yaml": [
        f"{B}/duplicate_key.yaml:20 transitions[1].dest: duplicate key 'dest' (first at line 18)",
    ],
    "missing_roles.yaml": [
        f"{B}/missing_roles.yaml:16 transitions[1].roles: missing required key 'roles'"
        " (nobody may fire it otherwise)",
    ],
    "empty_roles.yaml": [
        f"{B}/empty_roles.yaml:15 transitions[0].roles: must list at least one role"
        " (nobody may fire a transition by default)",
    ],
    "unknown_dest.yaml": [
        f"{B}/unknown_dest.yaml:18 transitions[1].dest: unknown state 'aproved'"
        " (did you mean 'approved'?)",
    ],
    "unknown_source.yaml": [
        f"{B}/unknown_source.yaml:22 transitions[2].source[1]: unknown state 'submited'"
        " (did you mean 'submitted'?)",
    ],
    "unreachable_state.yaml": [
        f"{B}/unreachable_state.yaml:10 states[3]: state 'archived' cannot be reached"
        " from the initial state 'draft'",
    ],
    "dead_end_state.yaml": [
        f"{B}/dead_end_state.yaml:9 states[2]: state 'on_hold' is not final but no transition"
        " leaves it (add one, or mark it final: true)",
    ],
    "unknown_guard.yaml": [
        f"{B}/unknown_guard.yaml:22 transitions[1].guards[0]: unknown guard 'not_own_unt'"
        " (did you mean 'not_own_unit'?)",
    ],
    "bad_guard_params.yaml": [
        f"{B}/bad_guard_params.yaml:19 transitions[0].guards[0].params.fields:"
        " not a valid list (got 'reason')",
        f"{B}/bad_guard_params.yaml:30 transitions[1].guards[0].params.fields:"
        " unknown parameter 'fields' of guard 'data_equals' (did you mean 'field'?)",
    ],
    "duplicate_trigger.yaml": [
        f"{B}/duplicate_trigger.yaml:22 transitions[2].trigger: trigger 'decide' from"
        " 'submitted' is already defined at transitions[1] (line 17)",
    ],
    "unknown_role.yaml": [
        f"{B}/unknown_role.yaml:20 transitions[1].roles[1]: unknown role 'cluster_leadr'"
        " (did you mean 'cluster_leader'?)",
    ],
    "deadline_two_kinds.yaml": [
        f"{B}/deadline_two_kinds.yaml:10 states[1].deadline: give exactly one of date,"
        " campaign_date, days, working_days; found campaign_date and working_days",
    ],
    "timeout_not_leaving.yaml": [
        f"{B}/timeout_not_leaving.yaml:12 states[1].deadline.timeout: no transition with"
        " trigger 'submit' leaves state 'submitted' (triggers that leave it: approve, expire)",
    ],
    "spawn_unknown_workflow.yaml": [
        f"{B}/spawn_unknown_workflow.yaml:17 transitions[0].spawn[0].workflow:"
        " unknown workflow 'pledg' (known workflows: mini_campaign)",
    ],
    "unknown_key.yaml": [
        f"{B}/unknown_key.yaml:16 transitions[0].required_feilds: unknown key"
        " 'required_feilds' (did you mean 'required_fields'?)",
    ],
    "several_errors.yaml": [
        f"{B}/several_errors.yaml:5 initial: unknown state 'drafted' (did you mean 'draft'?)",
        f"{B}/several_errors.yaml:10 states[3].name: state 'draft' is already defined at"
        " states[0] (line 7)",
        f"{B}/several_errors.yaml:16 transitions[0].roles[0]: unknown role 'unit_oficer'"
        " (did you mean 'unit_officer'?)",
        f"{B}/several_errors.yaml:19 transitions[1].dest: unknown state 'aproved'"
        " (did you mean 'approved'?)",
        f"{B}/several_errors.yaml:23 transitions[2].source: 'approved' is a final state;"
        " no transition may leave it",
        f"{B}/several_errors.yaml:31 transitions[3].roles: an automatic transition must list"
        " the role 'system'",
        f"{B}/several_errors.yaml:32 transitions[3].auto: an automatic transition needs a join"
        " or a guard; without one it would fire as soon as its source state is entered",
    ],
    # folders: problems between the workflows of several files
    "cycle": [
        f"{B}/cycle/pledge.yaml:16 transitions[0].spawn[0].workflow: spawning 'campaign'"
        " closes a cycle: campaign → pledge → campaign",
    ],
    "join": [
        f"{B}/join/campaign.yaml:23 transitions[1].join.state[0]: workflow 'pledge' has no"
        " state 'signd' (did you mean 'signed'?)",
    ],
    "duplicate_name": [
        f"{B}/duplicate_name/second.yaml:2 name: workflow 'pledge' is already defined in"
        f" {B}/duplicate_name/first.yaml",
    ],
}


def _messages(path: Path) -> list[str]:
    with pytest.raises(DefinitionErrors) as caught:
        load_paths([path], builtins.REGISTRY.copy(), base=ROOT)
    return [str(e) for e in caught.value.errors]


def test_every_broken_file_has_expected_messages() -> None:
    on_disk = {p.name for p in BROKEN.iterdir() if p.is_dir() or p.suffix == ".yaml"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items(), ids=list(EXPECTED))
def test_a_broken_definition_is_refused_with_exact_messages(
    name: str, expected: list[str]
) -> None:
    assert _messages(BROKEN / name) == expected


def test_the_exception_text_lists_every_error_one_per_line() -> None:
    with pytest.raises(DefinitionErrors) as caught:
        load_paths([BROKEN / "several_errors.yaml"], builtins.REGISTRY.copy(), base=ROOT)

    assert str(caught.value).splitlines() == EXPECTED["several_errors.yaml"]


def test_errors_of_every_file_are_reported_together() -> None:
    paths = [BROKEN / "unknown_dest.yaml", BROKEN / "unknown_role.yaml"]

    with pytest.raises(DefinitionErrors) as caught:
        load_paths(paths, builtins.REGISTRY.copy(), base=ROOT)

    assert [str(e) for e in caught.value.errors] == (
        EXPECTED["unknown_dest.yaml"] + EXPECTED["unknown_role.yaml"]
    )


def test_file_names_are_shown_as_given_without_a_base() -> None:
    with pytest.raises(DefinitionErrors) as caught:
        load_paths([BROKEN / "unknown_role.yaml"], builtins.REGISTRY.copy())

    assert caught.value.errors[0].file == (BROKEN / "unknown_role.yaml").as_posix()


def test_a_single_text_skips_checks_that_need_other_workflows() -> None:
    text = (BROKEN / "spawn_unknown_workflow.yaml").read_text(encoding="utf-8")

    spec = load_text(text, "mini.yaml", builtins.REGISTRY.copy())

    assert spec.child_workflows() == {"pledg"}
    assert spec.source_path == "mini.yaml"


def test_a_missing_path_is_reported() -> None:
    with pytest.raises(DefinitionErrors) as caught:
        load_paths([BROKEN / "nope.yaml"], builtins.REGISTRY.copy(), base=ROOT)

    assert str(caught.value) == f"{B}/nope.yaml: no such file or directory"


VALID = (BROKEN / "join" / "pledge.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("name: pledge", "name: !!python/object/apply:os.system [ls]",
         "x.yaml:2 name: unsupported tag '!!python/object/apply:os.system'"),
        ("name: pledge", "name: &a [*a]",
         "x.yaml:2 name[0]: an alias refers to the node that contains it"),
        ("subject: unit", "subject: unit\nyes: 1",
         "x.yaml:5: keys must be text, got true (quote it)"),
        ("subject: unit", "subject: Unit",
         "x.yaml:4 subject: expected a snake_case name, got 'Unit'"),
        ("subject: unit", "subject: unit\nversion: 0",
         "x.yaml:5 version: must be at least 1, got 0"),
        ("roles: [unit_head]", "roles: unit_head",
         "x.yaml:15 transitions[0].roles: expected a list, got 'unit_head'"),
        ("source: draft", "source: [draft, '*']",
         "x.yaml:12 transitions[0].source[1]: '*' already means every non-final state;"
         " list no other state with it"),
        ("roles: [unit_head]", "roles: [unit_head]\n    spawn: [{workflow: pledge, per: item}]",
         "x.yaml:16 transitions[0].spawn[0].items_field: missing required key 'items_field'"
         " (needed when per is item)"),
        ("roles: [unit_head]", "roles: [unit_head]\n    auto: true\n    guards: [not_own_unit]",
         "x.yaml:15 transitions[0].roles: an automatic transition must list the role 'system'"),
        ("title: {vi: Giao ước, en: Pledge}", "title: {vi: Giao ước, en: ''}",
         "x.yaml:3 title.en: must not be empty"),
    ],
)
def test_a_small_mistake_gives_one_precise_message(old: str, new: str, expected: str) -> None:
    assert old in VALID
    with pytest.raises(DefinitionErrors) as caught:
        load_text(VALID.replace(old, new, 1), "x.yaml", builtins.REGISTRY.copy())

    assert str(caught.value) == expected
