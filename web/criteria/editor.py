"""The criteria table editor: the YAML text beside its read-only preview, checked, kept as a
draft and published; a published version's page; the preview's template filters."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.auth import current_actor
from web.criteria import MAX_TEXT, Answer, bp, check_code
from web.criteria.problems import problems
from web.criteria.tables import full_names, people
from web.i18n import local_time
from web.refusals import number
from web.views import locale, services
from web.year.common import EVIDENCE_KINDS
from workflow.domain.criteria import PENALTIES, CriteriaTable
from workflow.errors import DefinitionError, DefinitionErrors, NotFound

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
