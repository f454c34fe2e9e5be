"""Properties of the criteria table loader, checked on generated tables.

Every valid table loads with the values it was written with and survives criteria_to_dict and
YAML; every broken one is refused with DefinitionErrors at a file and line; no input at all
makes the loader raise anything else.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit import strategies as s
from workflow.definitions.criteria_loader import (
    criteria_to_dict,
    dump_criteria_yaml,
    load_criteria_text,
)
from workflow.definitions.yamlsrc import MAX_DEPTH, format_path
from workflow.domain.criteria import AUTOMATIC_RULES, FORMULAS, PENALTIES, CriteriaTable

FILE = "definitions/criteria/generated.yaml"
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
Draw = Callable[[st.SearchStrategy[Any]], Any]
CENT = Decimal("0.01")
cents = st.integers(1, 5000).map(lambda c: c * CENT)
some_names = st.lists(s.names, max_size=2, unique=True)


def number(value: Decimal) -> int | float:
    """Points as criteria_to_dict writes them."""
    return int(value) if value == value.to_integral_value() else float(value)


def load(text: str, file: str = FILE) -> CriteriaTable:
    return load_criteria_text(text, file)


# --- valid tables -------------------------------------------------------------------------


@st.composite
def criteria(draw: Draw, code: str) -> tuple[dict[str, Any], Decimal]:
    """A criterion in the shape of criteria_to_dict, and its max_points."""
    top = draw(cents)
    out: dict[str, Any] = {
        "code": code, "title": draw(s.labels), "max_points": number(top),
        "kind": draw(st.sampled_from(("quantitative", "qualitative"))),
    }
    if out["kind"] == "quantitative":
        if draw(st.booleans()):
            out["target_required"] = True
        if draw(st.booleans()):
            out["unit"] = draw(s.texts)
        out["formula"] = draw(st.sampled_from(FORMULAS))
        if draw(st.booleans()):
            out["higher_is_better"] = False
    else:
        middle = []
        if top > CENT:
            between = st.integers(1, int(top / CENT) - 1).map(lambda c: c * CENT)
            middle = draw(st.lists(between, max_size=3, unique=True))
        points = draw(st.permutations([top, Decimal(0), *middle]))
        out["levels"] = [{"points": number(p), "label": draw(s.labels)} for p in points]
    evidence = draw(some_names)
    if evidence:
        out["evidence"] = evidence
    return out, top


@st.composite
def tables(draw: Draw) -> dict[str, Any]:
    """A valid table in the shape of criteria_to_dict: criteria add up to their group's
    max_points, groups to the scale; qualitative levels run from 0 to the criterion's max."""
    group_codes = draw(st.lists(s.names, min_size=1, max_size=3, unique=True))
    sizes = [draw(st.integers(1, 3)) for _ in group_codes]
    codes = iter(draw(st.lists(s.names, min_size=sum(sizes), max_size=sum(sizes), unique=True)))
    groups = []
    scale = Decimal(0)
    for code, size in zip(group_codes, sizes, strict=True):
        made = [draw(criteria(next(codes))) for _ in range(size)]
        total = sum((top for _, top in made), Decimal(0))
        scale += total
        groups.append({
            "code": code, "title": draw(s.labels), "max_points": number(total),
            "criteria": [c for c, _ in made],
        })
    out: dict[str, Any] = {"code": draw(s.names)}
    if draw(st.booleans()):
        out["version"] = draw(st.integers(1, 99))
    out["title"] = draw(s.labels)
    out["scale"] = number(scale)
    out["appeal_days"] = draw(st.integers(0, 30))
    out["gap_threshold"] = number(draw(st.integers(1, 100)) * CENT)
    tie_break = draw(st.lists(st.sampled_from([*group_codes, PENALTIES]), unique=True))
    if tie_break:
        out["tie_break"] = tie_break
    out["groups"] = groups
    adjustments = [draw(adjustment(code)) for code in draw(some_names)]
    if adjustments:
        out["adjustments"] = adjustments
    return out


@st.composite
def adjustment(draw: Draw, code: str) -> dict[str, Any]:
    points = draw(cents)
    out = {
        "code": code, "title": draw(s.labels),
        "kind": draw(st.sampled_from(("bonus", "penalty"))),
        "points": number(points), "max_points": number(points * draw(st.integers(1, 5))),
    }
    if out["kind"] == "penalty" and draw(st.booleans()):
        out["rule"] = draw(st.sampled_from(sorted(AUTOMATIC_RULES)))
    return out


@st.composite
def written_differently(draw: Draw, canonical: dict[str, Any]) -> dict[str, Any]:
    """The same table with whole numbers as 5.0 and the defaults written out."""
    d = copy.deepcopy(canonical)

    def maybe_float(owner: dict[str, Any], key: str) -> None:
        if isinstance(owner[key], int) and draw(st.booleans()):
            owner[key] = float(owner[key])

    maybe_float(d, "scale")
    for key, default in (("tie_break", []), ("adjustments", []), ("version", None)):
        if key not in d and draw(st.booleans()):
            d[key] = default
    for group in d["groups"]:
        maybe_float(group, "max_points")
        for c in group["criteria"]:
            maybe_float(c, "max_points")
            defaults = {"target_required": False, "higher_is_better": True, "evidence": [],
                        "unit": None}
            if c["kind"] == "qualitative":
                defaults["formula"] = None
            else:
                defaults["levels"] = []
            for key, default in defaults.items():
                if key not in c and draw(st.booleans()):
                    c[key] = default
            for level in c.get("levels", []):
                maybe_float(level, "points")
    for a in d.get("adjustments", []):
        maybe_float(a, "points")
        if "rule" not in a and draw(st.booleans()):
            a["rule"] = None
    return d


@SETTINGS
@given(st.data())
def test_a_generated_table_loads_with_every_value_it_was_written_with(
    data: st.DataObject,
) -> None:
    canonical = data.draw(tables())
    text = data.draw(s.yaml_text(data.draw(written_differently(canonical))))

    table = load(text)

    assert criteria_to_dict(table) == canonical
    assert table.source_path == FILE


@SETTINGS
@given(st.data())
def test_a_loaded_table_survives_criteria_to_dict_and_yaml(data: st.DataObject) -> None:
    table = load(data.draw(s.yaml_text(data.draw(tables()))))

    assert load(dump_criteria_yaml(table)) == table
    assert load(data.draw(s.yaml_text(criteria_to_dict(table)))) == table


# --- broken tables are refused at their line ----------------------------------------------


def paths_of_criteria(d: dict[str, Any], kind: str | None = None) -> list[s.Path]:
    return [
        ("groups", i, "criteria", j)
        for i, g in enumerate(d["groups"])
        for j, c in enumerate(g["criteria"])
        if kind is None or c["kind"] == kind
    ]


def add(value: int | float, points: Decimal) -> int | float:
    return number(Decimal(repr(value)) + points)


def expect(text: str, path: s.Path, says: str, line_path: s.Path | None = None) -> None:
    """Loading `text` is refused with an error at `path`, on its line, that says `says`."""
    exc = s.refused(load, text, FILE)
    line = s.line_at(text, path if line_path is None else line_path)
    found = [(e.line, e.path) for e in exc.errors if says in e.message]
    assert (line, format_path(path)) in found, exc.errors


@SETTINGS
@given(st.data())
def test_criteria_that_do_not_add_up_to_their_group_are_refused_at_the_group(
    data: st.DataObject,
) -> None:
    d = data.draw(tables())
    i = data.draw(st.integers(0, len(d["groups"]) - 1))
    broken = copy.deepcopy(d)
    broken["groups"][i]["max_points"] = add(d["groups"][i]["max_points"], CENT)
    broken["scale"] = add(d["scale"], CENT)

    expect(data.draw(s.yaml_text(broken)), ("groups", i, "max_points"), "but its criteria add up")


@SETTINGS
@given(st.data())
def test_groups_that_do_not_add_up_to_the_scale_are_refused_at_the_scale(
    data: st.DataObject,
) -> None:
    d = data.draw(tables())
    broken = s.replaced(d, ("scale",), add(d["scale"], data.draw(cents)))

    expect(data.draw(s.yaml_text(broken)), ("scale",), "the groups add up to")


@SETTINGS
@given(st.data())
def test_a_qualitative_criterion_without_its_top_or_zero_level_is_refused(
    data: st.DataObject,
) -> None:
    d = data.draw(tables().filter(lambda t: paths_of_criteria(t, "qualitative")))
    path = data.draw(st.sampled_from(paths_of_criteria(d, "qualitative")))
    criterion = s.get(d, path)
    top = data.draw(st.booleans())
    dropped = criterion["max_points"] if top else 0
    levels = [x for x in criterion["levels"] if x["points"] != dropped]
    broken = s.replaced(d, (*path, "levels"), levels)

    says = "the top level gives" if top else "needs a level worth 0 points"
    expect(data.draw(s.yaml_text(broken)), (*path, "levels"), says)


@SETTINGS
@given(st.data())
def test_a_formula_is_required_by_quantitative_criteria_and_refused_by_qualitative_ones(
    data: st.DataObject,
) -> None:
    d = data.draw(tables())
    path = data.draw(st.sampled_from(paths_of_criteria(d)))
    if s.get(d, path)["kind"] == "quantitative":
        broken = s.deleted(d, (*path, "formula"))
        says, line_path = "needs a formula", path
    else:
        broken = s.replaced(d, (*path, "formula"), data.draw(st.sampled_from(FORMULAS)))
        says, line_path = "only applies to quantitative criteria", (*path, "formula")

    expect(data.draw(s.yaml_text(broken)), (*path, "formula"), says, line_path)


@SETTINGS
@given(st.data())
def test_a_criterion_code_used_twice_is_refused_at_the_second(data: st.DataObject) -> None:
    d = data.draw(tables())
    path = data.draw(st.sampled_from(paths_of_criteria(d)))
    i = int(path[1])
    criterion = s.get(d, path)
    broken = copy.deepcopy(d)
    group = broken["groups"][i]
    group["criteria"].append(copy.deepcopy(criterion))
    group["max_points"] = add(group["max_points"], Decimal(repr(criterion["max_points"])))
    broken["scale"] = add(d["scale"], Decimal(repr(criterion["max_points"])))
    text = data.draw(s.yaml_text(broken))

    second = ("groups", i, "criteria", len(group["criteria"]) - 1, "code")
    exc = s.refused(load, text, FILE)
    assert [(e.line, e.path) for e in exc.errors] == [
        (s.line_at(text, second), format_path(second))
    ]
    assert "already defined" in exc.errors[0].message


@SETTINGS
@given(st.data())
def test_points_with_more_than_two_decimals_are_refused(data: st.DataObject) -> None:
    d = data.draw(tables())
    path = (*data.draw(st.sampled_from(paths_of_criteria(d))), "max_points")
    broken = s.replaced(d, path, data.draw(st.integers(1, 99)) + 0.005)

    expect(data.draw(s.yaml_text(broken)), path, "at most 2 decimal places")


REQUIRED = {
    "table": ("code", "title", "scale", "appeal_days", "gap_threshold", "groups"),
    "label": ("vi", "en"),
    "group": ("code", "title", "max_points", "criteria"),
    "criterion": ("code", "title", "max_points", "kind"),
    "level": ("points", "label"),
    "adjustment": ("code", "title", "kind", "points", "max_points"),
}


def kind_of(path: s.Path) -> str | None:
    if path == ():
        return "table"
    if path[-1] in ("title", "label"):
        return "label"
    shapes = {("groups", 0): "group", ("groups", 0, "criteria", 0): "criterion",
              ("groups", 0, "criteria", 0, "levels", 0): "level", ("adjustments", 0): "adjustment"}
    return shapes.get(tuple(0 if isinstance(k, int) else k for k in path))


@SETTINGS
@given(st.data())
def test_a_missing_required_key_is_refused_at_its_mapping(data: st.DataObject) -> None:
    d = data.draw(tables())
    required = [
        (*p, key) for p, v in s.walk(d) if isinstance(v, dict) and kind_of(p)
        for key in REQUIRED[str(kind_of(p))]
    ]
    path = data.draw(st.sampled_from(required))

    text = data.draw(s.yaml_text(s.deleted(d, path)))

    expect(text, path, f"missing required key '{path[-1]}'", path[:-1])


@SETTINGS
@given(st.data())
def test_an_unknown_key_is_reported_at_its_own_line(data: st.DataObject) -> None:
    d = data.draw(tables())
    path = data.draw(st.sampled_from([p for p, v in s.walk(d) if isinstance(v, dict)]))
    broken = copy.deepcopy(d)
    s.get(broken, path)[s.UNKNOWN_KEY] = [1]

    expect(data.draw(s.yaml_text(broken)), (*path, s.UNKNOWN_KEY), "unknown key")


@SETTINGS
@given(st.data())
def test_a_value_of_the_wrong_type_is_refused_at_its_path(data: st.DataObject) -> None:
    d = data.draw(tables())
    path = data.draw(st.sampled_from([p for p, _ in s.walk(d) if p]))
    wrong = 7 if isinstance(s.get(d, path), dict | list) else {"zz": [1]}
    text = data.draw(s.yaml_text(s.replaced(d, path, wrong)))

    exc = s.refused(load, text, FILE)

    assert any(s.under(e.path, path) for e in exc.errors), (path, exc.errors)


# --- arbitrary input ----------------------------------------------------------------------


def round_trips_if_loaded(text: str) -> None:
    """Whatever the loader accepts survives dump and load; whatever it refuses is located."""
    result = s.outcome(load, text, FILE)
    if isinstance(result, CriteriaTable):
        assert load(dump_criteria_yaml(result)) == result


@SETTINGS
@given(st.data())
def test_any_node_swapped_for_arbitrary_yaml_never_crashes_the_loader(
    data: st.DataObject,
) -> None:
    d = data.draw(tables())
    path = data.draw(st.sampled_from([p for p, _ in s.walk(d) if p]))
    if data.draw(st.booleans()):
        value = data.draw(s.any_yaml)
        text = s.safe_dump(s.replaced(d, path, value), allow_unicode=True, sort_keys=False)
    else:
        depth = data.draw(st.sampled_from((1, MAX_DEPTH - 5, MAX_DEPTH + 1, 10 * MAX_DEPTH)))
        text = s.dumped_with_deep_node(d, path, depth)

    round_trips_if_loaded(text)


@SETTINGS
@given(st.data())
def test_random_bytes_inside_a_table_never_crash_the_loader(data: st.DataObject) -> None:
    text = s.safe_dump(data.draw(tables()), allow_unicode=True)
    round_trips_if_loaded(s.with_garbage(data, text))


@settings(SETTINGS, max_examples=300)
@given(st.one_of(st.text(), s.yaml_fragments))
def test_arbitrary_text_gives_a_table_or_located_errors(text: str) -> None:
    round_trips_if_loaded(text)


@settings(SETTINGS, max_examples=150)
@given(s.any_yaml)
def test_arbitrary_yaml_documents_give_a_table_or_located_errors(document: Any) -> None:
    round_trips_if_loaded(s.safe_dump(document, allow_unicode=True, sort_keys=False))


def test_numbers_beyond_float_precision_still_round_trip() -> None:
    text = dump_criteria_yaml(load(s.safe_dump(
        {"code": "big", "title": {"vi": "x", "en": "y"}, "scale": 12345678901234567.25,
         "appeal_days": 0, "gap_threshold": 1, "groups": [{
             "code": "g", "title": {"vi": "x", "en": "y"}, "max_points": 12345678901234567.25,
             "criteria": [{"code": "c", "title": {"vi": "x", "en": "y"},
                           "max_points": 12345678901234567.25, "kind": "quantitative",
                           "formula": "ratio"}]}]}
    )))

    assert load(text) == load(dump_criteria_yaml(load(text)))


def test_every_missing_key_of_an_empty_table_is_reported_at_line_1() -> None:
    exc = s.refused(load, "{}\n", FILE)

    assert {(e.line, e.message) for e in exc.errors} == {
        (1, f"missing required key '{key}'") for key in REQUIRED["table"]
    }
