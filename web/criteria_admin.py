"""The criteria tables (bảng tiêu chí chấm điểm) for the council office and administrators:
the published tables with their versions and the campaigns on them; a copy of a version (the
next version of the table, or a new table) edited as YAML beside a read-only preview, checked
with every problem shown at its line in the reader's language, kept as a draft, and published
for the campaigns launched from then on (a launched campaign keeps the version it pinned).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.auth import current_actor, login_manager
from web.i18n import local_time
from web.refusals import number
from web.views import locale, services
from web.year.common import EVIDENCE_KINDS
from workflow.domain.criteria import PENALTIES, CriteriaTable
from workflow.errors import DefinitionError, DefinitionErrors, NotFound, PermissionDenied
from workflow.services import access
from workflow.services.criteria_catalog import CODE_MAX, CriteriaListing, valid_code
from workflow.services.read_side import CampaignSummary

bp = Blueprint("criteria_admin", __name__, url_prefix="/criteria")
MAX_TEXT = 200_000  # characters of a table's text
SYSTEM_AUTHOR = "system"  # the author of what `thidua definitions sync` publishes
Answer = Response | tuple[str, int]


@bp.before_request
def editors_only() -> Response | None:
    """Signed-out visitors go to the login page; others without the role get 403."""
    if not current_user.is_authenticated:
        return cast(Response, login_manager.unauthorized())
    if not access.may_edit_criteria(current_actor()):
        raise PermissionDenied(_("Criteria tables are edited by the council office and "
                                 "administrators."))
    return None


@bp.app_template_global("may_edit_criteria")
def may_edit_criteria() -> bool:
    """For the menu: whether the signed-in person edits criteria tables."""
    return bool(current_user.is_authenticated) and access.may_edit_criteria(current_actor())


def check_code(code: str) -> None:
    if not valid_code(code):
        abort(404)


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


# --- the list of tables --------------------------------------------------------------------


def full_names(usernames: set[str]) -> dict[str, str]:
    """Full names by username; what `thidua definitions sync` published is said as such."""
    names = services().reads.full_names(usernames)
    if SYSTEM_AUTHOR in usernames and SYSTEM_AUTHOR not in names:
        names[SYSTEM_AUTHOR] = _("synced from the definition files")
    return names


def people(found: Sequence[CriteriaListing]) -> dict[str, str]:
    """The full name of whoever published a version or saved a draft, by username."""
    names = {v.created_by for t in found for v in t.versions}
    names |= {t.draft.saved_by for t in found if t.draft}
    return full_names(names)


def campaign_names(found: Sequence[CriteriaListing]) -> dict[int, CampaignSummary]:
    ids = {i for t in found for i in t.waiting_campaign_ids}
    ids |= {i for t in found for v in t.versions for i in v.campaign_ids}
    return services().reads.campaigns(ids)


@bp.route("", endpoint="tables")
def tables_page() -> str:
    found = services().criteria.listing()
    return render_template("criteria_tables.html", tables=found, people=people(found),
                           campaigns=campaign_names(found), local_time=local_time,
                           code_max=CODE_MAX)


@bp.route("/<code>/copy", methods=["POST"])
def copy(code: str) -> Response | tuple[str, int]:
    """Start a draft from a published version: its next version, or a new table."""
    check_code(code)
    raw = (request.form.get("version") or "").strip()
    version = int(raw) if raw.isdigit() else None
    new_code = (request.form.get("new_code") or "").strip()[:100] \
        if request.form.get("mode") == "table" else None
    if new_code is None and services().criteria.draft(code) is not None:
        flash(_("A draft of this table is already being edited: continue it, or delete it "
                "to start from another copy."))
        return redirect(url_for("criteria_admin.edit", code=code))
    try:
        target = services().criteria.copy(code, version, new_code=new_code,
                                          author=current_actor().username)
    except ValueError as exc:
        message = (_("A code is written in small letters without accents, digits and _ "
                     "(at most %(n)s characters), e.g. khoi_noi_chinh_2027.", n=CODE_MAX)
                   if str(exc) == "invalid_code" else
                   _("The code %(code)s is already used by a table or a draft: choose "
                     "another.", code=new_code))
        found = services().criteria.listing()
        page = render_template("criteria_tables.html", tables=found, people=people(found),
                               campaigns=campaign_names(found), local_time=local_time,
                               code_max=CODE_MAX, error=message, typed_code=new_code,
                               typed_from=code)
        return page, 400
    if new_code:
        flash(_("Draft of the new table %(code)s made from %(source)s; edit it, then publish "
                "it.", code=target, source=code))
    else:
        flash(_("Draft of the next version made; edit it, then publish it."))
    return redirect(url_for("criteria_admin.edit", code=target))


# --- the editor ----------------------------------------------------------------------------


def editor(code: str, text: str, *, table: CriteriaTable | None = None,
           errors: Sequence[DefinitionError] = (), status: int = 200, **extra: Any
           ) -> tuple[str, int]:
    lines = text.split("\n")
    shown = problems(errors)
    bad: dict[int, list[str]] = {}
    for problem in shown:
        if problem["line"]:
            bad.setdefault(problem["line"], []).append(problem["message"])
    catalog = services().criteria
    try:
        latest: CriteriaTable | None = catalog.get(code)
    except NotFound:
        latest = None
    draft = catalog.draft(code)
    page = render_template(
        "criteria_edit.html", code=code, text=text, lines=lines, problems=shown, bad=bad,
        table=table, latest=latest, draft=draft, local_time=local_time,
        people=full_names({draft.saved_by} if draft else set()), **extra)
    return page, status


def posted_text() -> str:
    return (request.form.get("source_text") or "").replace("\r\n", "\n").replace("\r", "\n")


@bp.route("/<code>/edit", methods=["GET", "POST"])
def edit(code: str) -> Answer:
    check_code(code)
    catalog = services().criteria
    if request.method == "GET":
        draft = catalog.draft(code)
        if draft is None:  # a published table is edited through a copy
            return redirect(url_for("criteria_admin.tables"))
        table, errors = catalog.check(code, draft.source_text)
        return editor(code, draft.source_text, table=table, errors=errors)
    text = posted_text()
    action = request.form.get("action", "")
    if len(text) > MAX_TEXT:
        return editor(code, text, status=400, failure=_(
            "The text is longer than %(n)s characters.", n=number(MAX_TEXT)))
    actor = current_actor().username
    if action == "discard":
        catalog.discard_draft(code)
        flash(_("The draft of %(code)s is deleted.", code=code))
        return redirect(url_for("criteria_admin.tables"))
    table, errors = catalog.check(code, text)
    if action == "save":
        catalog.save_draft(code, text, author=actor)
        if errors:
            return editor(code, text, errors=errors, saved=True)
        flash(_("Draft saved. It is not published yet."))
        return redirect(url_for("criteria_admin.edit", code=code))
    if action == "publish":
        if table is None:
            return editor(code, text, errors=errors, status=400)
        try:
            result = catalog.publish_draft(code, text, author=actor)
        except DefinitionErrors as exc:
            return editor(code, text, errors=exc.errors, status=400)
        if result.created:
            flash(_("Published %(title)s, version %(version)s: campaigns created or launched "
                    "from now on use it; running campaigns keep their version.",
                    title=table.title.get(locale()), version=result.version))
        else:
            flash(_("Nothing to publish: version %(version)s already has this content.",
                    version=result.version))
        return redirect(url_for("criteria_admin.tables"))
    if action != "validate":
        return editor(code, text, status=400, failure=_(
            "Choose an action: check, save the draft or publish."))
    if table is None:
        return editor(code, text, errors=errors)
    return editor(code, text, table=table, ok=_(
        "The table is valid: %(groups)s groups, %(criteria)s criteria, %(scale)s points.",
        groups=len(table.groups), criteria=sum(len(g.criteria) for g in table.groups),
        scale=number(table.scale)))


@bp.route("/<code>/versions/<int:version>")
def version_page(code: str, version: int) -> str:
    """A published version, read-only: its preview and its text."""
    check_code(code)
    catalog = services().criteria
    table = catalog.get(code, version)
    listing = next((t for t in catalog.listing() if t.code == code), None)
    found = next((v for v in listing.versions if v.version == version), None) if listing \
        else None
    text = catalog.published_text(code, version)
    return render_template("criteria_version.html", code=code, table=table, version=found,
                           text=text, campaigns=services().reads.campaigns(
                               found.campaign_ids if found else ()),
                           people=people([listing] if listing else []),
                           local_time=local_time)


# --- what the preview shows --------------------------------------------------------------


@bp.app_template_filter("criterion_way")
def criterion_way(kind: str | None) -> str:
    ways = {"quantitative": _("Quantitative"), "qualitative": _("Qualitative"),
            "ratio": _("ratio: maximum × result ÷ target, capped at the maximum"),
            "threshold": _("all the points when the target is met"),
            "bonus": _("Bonus"), "penalty": _("Penalty"),
            "late_report": _("counted automatically: each late report"),
            "missing_report": _("counted automatically: each missing report"),
            "late_pledge": _("counted automatically: a pledge not signed in time"),
            "late_score_sheet": _("counted automatically: a score sheet submitted late")}
    return str(ways.get(kind or "", kind or ""))


@bp.app_template_filter("evidence_kind")
def evidence_kind(kind: str) -> str:
    return str(EVIDENCE_KINDS.get(kind, kind.replace("_", " ")))


@bp.app_template_filter("tie_break_entry")
def tie_break_entry(entry: str, table: CriteriaTable) -> str:
    if entry == PENALTIES:
        return str(_("fewer penalty points"))
    group = next((g for g in table.groups if g.code == entry), None)
    return _("more points in “%(group)s”", group=group.title.get(locale())) if group else entry


@bp.app_template_filter("criteria_share")
def criteria_share(value: Decimal) -> str:
    return f"{number(value * 100)} %"
