"""Properties of the rule set loader, checked on generated rule sets.

The loader has no dump: a generated rule set is written as YAML and must load as exactly the
values it was generated from (shares as exact fractions). Every broken one is refused with
DefinitionErrors at a file and line; no input at all makes the loader raise anything else.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit import strategies as s
from workflow.definitions.rulesets_loader import SOURCED_KEYS, load_ruleset_text
from workflow.definitions.yamlsrc import MAX_DEPTH, format_path
from workflow.domain.labels import Label
from workflow.domain.roles import ROLES
from workflow.domain.rulesets import (
    COMPARISONS,
    DAY_BASES,
    TIE_RULES,
    TITLE_LEVELS,
    VOTE_BASES,
    Caps,
    ClusterVoteRule,
    Document,
    Fairness,
    RuleSet,
    Sourced,
    Title,
    VoteRule,
)

FILE = "definitions/rules/generated.yaml"
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
Draw = Callable[[st.SearchStrategy[Any]], Any]
Generated = tuple[dict[str, Any], RuleSet]


def load(text: str, file: str = FILE) -> RuleSet:
    return load_ruleset_text(text, file)


def label(d: dict[str, str]) -> Label:
    return Label(d["vi"], d["en"])


# --- valid rule sets ----------------------------------------------------------------------


@st.composite
def sourced(draw: Draw, values: st.SearchStrategy[tuple[Any, Any]]) -> tuple[dict[str, Any],
                                                                            Sourced[Any]]:
    """{value, basis, verified} as written, and the Sourced it loads as; `values` gives
    (written, loaded) pairs."""
    written, loaded = draw(values)
    basis, verified = draw(s.texts), draw(st.booleans())
    return {"value": written, "basis": basis, "verified": verified}, Sourced(loaded, basis,
                                                                            verified)


def same(values: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, Any]]:
    return values.map(lambda v: (v, v))


@st.composite
def shares(draw: Draw) -> tuple[Any, Fraction]:
    """A share as a person writes it, 0.9 or "2/3", with the exact fraction it means."""
    if draw(st.booleans()):
        whole = draw(st.integers(1, 12))
        part = draw(st.integers(1, whole))
        spaced = draw(st.sampled_from(("{}/{}", "{} / {}", " {}/{} ")))
        return spaced.format(part, whole), Fraction(part, whole)
    cents = draw(st.integers(1, 100))
    number = 1 if cents == 100 and draw(st.booleans()) else float(Decimal(cents) / 100)
    return number, Fraction(cents, 100)


@st.composite
def cluster_votes(draw: Draw) -> tuple[dict[str, Any], ClusterVoteRule]:
    threshold, loaded = draw(sourced(shares()))
    comparison = draw(st.sampled_from(COMPARISONS))
    basis = draw(st.sampled_from(VOTE_BASES))
    written = {"threshold": threshold, "comparison": comparison, "basis": basis}
    return written, ClusterVoteRule(threshold=loaded, basis=basis, comparison=comparison)


@st.composite
def votes(draw: Draw) -> tuple[dict[str, Any], VoteRule]:
    written, rule = draw(cluster_votes())
    secret, secret_loaded = draw(sourced(same(st.booleans())))
    quorum, quorum_loaded = draw(sourced(shares()))
    written = {**written, "secret": secret, "quorum": quorum}
    return written, VoteRule(rule.threshold, rule.basis, rule.comparison, secret_loaded,
                             quorum_loaded)


@st.composite
def titles(draw: Draw, code: str, documents: list[Document]) -> tuple[dict[str, Any], Title]:
    kind = draw(st.sampled_from(("collective", "individual")))
    vote, vote_loaded = draw(votes())
    needed = draw(st.lists(st.sampled_from(documents), min_size=1, unique=True))
    required, required_loaded = draw(sourced(st.just(
        ([d.code for d in needed], tuple(needed))
    )))
    written: dict[str, Any] = {
        "code": code, "label": draw(s.labels), "kind": kind,
        "level": draw(st.sampled_from(TITLE_LEVELS)),
        "decided_by": draw(st.sampled_from(sorted(ROLES))), "vote": vote,
        "required_documents": required,
    }
    cluster_vote = None
    if kind == "collective" and draw(st.booleans()):
        written["cluster_vote"], cluster_vote = draw(cluster_votes())
    caps = Caps()
    if draw(st.booleans()):
        per_cluster = share = None
        written["caps"] = {}
        if draw(st.booleans()):
            written["caps"]["per_cluster"], per_cluster = draw(sourced(same(st.integers(1, 9))))
        if draw(st.booleans()):
            written["caps"]["share_of_cluster_leaders"], share = draw(sourced(shares()))
        caps = Caps(per_cluster, share)
    ballot = 1
    if draw(st.booleans()):
        ballot = written["max_candidates_per_ballot"] = draw(st.integers(1, 5))
    loaded = Title(
        code=code, label=label(written["label"]), kind=kind, level=written["level"],
        decided_by=written["decided_by"], vote=vote_loaded,
        required_documents=required_loaded, cluster_vote=cluster_vote, caps=caps,
        max_candidates_per_ballot=ballot,
    )
    return written, loaded


@st.composite
def rule_sets(draw: Draw) -> Generated:
    """A valid rule set as written, and the RuleSet it must load as."""
    doc_codes = draw(st.lists(s.names, min_size=1, max_size=4, unique=True))
    documents = [Document(code, label(draw(s.labels))) for code in doc_codes]
    made = [draw(titles(code, documents))
            for code in draw(st.lists(s.names, min_size=1, max_size=3, unique=True))]
    start = draw(s.dates)
    end = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=dt.date(2199, 1, 1))))
    days = st.integers(1, 60)
    posting, posting_loaded = draw(sourced(same(days)))
    appraisal, appraisal_loaded = draw(sourced(same(days)))
    notice, notice_loaded = draw(sourced(same(days)))
    tie, tie_loaded = draw(sourced(same(st.sampled_from(TIE_RULES))))
    written: dict[str, Any] = {
        "code": draw(s.names), "version": draw(st.integers(1, 99)), "title": draw(s.labels),
        "effective_from": start, "effective_to": end,
        "legal_basis": draw(st.lists(s.texts, min_size=1, max_size=3)),
        "public_posting_days": posting,
        "public_posting_basis": draw(st.sampled_from(DAY_BASES)),
        "appraisal_working_days": appraisal, "return_notice_working_days": notice,
        "tie_rule": tie,
        "documents": [{"code": d.code, "label": {"vi": d.label.vi, "en": d.label.en}}
                      for d in documents],
        "titles": [w for w, _ in made],
    }
    fairness = Fairness()
    if draw(st.booleans()):
        written["fairness"] = draw(st.fixed_dictionaries({}, optional={
            "leader_wins_own": st.booleans(), "same_winner_years": st.integers(2, 9),
            "top_rank": st.integers(1, 9),
        }))
        fairness = Fairness(**written["fairness"])
    if end is None and draw(st.booleans()):
        del written["effective_to"]
    loaded = RuleSet(
        code=written["code"], version=written["version"], title=label(written["title"]),
        effective_from=start, effective_to=end, legal_basis=tuple(written["legal_basis"]),
        public_posting_days=posting_loaded,
        public_posting_basis=written["public_posting_basis"],
        appraisal_working_days=appraisal_loaded, return_notice_working_days=notice_loaded,
        tie_rule=tie_loaded, titles=tuple(t for _, t in made), documents=tuple(documents),
        fairness=fairness, source_path=FILE,
    )
    return written, loaded


@SETTINGS
@given(st.data())
def test_a_generated_rule_set_loads_as_exactly_the_values_it_was_written_with(
    data: st.DataObject,
) -> None:
    written, expected = data.draw(rule_sets())

    assert load(data.draw(s.yaml_text(written))) == expected


@SETTINGS
@given(rule_sets())
def test_a_rule_set_written_by_yaml_safe_dump_loads_the_same(generated: Generated) -> None:
    written, expected = generated

    assert load(s.safe_dump(written, allow_unicode=True, sort_keys=False)) == expected


# --- broken rule sets are refused at their line -------------------------------------------


def sourced_paths(d: dict[str, Any]) -> list[s.Path]:
    return [p for p, v in s.walk(d) if isinstance(v, dict) and set(v) == set(SOURCED_KEYS)]


def share_paths(d: dict[str, Any]) -> list[s.Path]:
    names = ("threshold", "quorum", "share_of_cluster_leaders")
    return [(*p, "value") for p in sourced_paths(d) if p[-1] in names]


def expect(text: str, path: s.Path, says: str, line_path: s.Path | None = None) -> None:
    """Loading `text` is refused with an error at `path`, on its line, that says `says`."""
    exc = s.refused(load, text, FILE)
    line = s.line_at(text, path if line_path is None else line_path)
    found = [(e.line, e.path) for e in exc.errors if says in e.message]
    assert (line, format_path(path)) in found, exc.errors


@SETTINGS
@given(st.data())
def test_a_bare_value_where_a_sourced_one_is_needed_is_refused(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    path = data.draw(st.sampled_from(sourced_paths(written)))
    text = data.draw(s.yaml_text(s.replaced(written, path, s.get(written, path)["value"])))

    expect(text, path, "give value, basis and verified")


@SETTINGS
@given(st.data())
def test_a_share_above_one_or_not_above_zero_is_refused(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    path = data.draw(st.sampled_from(share_paths(written)))
    bad = data.draw(st.sampled_from((1.5, 2, "3/2", "7/4", 0, 0.0, "0/5", -0.5)))
    text = data.draw(s.yaml_text(s.replaced(written, path, bad)))

    expect(text, path, "must be more than 0 and at most 1")


@SETTINGS
@given(st.data())
def test_a_share_that_is_no_number_or_fraction_is_refused(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    path = data.draw(st.sampled_from(share_paths(written)))
    bad = data.draw(st.sampled_from(("2/0", "two thirds", "1/2/3", "", ".5/1", True, None)))
    text = data.draw(s.yaml_text(s.replaced(written, path, bad)))

    exc = s.refused(load, text, FILE)

    assert any(e.path == format_path(path) for e in exc.errors), exc.errors


@SETTINGS
@given(st.data())
def test_an_unknown_role_is_refused_with_the_closest_one(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    i = data.draw(st.integers(0, len(written["titles"]) - 1))
    role = written["titles"][i]["decided_by"]
    path = ("titles", i, "decided_by")
    text = data.draw(s.yaml_text(s.replaced(written, path, role[:-1] + "x")))

    expect(text, path, f"unknown role '{role[:-1]}x' (did you mean '{role}'?)")


@SETTINGS
@given(st.data())
def test_an_unknown_document_of_a_title_is_refused_at_its_line(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    i = data.draw(st.integers(0, len(written["titles"]) - 1))
    listed = written["titles"][i]["required_documents"]["value"]
    path = ("titles", i, "required_documents", "value", len(listed))
    broken = copy.deepcopy(written)
    s.get(broken, path[:-1]).append(s.UNKNOWN_NAME)

    expect(data.draw(s.yaml_text(broken)), path, f"unknown document '{s.UNKNOWN_NAME}'")


@SETTINGS
@given(st.data())
def test_an_end_before_the_start_is_refused_at_the_end(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    start = written["effective_from"]
    end = start - dt.timedelta(days=data.draw(st.integers(1, 400)))

    text = data.draw(s.yaml_text(s.replaced(written, ("effective_to",), end)))

    expect(text, ("effective_to",), "is before effective_from")


@SETTINGS
@given(st.data())
def test_a_cluster_vote_on_an_individual_title_is_refused(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    i = data.draw(st.integers(0, len(written["titles"]) - 1))
    broken = copy.deepcopy(written)
    broken["titles"][i]["kind"] = "individual"
    broken["titles"][i]["cluster_vote"] = copy.deepcopy(broken["titles"][i]["vote"])
    for key in ("secret", "quorum"):
        del broken["titles"][i]["cluster_vote"][key]

    text = data.draw(s.yaml_text(broken))

    expect(text, ("titles", i, "cluster_vote"), "only applies to collective titles")


REQUIRED = {
    (): ("code", "version", "title", "effective_from", "legal_basis", "public_posting_days",
         "public_posting_basis", "appraisal_working_days", "return_notice_working_days",
         "tie_rule", "documents", "titles"),
    ("documents", 0): ("code", "label"),
    ("titles", 0): ("code", "label", "kind", "level", "decided_by", "vote",
                    "required_documents"),
    ("titles", 0, "vote"): ("threshold", "comparison", "basis", "secret", "quorum"),
    ("titles", 0, "cluster_vote"): ("threshold", "comparison", "basis"),
}


def required_keys(d: dict[str, Any]) -> list[s.Path]:
    out = []
    for path, value in s.walk(d):
        if not isinstance(value, dict):
            continue
        shape = tuple(0 if isinstance(k, int) else k for k in path)
        if path and path[-1] in ("title", "label"):
            keys: tuple[str, ...] = ("vi", "en")
        elif set(value) == set(SOURCED_KEYS):
            keys = SOURCED_KEYS
        else:
            keys = REQUIRED.get(shape, ())
        out += [(*path, key) for key in keys]
    return out


@SETTINGS
@given(st.data())
def test_a_missing_required_key_is_refused_at_its_mapping(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    path = data.draw(st.sampled_from(required_keys(written)))

    text = data.draw(s.yaml_text(s.deleted(written, path)))

    expect(text, path, f"missing required key '{path[-1]}'", path[:-1])


@SETTINGS
@given(st.data())
def test_an_unknown_key_is_reported_at_its_own_line(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    path = data.draw(st.sampled_from([p for p, v in s.walk(written) if isinstance(v, dict)]))
    broken = copy.deepcopy(written)
    s.get(broken, path)[s.UNKNOWN_KEY] = True

    expect(data.draw(s.yaml_text(broken)), (*path, s.UNKNOWN_KEY), "unknown key")


@SETTINGS
@given(st.data())
def test_a_value_of_the_wrong_type_is_refused_at_its_path(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    paths = [p for p, v in s.walk(written) if p and v is not None]
    path = data.draw(st.sampled_from(paths))
    wrong = 7 if isinstance(s.get(written, path), dict | list) else {"zz": [1]}
    text = data.draw(s.yaml_text(s.replaced(written, path, wrong)))

    exc = s.refused(load, text, FILE)

    assert any(s.under(e.path, path) for e in exc.errors), (path, exc.errors)


# --- arbitrary input ----------------------------------------------------------------------


def loads_or_is_located(text: str) -> None:
    s.outcome(load, text, FILE)


@SETTINGS
@given(st.data())
def test_any_node_swapped_for_arbitrary_yaml_never_crashes_the_loader(
    data: st.DataObject,
) -> None:
    written, _ = data.draw(rule_sets())
    path = data.draw(st.sampled_from([p for p, _ in s.walk(written) if p]))
    if data.draw(st.booleans()):
        value = data.draw(s.any_yaml)
        text = s.safe_dump(s.replaced(written, path, value), allow_unicode=True, sort_keys=False)
    else:
        depth = data.draw(st.sampled_from((1, MAX_DEPTH - 5, MAX_DEPTH + 1, 10 * MAX_DEPTH)))
        text = s.dumped_with_deep_node(written, path, depth)

    loads_or_is_located(text)


@SETTINGS
@given(st.data())
def test_random_bytes_inside_a_rule_set_never_crash_the_loader(data: st.DataObject) -> None:
    written, _ = data.draw(rule_sets())
    text = s.safe_dump(written, allow_unicode=True)
    loads_or_is_located(s.with_garbage(data, text))


@settings(SETTINGS, max_examples=300)
@given(st.one_of(st.text(), s.yaml_fragments))
def test_arbitrary_text_gives_a_rule_set_or_located_errors(text: str) -> None:
    loads_or_is_located(text)


@settings(SETTINGS, max_examples=150)
@given(s.any_yaml)
def test_arbitrary_yaml_documents_give_a_rule_set_or_located_errors(document: Any) -> None:
    loads_or_is_located(s.safe_dump(document, allow_unicode=True, sort_keys=False))
