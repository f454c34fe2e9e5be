"""The list of criteria tables (their versions, drafts and the campaigns on them) and copying
a version into a new draft."""

from __future__ import annotations

from collections.abc import Sequence

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.criteria import SYSTEM_AUTHOR, bp, check_code
from web.i18n import local_time
from web.views import services
from workflow.services.criteria_catalog import CODE_MAX, CriteriaListing
from workflow.services.read_side import CampaignSummary

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
