"""The problems of a criteria table's text, in the reader's language: each checker message
matched to a sentence that says where and what to do."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from web.refusals import number
from workflow.errors import DefinitionError

# --- the problems of a text, in the reader's language -------------------------------------

def field_name(key: str) -> str:
    names = {
        "code": _("code"), "version": _("version"), "title": _("title"), "scale": _("scale"),
        "appeal_days": _("appeal days"), "gap_threshold": _("gap threshold"),
        "tie_break": _("tie-break"), "groups": _("group"), "criteria": _("criterion"),
        "adjustments": _("adjustment"), "levels": _("level"),
        "max_points": _("maximum points"), "points": _("points"), "kind": _("kind"),
        "target_required": _("target required"), "unit": _("unit of measure"),
        "formula": _("formula"), "higher_is_better": _("higher is better"),
        "evidence": _("evidence"), "label": _("label"), "rule": _("automatic rule"),
        "vi": _("Vietnamese"), "en": _("English"),
        "tolerance": _("tolerance"), "absolute": _("absolute"), "percent": _("percent"),
    }
    return str(names.get(key, key))


_STEP = re.compile(r"([A-Za-z_]+)|\[(\d+)\]")


def place(path: str) -> str:
    """groups[1].criteria[0].max_points -> "nhóm 2 › tiêu chí 1 › điểm tối đa"."""
    parts: list[str] = []
    for key, index in _STEP.findall(path):
        if index:
            if parts:
                parts[-1] = f"{parts[-1]} {int(index) + 1}"
        else:
            parts.append(field_name(key))
    return " › ".join(parts)


def said(value: str) -> str:
    """A value quoted by the loader ('abc', 5, a list...) as the reader says it."""
    value = value.strip()
    words = {"nothing": _("nothing"), "a list": _("a list"), "a mapping": _("a mapping"),
             "true": _("yes"), "false": _("no")}
    if value in words:
        return str(words[value])
    try:
        return number(Decimal(value))
    except (InvalidOperation, ValueError):
        return value


def _n(value: str) -> str:
    try:
        return number(Decimal(value))
    except (InvalidOperation, ValueError):
        return value


def _line_of(where: str) -> str:
    found = re.search(r"\(line (\d+)\)", where)
    return _("line %(n)s", n=found.group(1)) if found else where


Render = Callable[[Mapping[str, str]], str]
MESSAGES: tuple[tuple[re.Pattern[str], Render], ...] = tuple(
    (re.compile(pattern + r"\Z"), render) for pattern, render in (
        (r"group '(?P<g>.+)' has max_points (?P<m>\S+) but its criteria add up to (?P<t>\S+)",
         lambda m: _("the group %(group)s has %(max)s maximum points but its criteria add up "
                     "to %(total)s: make them equal", group=m["g"], max=_n(m["m"]),
                     total=_n(m["t"]))),
        (r"the groups add up to (?P<t>\S+) but scale is (?P<s>\S+)",
         lambda m: _("the groups add up to %(total)s points but the scale is %(scale)s: make "
                     "them equal", total=_n(m["t"]), scale=_n(m["s"]))),
        (r"(?P<w>group|criterion|adjustment) '(?P<c>.+)' is already defined at (?P<at>.+)",
         lambda m: _("the code %(code)s is already used at %(where)s: give each %(what)s its "
                     "own code", code=m["c"], where=_line_of(m["at"]),
                     what=field_name({"group": "groups", "criterion": "criteria",
                                      "adjustment": "adjustments"}[m["w"]]))),
        (r"a quantitative criterion needs a formula .*",
         lambda m: _("a quantitative criterion needs a formula: ratio or threshold")),
        (r"a quantitative criterion takes no levels; its points come from its formula",
         lambda m: _("a quantitative criterion has no levels: its points come from its "
                     "formula; remove the levels or make it qualitative")),
        (r"(?P<k>\w+) only applies to quantitative criteria",
         lambda m: _("%(field)s only applies to quantitative criteria: remove it",
                     field=field_name(m["k"]))),
        (r"a qualitative criterion needs at least 2 anchored levels, got (?P<n>\S+)",
         lambda m: _("a qualitative criterion needs at least 2 levels; it has %(n)s",
                     n=_("none") if m["n"] == "none" else m["n"])),
        (r"a level worth (?P<p>\S+) points is already defined at (?P<at>.+)",
         lambda m: _("a level worth %(points)s points is already at %(where)s",
                     points=_n(m["p"]), where=_line_of(m["at"]))),
        (r"the top level gives (?P<t>\S+) points but max_points is (?P<m>\S+)",
         lambda m: _("the highest level gives %(top)s points but the maximum is %(max)s: make "
                     "them equal", top=_n(m["t"]), max=_n(m["m"]))),
        (r"needs a level worth 0 points \(for a criterion not met\)",
         lambda m: _("add a level worth 0 points (for a criterion not met)")),
        (r"max_points (?P<m>\S+) is below points (?P<p>\S+); .*",
         lambda m: _("the cap of %(max)s points is below the %(points)s points of one "
                     "occurrence: raise the cap", max=_n(m["m"]), points=_n(m["p"]))),
        (r"rule '(?P<r>.+)' counts missed duties; its adjustment must be a penalty",
         lambda m: _("an automatic rule counts missed duties: this adjustment must be a "
                     "penalty")),
        (r"'(?P<e>.+)' is neither a group code nor 'penalties'.*",
         lambda m: _("%(entry)s is not a group code: the tie-break lists group codes or "
                     "penalties", entry=m["e"])),
        (r"unknown rule '(?P<r>.+?)'.*",
         lambda m: _("unknown automatic rule %(rule)s: use late_report, missing_report, "
                     "late_pledge or late_score_sheet", rule=m["r"])),
        (r"missing required key '(?P<k>.+)'",
         lambda m: _("%(field)s is missing: add it", field=field_name(m["k"]))),
        (r"missing required key",
         lambda m: _("this field is missing: add it")),
        (r"unknown key '(?P<k>[^']+)' \(did you mean '(?P<s>[^']+)'\?\)",
         lambda m: _("unknown field %(key)s: did you mean %(hint)s?", key=m["k"],
                     hint=m["s"])),
        (r"unknown key '(?P<k>[^']+)'.*",
         lambda m: _("unknown field %(key)s: remove it or check its spelling", key=m["k"])),
        (r"expected a number, got (?P<v>.+)",
         lambda m: _("a number is needed here, not %(value)s", value=said(m["v"]))),
        (r"expected a finite number, got (?P<v>.+)",
         lambda m: _("a number is needed here, not %(value)s", value=said(m["v"]))),
        (r"must be more than 0, got (?P<v>.+)",
         lambda m: _("must be more than 0, not %(value)s", value=said(m["v"]))),
        (r"must be at least (?P<n>\d+), got (?P<v>.+)",
         lambda m: _("must be at least %(n)s, not %(value)s", n=m["n"], value=said(m["v"]))),
        (r"points have at most 2 decimal places, got (?P<v>.+)",
         lambda m: _("points have at most 2 decimal places, not %(value)s",
                     value=said(m["v"]))),
        (r"must be more than 0 and at most 1, got (?P<v>.+)",
         lambda m: _("must be more than 0 and at most 1 (a share), not %(value)s",
                     value=said(m["v"]))),
        (r"expected a snake_case name, got (?P<v>.+)",
         lambda m: _("a code is written in small letters without accents, digits and _, e.g. "
                     "nhiem_vu_chinh_tri; not %(value)s", value=said(m["v"]))),
        (r"expected a whole number, got (?P<v>.+)",
         lambda m: _("a whole number is needed here, not %(value)s", value=said(m["v"]))),
        (r"expected a list, got (?P<v>.+)",
         lambda m: _("a list is needed here, not %(value)s", value=said(m["v"]))),
        (r"expected text, got (?P<v>.+)",
         lambda m: _("text is needed here, not %(value)s", value=said(m["v"]))),
        (r"must not be empty", lambda m: _("must not be empty")),
        (r"has no value", lambda m: _("has no value: write one")),
        (r"expected true or false, got (?P<v>.+)",
         lambda m: _("write true or false, not %(value)s", value=said(m["v"]))),
        (r"expected a label like .*, got (?P<v>.+)",
         lambda m: _("a name in two languages is needed, like {vi: Tên, en: Name}; not "
                     "%(value)s", value=said(m["v"]))),
        (r"expected a mapping of names to labels, got (?P<v>.+)",
         lambda m: _("a name in two languages is needed, like {vi: Tên, en: Name}; not "
                     "%(value)s", value=said(m["v"]))),
        (r"expected (?P<c>[a-z_]+(?: or [a-z_]+)+), got (?P<v>.+?)(?: \(did you mean.*)?",
         lambda m: _("write one of %(choices)s, not %(value)s",
                     choices=", ".join(m["c"].split(" or ")), value=said(m["v"]))),
        (r"expected a mapping, got (?P<v>.+)",
         lambda m: _("fields are needed here, not %(value)s", value=said(m["v"]))),
        (r"give either absolute or percent \(one of the two\)",
         lambda m: _("a tolerance is either absolute (in the criterion's unit) or percent (of "
                     "the department's figure): write one of the two")),
        (r"percent must be at most 100",
         lambda m: _("a tolerance in percent is at most 100")),
        (r"a tolerance has at most 2 decimal places, got (?P<v>.+)",
         lambda m: _("a tolerance has at most 2 decimal places, not %(value)s",
                     value=said(m["v"]))),
        (r"tolerance only applies to a criterion scored from a reported result .*",
         lambda m: _("a tolerance only applies to a criterion scored from a reported result "
                     "against the pledged target (target required): remove it")),
        (r"must list at least one criterion",
         lambda m: _("a group lists at least one criterion")),
        (r"must list at least one group", lambda m: _("a table lists at least one group")),
        (r"version (?P<v>\d+) of criteria table '.+' is already published with other content.*",
         lambda m: _("version %(version)s is already published with other content: write the "
                     "next version number", version=m["v"])),
        (r"version (?P<v>\d+) is older than the published version (?P<l>\d+) of .*",
         lambda m: _("version %(version)s is older than the published version %(latest)s: "
                     "write a higher number", version=m["v"], latest=m["l"])),
        (r"the table's code is '(?P<f>.+)', but this page edits '(?P<c>.+)'",
         lambda m: _("the code is %(found)s but this page edits the table %(code)s: write "
                     "%(code)s back (to make a new table, copy it as a new table)",
                     found=m["f"], code=m["c"])),
        (r"nothing changed from version (?P<v>\d+); .*",
         lambda m: _("nothing changed from version %(version)s: change the table before "
                     "publishing it", version=m["v"])),
        (r"invalid YAML: (?P<p>.+)",
         lambda m: _("the text is not valid YAML here (%(problem)s): check the indentation, "
                     "colons and brackets", problem=m["p"])),
        (r"the document nests deeper than .*|the YAML is nested too deeply",
         lambda m: _("the text is nested too deeply to be a criteria table")),
    ))


def explain(message: str) -> str:
    """One of the loader's messages in the reader's language (as it is when unknown)."""
    for pattern, render in MESSAGES:
        found = pattern.match(message)
        if found:
            return render(found.groupdict())
    return message


def problems(errors: Sequence[DefinitionError]) -> list[dict[str, Any]]:
    """Each problem as the page shows it: its line, where in the table, and what to do."""
    return [{"line": e.line, "message": explain(e.message),
             "place": place(_parent(e.path) if e.message.startswith(NAMES_KEY) else e.path)}
            for e in errors]


NAMES_KEY = ("missing required key", "unknown key")  # messages that name the key themselves


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""
