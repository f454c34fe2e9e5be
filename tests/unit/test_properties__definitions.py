"""Properties of the workflow definition loader, checked on generated definitions.

Every valid definition loads, keeps every value it was written with and survives dump and
load; every broken one is refused with DefinitionErrors located at a file and line; no input at
all makes the loader raise anything else.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml
import yaml.scanner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit import strategies as s
from workflow.bootstrap import default_registry
from workflow.definitions import yamlsrc
from workflow.definitions.files import CheckedMemo
from workflow.definitions.workflow_loader import dump_yaml, load_text, spec_to_dict
from workflow.definitions.workflow_schema import DEADLINE_KINDS
from workflow.definitions.yamlsrc import MAX_DEPTH, format_path
from workflow.domain.roles import ROLES, SYSTEM_ROLE
from workflow.engine.spec import WorkflowSpec

FILE = "definitions/generated.yaml"
REGISTRY = default_registry()
ROLE_NAMES = sorted(ROLES)
BARE_GUARDS = sorted(n for n, e in REGISTRY.guards.items() if not e.params().load_fields)
BARE_EFFECTS = sorted(n for n, e in REGISTRY.effects.items() if not e.params().load_fields)
unique_names = st.lists(s.names, min_size=1, max_size=3, unique=True)
PARAM_GUARDS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "data_present": st.fixed_dictionaries({"fields": unique_names}),
    "data_equals": st.fixed_dictionaries({"field": s.names, "value": s.plain_values}),
    "documents_present": st.fixed_dictionaries({"kinds": unique_names}),
    "children_in_state": st.fixed_dictionaries({
        "workflow": s.names,
        "states": st.lists(st.text(max_size=8), min_size=1, max_size=3),
        "count": st.one_of(st.sampled_from(("all", "any")), st.integers(1, 50)),
    }),
}
PARAM_EFFECTS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "copy_payload": st.fixed_dictionaries({"fields": unique_names}),
    "set_data": st.fixed_dictionaries({"field": s.names, "value": s.plain_values}),
    "record_time": st.fixed_dictionaries({"field": s.names}),
    "increment": st.fixed_dictionaries({"field": s.names}),
    "note": st.fixed_dictionaries({"text": st.text(min_size=1, max_size=40)}),
    "penalize_missing_reports": st.fixed_dictionaries(
        {"period": st.sampled_from(("six_month", "year_end"))}
    ),
}
roles = st.lists(st.sampled_from(ROLE_NAMES), min_size=1, max_size=3, unique=True)
counts = st.one_of(st.sampled_from(("all", "any")), st.integers(1, 9))
some_names = st.lists(s.names, max_size=3, unique=True)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
Draw = Callable[[st.SearchStrategy[Any]], Any]


def load(text: str, file: str = FILE) -> WorkflowSpec:
    return load_text(text, file, REGISTRY)


# --- valid definitions --------------------------------------------------------------------


def calls(bare: list[str], with_params: dict[str, st.SearchStrategy[dict[str, Any]]]) -> Any:
    """Guards or effects as spec_to_dict writes them: a bare name, or {name, params}."""
    named = st.sampled_from(bare)
    param = st.sampled_from(sorted(with_params)).flatmap(
        lambda n: with_params[n].map(lambda p: {"name": n, "params": p})
    )
    return st.lists(st.one_of(named, param), max_size=2)


guards = calls(BARE_GUARDS, PARAM_GUARDS)
effects = calls(BARE_EFFECTS, PARAM_EFFECTS)


@st.composite
def deadlines(draw: Draw) -> dict[str, Any]:
    kind = draw(st.sampled_from(DEADLINE_KINDS))
    out: dict[str, Any] = {}
    after = None
    if kind == "date":
        out["date"] = draw(s.dates)
    elif kind == "campaign_date":
        key = r"(?:[a-z0-9]|\{[a-z][a-z0-9_]{0,5}\})(?:[a-z0-9_]|\{[a-z][a-z0-9_]{0,5}\}){0,8}"
        out["campaign_date"] = draw(st.from_regex(key, fullmatch=True))
        offset = draw(st.integers(-30, 30))
        if offset:
            out["offset_days"] = offset
    else:
        after = draw(st.integers(1, 60))
        out[kind] = after
    remind = draw(st.lists(st.integers(1, max(after or 61, 2) - 1), unique=True, max_size=3))
    if remind and (after is None or after > 1):
        out["remind"] = sorted(remind, reverse=True)
    if draw(st.booleans()):
        out["escalate_to"] = draw(st.sampled_from(ROLE_NAMES))
    return out


@st.composite
def definitions(draw: Draw) -> dict[str, Any]:
    """A valid definition in the canonical shape of spec_to_dict.

    Every state is reached from the initial one (each has an earlier open state leading to
    it), every open state has a way out, triggers never lead two ways from one state, and a
    deadline's timeout names a trigger that leaves its state and lists the system role.
    """
    count = draw(st.integers(2, 6))
    state_names = draw(st.lists(s.names, min_size=count, max_size=count, unique=True))
    final = {name: i > 0 and draw(st.booleans()) for i, name in enumerate(state_names)}
    open_states = [n for n in state_names if not final[n]]
    edges: list[tuple[list[str], str]] = []
    for i, name in enumerate(state_names[1:], start=1):
        parent = draw(st.sampled_from([n for n in state_names[:i] if not final[n]]))
        edges.append(([parent], name))
    for name in open_states:
        if not any(name in src and dest != name for src, dest in edges):
            edges.append(([name], draw(st.sampled_from([n for n in state_names if n != name]))))
    for _ in range(draw(st.integers(0, 3))):
        sources = draw(st.lists(st.sampled_from(open_states), min_size=1, max_size=3,
                                unique=True))
        edges.append((sources, draw(st.sampled_from(state_names))))
    edges = draw(st.permutations(edges))

    used: dict[str, set[str]] = {}
    transitions: list[dict[str, Any]] = []
    for sources, dest in edges:
        free = [t for t, srcs in used.items() if not srcs & set(sources)]
        if free and draw(st.booleans()):
            trigger = draw(st.sampled_from(free))
        else:
            trigger = draw(s.names)
            while used.get(trigger, set()) & set(sources):
                trigger += "_"
        used.setdefault(trigger, set()).update(sources)
        transitions.append(draw(transition(trigger, sources, dest)))

    states: list[dict[str, Any]] = []
    for name in state_names:
        state: dict[str, Any] = {"name": name, "label": draw(s.labels)}
        if final[name]:
            state["final"] = True
        tags = draw(some_names)
        if tags:
            state["tags"] = tags
        if draw(st.integers(0, 2)) == 0:
            state["deadline"] = draw(deadlines())
            leaving = [t for t in transitions if name in t["source"] and t["dest"] != name]
            if leaving and draw(st.booleans()):
                timeout = draw(st.sampled_from(leaving))
                state["deadline"]["timeout"] = timeout["trigger"]
                if SYSTEM_ROLE not in timeout["roles"]:
                    timeout["roles"].append(SYSTEM_ROLE)
        states.append(state)

    out: dict[str, Any] = {"name": draw(s.names)}
    if draw(st.booleans()):
        out["version"] = draw(st.integers(1, 10**6))
    out["title"] = draw(s.labels)
    out["subject"] = draw(s.names)
    out["initial"] = state_names[0]
    description = draw(st.text(max_size=40))
    if description:
        out["description"] = description
    out["states"] = draw(st.permutations(states))
    out["transitions"] = transitions
    return out


@st.composite
def transition(draw: Draw, trigger: str, sources: list[str], dest: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "trigger": trigger,
        "source": sources,
        "dest": dest,
        "label": draw(s.labels),
        "roles": draw(roles),
    }
    optional = {
        "guards": draw(guards),
        "required_fields": draw(some_names),
        "required_documents": draw(some_names),
        "effects": draw(effects),
        "spawn": draw(spawn_lists),
    }
    out.update((key, value) for key, value in optional.items() if value)
    if draw(st.integers(0, 3)) == 0:
        out["join"] = {
            "workflow": draw(s.names),
            "state": draw(unique_names),
            "count": draw(counts),
        }
    if draw(st.integers(0, 3)) == 0:
        out["auto"] = True
        if SYSTEM_ROLE not in out["roles"]:
            out["roles"].append(SYSTEM_ROLE)
        if "join" not in out and "guards" not in out:
            out["join"] = {"workflow": draw(s.names), "state": ["done"], "count": "all"}
    return out


@st.composite
def spawns(draw: Draw) -> dict[str, Any]:
    out: dict[str, Any] = {"workflow": draw(s.names)}
    if draw(st.booleans()):
        out["per"] = "member_unit"
    else:
        out["per"] = "item"
        out["items_field"] = draw(s.names)
        key = draw(s.names)
        if key != "item":
            out["item_key"] = key
    data = draw(spawn_data)
    if data:
        out["data"] = data
    return out


spawn_data = st.dictionaries(s.names, s.plain_values, max_size=2)
spawn_lists = st.lists(spawns(), max_size=2)


@st.composite
def written_differently(draw: Draw, canonical: dict[str, Any]) -> dict[str, Any]:
    """The same definition with the shorthands and defaults a person may write."""
    d = copy.deepcopy(canonical)
    open_states = [x["name"] for x in d["states"] if not x.get("final")]
    for state in d["states"]:
        if "final" not in state and draw(st.booleans()):
            state["final"] = False
        if "tags" not in state and draw(st.booleans()):
            state["tags"] = []
        deadline = state.get("deadline")
        if deadline and deadline.get("remind") and draw(st.booleans()):
            deadline["remind"] = draw(st.permutations(deadline["remind"] * 2))
        if deadline and "date" in deadline and draw(st.booleans()):
            deadline["date"] = deadline["date"].isoformat()
    for t in d["transitions"]:
        if t["source"] == open_states and draw(st.booleans()):
            t["source"] = "*"
        elif len(t["source"]) == 1 and draw(st.booleans()):
            t["source"] = t["source"][0]
        for key in ("guards", "effects"):
            if key not in t and draw(st.booleans()):
                t[key] = []
            for i, call in enumerate(t.get(key, [])):
                if isinstance(call, str) and draw(st.booleans()):
                    t[key][i] = draw(st.sampled_from(
                        ({"name": call}, {"name": call, "params": {}},
                         {"name": call, "params": None})
                    ))
        if "auto" not in t and draw(st.booleans()):
            t["auto"] = False
        join = t.get("join")
        if join and len(join["state"]) == 1 and draw(st.booleans()):
            join["state"] = join["state"][0]
        if join and join["count"] == "all" and draw(st.booleans()):
            del join["count"]
        for spawn in t.get("spawn", []):
            if spawn["per"] == "item" and "item_key" not in spawn and draw(st.booleans()):
                spawn["item_key"] = "item"
    if "description" not in d and draw(st.booleans()):
        d["description"] = ""
    return d


# --- valid definitions load, keep their values, and round-trip ----------------------------


@SETTINGS
@given(st.data())
def test_a_generated_definition_loads_with_every_value_it_was_written_with(
    data: st.DataObject,
) -> None:
    canonical = data.draw(definitions())
    text = data.draw(s.yaml_text(data.draw(written_differently(canonical))))

    spec = load(text)

    assert spec_to_dict(spec) == canonical
    assert spec.source_path == FILE


@SETTINGS
@given(definitions())
def test_a_loaded_definition_survives_dump_yaml_and_load(canonical: dict[str, Any]) -> None:
    spec = load(s.safe_dump(canonical, allow_unicode=True, sort_keys=False))

    assert load(dump_yaml(spec)) == spec


@SETTINGS
@given(st.data())
def test_load_dump_load_through_a_hand_written_style_gives_the_same_spec(
    data: st.DataObject,
) -> None:
    spec = load(data.draw(s.yaml_text(data.draw(definitions()))))

    again = load(data.draw(s.yaml_text(spec_to_dict(spec))))

    assert again == spec
    assert load(dump_yaml(again)) == spec


# --- broken definitions are refused at their line -----------------------------------------

REQUIRED = {
    "workflow": ("name", "title", "subject", "initial", "states", "transitions"),
    "label": ("vi", "en"),
    "state": ("name", "label"),
    "transition": ("trigger", "source", "dest", "label", "roles"),
    "call": ("name",),
    "spawn": ("workflow", "per"),
    "join": ("workflow", "state"),
}


def kind_of(path: s.Path) -> str | None:
    """What the mapping at `path` of a canonical definition is."""
    if path == ():
        return "workflow"
    if path[-1] in ("label", "title"):
        return "label"
    if len(path) == 2:
        return {"states": "state", "transitions": "transition"}[str(path[0])]
    if len(path) == 4 and path[2] in ("guards", "effects"):
        return "call"
    if len(path) == 4 and path[2] == "spawn":
        return "spawn"
    if len(path) == 3 and path[2] == "join":
        return "join"
    return None


def is_free(path: s.Path) -> bool:
    """Inside a value the loader takes as it is (data_equals' value, a spawn's data)."""
    for i in range(1, len(path)):
        if path[i - 1] == "params" and path[i] == "value":
            return True
        if path[i - 1] == "data" and i >= 3 and path[i - 3] == "spawn":
            return True
    return False


def takes_any_key(path: s.Path) -> bool:
    """A spawn's data: a mapping of whatever the children start with."""
    return len(path) >= 3 and path[-1] == "data" and path[-3] == "spawn"


def required_keys(d: dict[str, Any]) -> list[s.Path]:
    out = []
    for path, value in s.walk(d):
        if isinstance(value, dict) and not is_free(path):
            kind = kind_of(path)
            if kind is not None:
                out += [(*path, key) for key in REQUIRED[kind] if key in value]
            if path[-1:] == ("deadline",):
                out += [(*path, key) for key in DEADLINE_KINDS if key in value]
            if len(path) >= 2 and path[-1] == "params":
                out += [(*path, key) for key in value if key != "count"]
    return out


@SETTINGS
@given(st.data())
def test_a_missing_required_key_is_refused(data: st.DataObject) -> None:
    d = data.draw(definitions())
    path = data.draw(st.sampled_from(required_keys(d)))
    text = data.draw(s.yaml_text(s.deleted(d, path)))

    exc = s.refused(load, text, FILE)

    parent = format_path(path[:-1])
    assert any(
        s.under(e.path, path) or (e.path == parent and "give exactly one" in e.message)
        for e in exc.errors
    ), (path, exc.errors)


def references(d: dict[str, Any]) -> list[s.Path]:
    out: list[s.Path] = [("initial",)]
    for j, t in enumerate(d["transitions"]):
        out.append(("transitions", j, "dest"))
        out += [("transitions", j, "source", k) for k in range(len(t["source"]))]
    return out


@SETTINGS
@given(st.data())
def test_an_unknown_state_is_reported_at_the_line_that_names_it(data: st.DataObject) -> None:
    d = data.draw(definitions())
    path = data.draw(st.sampled_from(references(d)))
    text = data.draw(s.yaml_text(s.replaced(d, path, s.UNKNOWN_NAME)))

    exc = s.refused(load, text, FILE)

    where = (s.line_of(text, s.UNKNOWN_NAME), format_path(path))
    unknown = [(e.line, e.path) for e in exc.errors if f"'{s.UNKNOWN_NAME}'" in e.message]
    assert where in unknown, exc.errors


@SETTINGS
@given(st.data())
def test_an_unknown_key_is_reported_at_its_own_line(data: st.DataObject) -> None:
    d = data.draw(definitions())
    mappings = [
        p for p, v in s.walk(d) if isinstance(v, dict) and not is_free(p) and not takes_any_key(p)
    ]
    path = data.draw(st.sampled_from(mappings))
    broken = copy.deepcopy(d)
    s.get(broken, path)[s.UNKNOWN_KEY] = 1
    text = data.draw(s.yaml_text(broken))

    exc = s.refused(load, text, FILE)

    key_path = format_path((*path, s.UNKNOWN_KEY))
    assert (s.line_of(text, s.UNKNOWN_KEY), key_path) in [(e.line, e.path) for e in exc.errors]


@SETTINGS
@given(st.data())
def test_an_open_state_without_a_way_out_is_refused(data: st.DataObject) -> None:
    d = data.draw(definitions())
    dead = data.draw(st.sampled_from([x["name"] for x in d["states"] if not x.get("final")]))
    broken = copy.deepcopy(d)
    for t in broken["transitions"]:
        t["source"] = [n for n in t["source"] if n != dead]
    broken["transitions"] = [t for t in broken["transitions"] if t["source"]]
    text = data.draw(s.yaml_text(broken))

    exc = s.refused(load, text, FILE)

    expected = "no transition leaves it" if broken["transitions"] else "at least one transition"
    assert any(expected in e.message for e in exc.errors), exc.errors


@SETTINGS
@given(st.data())
def test_a_trigger_defined_twice_from_one_state_is_refused(data: st.DataObject) -> None:
    d = data.draw(definitions())
    j = data.draw(st.integers(0, len(d["transitions"]) - 1))
    broken = copy.deepcopy(d)
    broken["transitions"].append(copy.deepcopy(d["transitions"][j]))
    text = data.draw(s.yaml_text(broken))

    exc = s.refused(load, text, FILE)

    copy_path = f"transitions[{len(d['transitions'])}].trigger"
    assert any(e.path == copy_path and "already defined" in e.message for e in exc.errors)


@SETTINGS
@given(st.data())
def test_a_value_of_the_wrong_type_is_refused_at_its_path(data: st.DataObject) -> None:
    d = data.draw(definitions())
    path = data.draw(st.sampled_from([p for p, _ in s.walk(d) if p and not is_free(p)]))
    wrong = 7 if isinstance(s.get(d, path), dict | list) else {"zz": [1]}
    text = data.draw(s.yaml_text(s.replaced(d, path, wrong)))

    exc = s.refused(load, text, FILE)

    assert any(s.under(e.path, path) for e in exc.errors), (path, exc.errors)


BREAKS = ("}", "]", 'zz: "never closed', "zz: a: b", "zz: [1, 2", "zz: {a: 1", "- zz", "\tzz: 1")


@SETTINGS
@given(st.data())
def test_broken_yaml_syntax_is_refused_with_a_line(data: st.DataObject) -> None:
    lines = data.draw(s.yaml_text(data.draw(definitions()))).splitlines()
    at = data.draw(st.integers(0, len(lines)))
    lines.insert(at, data.draw(st.sampled_from(BREAKS)))
    text = "\n".join(lines) + "\n"

    s.refused(load, text, FILE)


@SETTINGS
@given(definitions())
def test_a_second_document_in_the_file_is_refused_where_it_starts(d: dict[str, Any]) -> None:
    text = s.safe_dump(d, allow_unicode=True) + "---\nname: other\n"

    exc = s.refused(load, text, FILE)

    assert [(e.line, e.message) for e in exc.errors] == [(
        s.line_of(text, "---\nname: other"),
        "invalid YAML: a definition file holds one YAML document; another one starts here",
    )]


def round_trips_if_loaded(text: str) -> None:
    """Whatever the loader accepts survives dump and load; whatever it refuses is located."""
    result = s.outcome(load, text, FILE)
    if isinstance(result, WorkflowSpec):
        dumped = dump_yaml(result)
        again = load(dumped)
        assert dump_yaml(again) == dumped
        if ".nan" not in dumped:  # nan is not equal to itself
            assert again == result


@SETTINGS
@given(st.data())
def test_random_bytes_inside_a_definition_never_crash_the_loader(data: st.DataObject) -> None:
    text = s.safe_dump(data.draw(definitions()), allow_unicode=True)
    round_trips_if_loaded(s.with_garbage(data, text))


@SETTINGS
@given(st.data())
def test_any_node_swapped_for_arbitrary_yaml_never_crashes_the_loader(
    data: st.DataObject,
) -> None:
    d = data.draw(definitions())
    path = data.draw(st.sampled_from([p for p, _ in s.walk(d) if p]))
    if data.draw(st.booleans()):
        value = data.draw(s.any_yaml)
        text = s.safe_dump(s.replaced(d, path, value), allow_unicode=True, sort_keys=False)
    else:
        depth = data.draw(st.sampled_from((1, MAX_DEPTH - 5, MAX_DEPTH + 1, 10 * MAX_DEPTH)))
        text = s.dumped_with_deep_node(d, path, depth)

    round_trips_if_loaded(text)


@settings(SETTINGS, max_examples=10)
@given(st.data())
def test_huge_strings_load_as_labels_and_are_refused_as_names(data: st.DataObject) -> None:
    d = data.draw(definitions())
    huge = data.draw(st.sampled_from(("ạ", "Hồ sơ ", "x"))) * 100_000
    labelled = s.replaced(d, ("title", "vi"), huge)
    assert load(dump_yaml(load(s.safe_dump(labelled, allow_unicode=True)))).title.vi == huge

    named = s.replaced(d, ("initial",), "-" + huge)
    exc = s.refused(load, s.safe_dump(named, allow_unicode=True, width=10**7), FILE)
    assert [e.path for e in exc.errors] == ["initial"]


def test_nesting_deeper_than_the_limit_is_refused_at_its_line_without_crashing() -> None:
    # libyaml's composer overflows the C stack near 40,000 levels: this must not get there
    for depth in (MAX_DEPTH + 1, 1_000, 100_000):
        text = "name: x\nstates:\n  - " + "[" * depth + "]" * depth + "\n"

        exc = s.refused(load, text, FILE)

        assert [(e.line, e.message) for e in exc.errors] == [
            (3, f"the document nests deeper than {MAX_DEPTH} levels")
        ]


class _CappedScanner(yaml.SafeLoader):
    """A YAML reader that, like libyaml since PyYAML 6.0.4, refuses deep flow nesting itself,
    in its own words, a few levels past ours."""

    def increase_flow_level(self) -> None:
        super().increase_flow_level()  # type: ignore[misc]  # untyped in types-PyYAML
        if self.flow_level > MAX_DEPTH + 3:
            raise yaml.scanner.ScannerError(
                "while increasing flow level", None, "exceeded maximum nesting depth",
                self.get_mark())


@pytest.mark.parametrize("reader", [yaml.SafeLoader, _CappedScanner],
                         ids=["reader without a cap", "reader with a cap of its own"])
def test_over_deep_documents_get_our_sentence_whichever_reader_notices_first(
    monkeypatch: pytest.MonkeyPatch, reader: type[yaml.SafeLoader]
) -> None:
    monkeypatch.setattr(yamlsrc, "_FAST_LOADER", reader)
    CheckedMemo.forget_all()  # the same text must meet this reader, not a kept outcome
    text = "name: x\nstates:\n  - " + "[" * 500 + "]" * 500 + "\n"

    exc = s.refused(load, text, FILE)

    assert [(e.line, e.message) for e in exc.errors] == [
        (3, f"the document nests deeper than {MAX_DEPTH} levels")
    ]


def test_aliases_that_nest_deeper_than_the_limit_are_refused() -> None:
    levels = MAX_DEPTH // 2
    text = "a: &a " + "[" * levels + "1" + "]" * levels + "\n"
    text += "b: &b " + "[" * levels + "*a" + "]" * levels + "\n"
    text += "c: " + "[" * levels + "*b" + "]" * levels + "\n"

    exc = s.refused(load, text, FILE)

    assert [e.message for e in exc.errors] == [
        f"the document nests deeper than {MAX_DEPTH} levels"
    ]


def test_scalars_with_an_impossible_explicit_tag_are_refused_at_their_line() -> None:
    text = "name: x\ntitle: !!bool maybe\nsubject: !!int ''\ninitial: !!timestamp soon\n"
    text += "version: !!float ''\n? !!bool perhaps\n: 1\n"

    exc = s.refused(load, text, FILE)

    assert [str(e) for e in exc.errors] == [
        f"{FILE}:2 title: invalid bool: 'maybe'",
        f"{FILE}:3 subject: invalid int: ''",
        f"{FILE}:4 initial: invalid timestamp: 'soon'",
        f"{FILE}:5 version: invalid float: ''",
        f"{FILE}:6: invalid bool: 'perhaps'",
        f"{FILE}:6: keys must be text, got nothing (quote it)",
    ]


# --- arbitrary input ----------------------------------------------------------------------


@settings(SETTINGS, max_examples=150)
@given(st.text())
def test_arbitrary_text_gives_a_spec_or_located_errors(text: str) -> None:
    round_trips_if_loaded(text)


@settings(SETTINGS, max_examples=300)
@given(s.yaml_fragments)
def test_arbitrary_yaml_syntax_gives_a_spec_or_located_errors(text: str) -> None:
    round_trips_if_loaded(text)


@settings(SETTINGS, max_examples=80)
@given(s.any_yaml)
def test_arbitrary_yaml_documents_give_a_spec_or_located_errors(document: Any) -> None:
    round_trips_if_loaded(s.safe_dump(document, allow_unicode=True, sort_keys=False))
