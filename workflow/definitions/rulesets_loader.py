"""Load rule sets (bộ quy định) from YAML, reporting every problem at once.

    book = load_ruleset_paths(["definitions/rules"], base=ROOT)

Errors read like those of workflow definitions, `<file>:<line> <path>: <message>`, e.g.
`definitions/rules/2024.yaml:31 titles[0].vote.quorum.value: must be more than 0 and at most 1,
got 1.5`. The shape is checked with marshmallow (the field types of workflow.definitions.schema),
then the meaning: unique codes, known documents, dates in order; across files, unique versions
and effective ranges that do not overlap.

A legal value is written `{value: ..., basis: <legal text or practice>, verified: true|false}`,
optionally with `document`, `article`, `clause` (where the law says it) and `source` (the public
copy it was read in); a bare value is refused. A share is a number like 0.9 or a fraction like
"2/3". `time_limits` gives the limits of the ministry/province and commune levels; the top-level
appraisal_working_days and return_notice_working_days are the central level's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import marshmallow as ma
from marshmallow import types as ma_types

from workflow.definitions import yamlsrc
from workflow.definitions.criteria_loader import to_decimal
from workflow.definitions.files import CheckedMemo, checked_sources
from workflow.definitions.schema import (
    LABEL,
    REQUIRED,
    Bool,
    Choice,
    Date,
    Int,
    LabelSchema,
    Name,
    Names,
    Nested,
    NestedList,
    Text,
    check_list,
    each,
    load_source,
    unknown_keys,
)
from workflow.definitions.yamlsrc import Source, YamlPath, describe
from workflow.domain.impediments import KINDS as IMPEDIMENT_KINDS
from workflow.domain.roles import ROLES
from workflow.domain.rulesets import (
    COMPARISONS,
    DAY_BASES,
    QUOTA_ROUNDINGS,
    TIE_RULES,
    TITLE_KINDS,
    TITLE_LEVELS,
    VOTE_BASES,
    AdminLevel,
    BaseSalary,
    Caps,
    ClusterVoteRule,
    Document,
    Fairness,
    RuleBook,
    RuleSet,
    Sourced,
    TimeLimits,
    Title,
    VoteRule,
)
from workflow.errors import DefinitionError, DefinitionErrors, suggest

SOURCED_KEYS = ("value", "basis", "verified")  # required
CITATION_KEYS = ("document", "article", "clause", "source")  # optional texts
_FRACTION = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*\Z")

# --- fields -------------------------------------------------------------------------------


class _Field(ma.fields.Field[Any]):
    default_error_messages: ma_types.ErrorMessages = {
        "required": REQUIRED,
        "null": "has no value",
        "validator_failed": "invalid value",
    }


def to_share(value: Any) -> Fraction:
    """A number like 0.9 or a text like "2/3", exactly, more than 0 and at most 1."""
    match = _FRACTION.match(value) if isinstance(value, str) else None
    if match is not None and int(match.group(2)) != 0:
        share = Fraction(int(match.group(1)), int(match.group(2)))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        share = Fraction(to_decimal(value))
    else:
        raise ma.ValidationError(f"expected a share like 0.9 or 2/3, got {describe(value)}")
    if not 0 < share <= 1:
        raise ma.ValidationError(f"must be more than 0 and at most 1, got {describe(value)}")
    return share


class Share(_Field):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Fraction:
        return to_share(value)


class Coefficient(_Field):
    """A positive number like 4.5, exactly."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Decimal:
        number = to_decimal(value)
        if number <= 0:
            raise ma.ValidationError(f"must be more than 0, got {describe(value)}")
        return number


class Role(_Field):
    """A role of workflow.domain.roles.ROLES."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        if isinstance(value, str) and value in ROLES:
            return value
        if not isinstance(value, str):
            raise ma.ValidationError(f"expected a role, got {describe(value)}")
        hint = suggest(value, ROLES) or f" (roles: {', '.join(ROLES)})"
        raise ma.ValidationError(f"unknown role '{value}'{hint}")


class Texts(_Field):
    """A non-empty list of non-empty texts."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> tuple[str, ...]:
        items = check_list(value)
        if not items:
            raise ma.ValidationError("must list at least one legal text")
        return each(items, Text().deserialize)


class ImpedimentKinds(_Field):
    """A non-empty list of the kinds of impediment of workflow.domain.impediments.KINDS."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> tuple[str, ...]:
        items = check_list(value)
        if not items:
            raise ma.ValidationError("must list at least one kind of impediment")
        return each(items, Choice(tuple(IMPEDIMENT_KINDS)).deserialize)


class SourcedField(_Field):
    """{value, basis, verified}: the value loaded by `inner`, its legal basis, verified."""

    def __init__(self, inner: ma.fields.Field[Any], **kw: Any) -> None:
        super().__init__(**kw)
        self.inner = inner

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Sourced[Any]:
        if not isinstance(value, Mapping):
            raise ma.ValidationError(
                f"expected a sourced value, got {describe(value)} alone: "
                "give value, basis and verified"
            )
        errors = unknown_keys(value, SOURCED_KEYS + CITATION_KEYS)
        loaded: dict[str, Any] = {}
        loaders: tuple[ma.fields.Field[Any], ...] = (self.inner, Text(), Bool())
        for key, field in zip(SOURCED_KEYS, loaders, strict=True):
            if key not in value:
                errors[key] = [f"missing required key '{key}'"]
                continue
            try:
                loaded[key] = field.deserialize(value[key])
            except ma.ValidationError as exc:
                errors[key] = exc.messages
        for key in CITATION_KEYS:
            if key not in value:
                continue
            raw = value[key]
            try:  # an article or clause may be written as a number
                loaded[key] = Text().deserialize(str(raw) if isinstance(raw, int) else raw)
            except ma.ValidationError as exc:
                errors[key] = exc.messages
        if errors:
            raise ma.ValidationError(errors)
        return Sourced(**loaded)


# --- schemas ------------------------------------------------------------------------------


class DocumentSchema(ma.Schema):
    code = Name(required=True)
    label = Nested(LabelSchema, required=True, expected=LABEL)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Document:
        return Document(**data)


class ClusterVoteSchema(ma.Schema):
    threshold = SourcedField(Share(), required=True)
    comparison = Choice(COMPARISONS, required=True)
    basis = Choice(VOTE_BASES, required=True)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> ClusterVoteRule:
        return ClusterVoteRule(**data)


class VoteSchema(ClusterVoteSchema):
    secret = SourcedField(Bool(), required=True)
    quorum = SourcedField(Share(), required=True)
    ballot_required = SourcedField(Bool(), load_default=None)
    absentees_in_writing = SourcedField(Bool(), load_default=None)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> VoteRule:
        return VoteRule(**data)


class CapsSchema(ma.Schema):
    per_cluster = SourcedField(Int(minimum=1), load_default=None)
    share_of_cluster_leaders = SourcedField(Share(), load_default=None)
    # how the share of the leading units becomes a whole number of dossiers
    leader_quota_rounding = SourcedField(Choice(QUOTA_ROUNDINGS), load_default=None)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Caps:
        return Caps(**data)


class TitleSchema(ma.Schema):
    """A title; its documents stay codes until the set's catalogue resolves them."""

    code = Name(required=True)
    label = Nested(LabelSchema, required=True, expected=LABEL)
    kind = Choice(TITLE_KINDS, required=True)
    level = Choice(TITLE_LEVELS, required=True)
    decided_by = Role(required=True)
    vote = Nested(VoteSchema, required=True)
    cluster_vote = Nested(ClusterVoteSchema, load_default=None)
    caps = Nested(CapsSchema, load_default=Caps())
    required_documents = SourcedField(
        Names(min_length=1, empty="must list at least one document"), required=True
    )
    max_candidates_per_ballot = Int(minimum=1, load_default=1)
    prize_coefficient = SourcedField(Coefficient(), load_default=None)


class BaseSalarySchema(ma.Schema):
    start = Date(data_key="from", required=True)
    amount = SourcedField(Int(minimum=1), required=True)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> BaseSalary:
        return BaseSalary(**data)


class LevelLimitsSchema(ma.Schema):
    appraisal_working_days = SourcedField(Int(minimum=1), required=True)
    return_notice_working_days = SourcedField(Int(minimum=1), required=True)


class TimeLimitsSchema(ma.Schema):
    """The limits of the levels below the central one (the central level's are top-level)."""

    ministry = Nested(LevelLimitsSchema, load_default=None)
    commune = Nested(LevelLimitsSchema, load_default=None)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> tuple[TimeLimits, ...]:
        levels: tuple[AdminLevel, ...] = ("ministry", "commune")
        return tuple(TimeLimits(level, **data[level]) for level in levels
                     if data.get(level) is not None)


class FairnessSchema(ma.Schema):
    leader_wins_own = Bool(load_default=True)
    same_winner_years = Int(minimum=2, load_default=3)
    top_rank = Int(minimum=1, load_default=3)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Fairness:
        return Fairness(**data)


class RuleSetSchema(ma.Schema):
    code = Name(required=True)
    version = Int(required=True, minimum=1)
    title = Nested(LabelSchema, required=True, expected=LABEL)
    effective_from = Date(required=True)
    effective_to = Date(load_default=None, allow_none=True)
    legal_basis = Texts(required=True)
    public_posting_days = SourcedField(Int(minimum=1), required=True)
    public_posting_basis = Choice(DAY_BASES, required=True)
    appraisal_working_days = SourcedField(Int(minimum=1), required=True)
    return_notice_working_days = SourcedField(Int(minimum=1), required=True)
    tie_rule = SourcedField(Choice(TIE_RULES), required=True)
    time_limits = Nested(TimeLimitsSchema, load_default=())
    replaces = SourcedField(Texts(), load_default=None)
    base_salary = NestedList(BaseSalarySchema, load_default=())
    prize_rounding = SourcedField(Int(minimum=1), load_default=None)
    cluster_quorum = SourcedField(Share(), load_default=None)
    applies_to_dossiers_received_from = SourcedField(Date(), load_default=None)
    women_priority_share = SourcedField(Share(), load_default=None)
    award_impediments = SourcedField(ImpedimentKinds(), load_default=None)
    fairness = Nested(FairnessSchema, load_default=Fairness())
    documents = NestedList(
        DocumentSchema, required=True, min_length=1, empty="must list at least one document"
    )
    titles = NestedList(
        TitleSchema, required=True, min_length=1, empty="must list at least one title"
    )


def _shape(src: Source) -> dict[str, Any]:
    loaded = load_source(RuleSetSchema, src)
    assert isinstance(loaded, dict)
    return loaded


# --- meaning ------------------------------------------------------------------------------


def _duplicates(
    src: Source, items: Iterable[Any], what: str, key: str
) -> Iterator[DefinitionError]:
    first: dict[str, YamlPath] = {}
    for i, item in enumerate(items):
        code = item["code"] if isinstance(item, dict) else item.code
        path: YamlPath = (key, i)
        if code in first:
            message = f"{what} '{code}' is already defined at {src.where(first[code])}"
            yield src.error((*path, "code"), message)
        else:
            first[code] = path


def _dates(data: dict[str, Any], src: Source) -> Iterator[DefinitionError]:
    start, end = data["effective_from"], data["effective_to"]
    if end is not None and end < start:
        message = f"effective_to {end.isoformat()} is before effective_from {start.isoformat()}"
        yield src.error(("effective_to",), message)


def _title_rules(data: dict[str, Any], src: Source) -> Iterator[DefinitionError]:
    known = list(dict.fromkeys(d.code for d in data["documents"]))
    for i, title in enumerate(data["titles"]):
        if title["cluster_vote"] is not None and title["kind"] != "collective":
            message = "a cluster vote only applies to collective titles"
            yield src.error(("titles", i, "cluster_vote"), message)
        for k, code in enumerate(title["required_documents"].value):
            if code not in known:
                hint = suggest(code, known) or f" (documents: {', '.join(known)})"
                path: YamlPath = ("titles", i, "required_documents", "value", k)
                yield src.error(path, f"unknown document '{code}'{hint}")


def _build(data: dict[str, Any], src: Source) -> RuleSet:
    catalogue = {d.code: d for d in data["documents"]}
    titles = []
    for title in data["titles"]:
        listed: Sourced[tuple[str, ...]] = title["required_documents"]
        documents = tuple(catalogue[code] for code in listed.value)
        titles.append(Title(**{**title, "required_documents": replace(listed, value=documents)}))
    salaries = tuple(sorted(data["base_salary"], key=lambda b: b.start))
    return RuleSet(**{**data, "titles": tuple(titles), "base_salary": salaries,
                      "source_path": src.file})


def _salaries(data: dict[str, Any], src: Source) -> Iterator[DefinitionError]:
    first: dict[Any, int] = {}
    for i, salary in enumerate(data["base_salary"]):
        if salary.start in first:
            where = src.where(("base_salary", first[salary.start]))
            message = f"a base salary from {salary.start.isoformat()} is already given at {where}"
            yield src.error(("base_salary", i, "from"), message)
        first.setdefault(salary.start, i)


def _check(src: Source) -> RuleSet:
    data = _shape(src)
    errors = [
        *_dates(data, src),
        *_duplicates(src, data["documents"], "document", "documents"),
        *_duplicates(src, data["titles"], "title", "titles"),
        *_title_rules(data, src),
        *_salaries(data, src),
    ]
    if errors:
        raise DefinitionErrors(errors)
    return _build(data, src)


_MEMO = CheckedMemo(_check)  # unchanged files are not parsed again


def _clashes(rule_set: RuleSet, src: Source, earlier: list[RuleSet]) -> Iterator[DefinitionError]:
    """A version given twice, or effective ranges that overlap, at the later file."""
    for other in earlier:
        if (other.code, other.version) == (rule_set.code, rule_set.version):
            message = f"rule set {other.name} is already defined in {other.source_path}"
            yield src.error(("version",), message)
        elif rule_set.overlaps(other):
            message = (
                f"rule set {rule_set.name} ({rule_set.period}) overlaps rule set {other.name} "
                f"({other.period}) in {other.source_path}; only one may be in force on a day"
            )
            yield src.error(("effective_from",), message)


# --- loading ------------------------------------------------------------------------------


def load_ruleset_text(text: str, file: str) -> RuleSet:
    """Load one rule set; raises DefinitionErrors with all of its problems."""
    return _check(yamlsrc.parse(text, file))


def load_ruleset_paths(paths: Iterable[Path | str], base: Path | None = None) -> RuleBook:
    """Load rule set files and folders (their *.yaml and *.yml) into one rule book.

    Raises DefinitionErrors with every problem of every file, including a version given twice
    and effective ranges that overlap (reported at the later file). File names in messages are
    relative to `base`, or as given.
    """
    errors: list[DefinitionError] = []
    sets: list[RuleSet] = []
    for src, rule_set in checked_sources(paths, base, _check, errors, _MEMO):
        errors += _clashes(rule_set, src, sets)
        sets.append(rule_set)  # compared with later files even when it clashes itself
    if errors:
        raise DefinitionErrors(errors)
    return RuleBook.of(sets)
