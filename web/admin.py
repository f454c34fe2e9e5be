"""The admin area: workflow definitions (edit, validate, preview, publish, migrate), people and
their roles, units and clusters, the rule sets and holidays (read-only), failed e-mails.

Every page is for holders of the global role `admin`; everyone else gets 403.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.auth import current_actor, login_manager, weak_password_text
from web.i18n import local_time
from web.refusals import number as vi_number
from web.views import form_ids
from workflow.bootstrap import Services
from workflow.definitions.workflow_loader import load_text
from workflow.domain.roles import ROLES, SYSTEM_ROLE
from workflow.domain.rulesets import (
    ADMIN_LEVELS,
    Document,
    RuleSet,
    Sourced,
    Title,
    show_share,
)
from workflow.engine.diagram import render_svg, to_dot
from workflow.engine.spec import WorkflowSpec
from workflow.errors import (
    DefinitionError,
    DefinitionErrors,
    InvalidInput,
    NotFound,
    PermissionDenied,
    WeakPassword,
    WorkflowError,
)
from workflow.services import delivery, migration, organisations, people
from workflow.services.read_side import (
    ClusterSummary,
    DefinitionVersion,
    Draft,
    DraftSummary,
    PublishedDefinition,
    UnitSummary,
    UserSummary,
)
from workflow.services.workflows import MAX_ID

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE = 25
MAX_TEXT = 200_000  # characters of a definition's text
NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
T = TypeVar("T")
Answer = str | Response | tuple[str, int]

SKELETON = """\
name: {name}
title: {{vi: Quy trình mới, en: New workflow}}
subject: unit
initial: draft
states:
  - {{name: draft, label: {{vi: Dự thảo, en: Draft}}}}
  - {{name: done, label: {{vi: Hoàn thành, en: Done}}, final: true}}
transitions:
  - trigger: finish
    source: draft
    dest: done
    label: {{vi: Hoàn thành, en: Finish}}
    roles: [unit_officer]
"""


def services() -> Services:
    return cast(Services, current_app.extensions["thidua"])


def locale() -> str:
    return str(get_locale() or "vi")


@bp.before_request
def admins_only() -> Response | None:
    """Signed-out visitors go to the login page; signed-in non-admins get 403."""
    if not current_user.is_authenticated:
        return cast(Response, login_manager.unauthorized())
    if not current_actor().has_global_role("admin"):
        raise PermissionDenied(_("This area is for administrators."))
    return None


# --- pages of a list ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    pages: int
    total: int
    param: str = "page"


def page_number(param: str = "page") -> int:
    try:
        return max(1, int(request.args.get(param, "1")))
    except ValueError:
        return 1


def paginate(items: Sequence[T], param: str = "page", per: int = PAGE) -> Page[T]:
    pages = max(1, -(-len(items) // per))
    number = min(page_number(param), pages)
    start = (number - 1) * per
    return Page(items[start:start + per], number, pages, len(items), param)


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"page_url": page_url, "local_time": local_time, "role_label": role_label,
            "repo_path": repo_path,
            "roles": [r for r in ROLES.values() if r.name != SYSTEM_ROLE]}


def repo_path(path: str | None) -> str:
    """A data file's path relative to the project, never the server's absolute path."""
    if not path:
        return ""
    try:
        return Path(path).resolve().relative_to(services().settings.root.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def role_label(role: str) -> str:
    info = ROLES.get(role)
    if info is None:
        return role
    return info.en if locale().startswith("en") else info.vi


def page_url(endpoint: str, param: str, number: int) -> str:
    """The list page `endpoint` with page `number` in `param`, keeping the other arguments."""
    args: dict[str, Any] = {**request.args.to_dict(), param: number}
    return url_for(endpoint, **args)


def form_text(field: str, limit: int = 300) -> str:
    return (request.form.get(field) or "").strip()[:limit]


def form_int(field: str, low: int = 1, high: int = 10**9) -> int | None:
    """An optional whole number from the form; InvalidInput names the field when bad."""
    raw = form_text(field, 20)
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(_("%(field)s: not a whole number: %(value)s",
                             field=field, value=raw)) from None
    if not low <= value <= high:
        raise InvalidInput(_("%(field)s: %(value)s is out of range", field=field, value=raw))
    return value


@bp.route("/")
def index() -> Response:
    return redirect(url_for("admin.definitions"))


# --- definitions -------------------------------------------------------------------------


def check_name(name: str) -> None:
    if not NAME.match(name):
        abort(404)


def published() -> dict[str, list[DefinitionVersion]]:
    """Every published version (without its text), by workflow name, oldest first."""
    out: dict[str, list[DefinitionVersion]] = {}
    for found in services().reads.published_definitions():
        out.setdefault(found.name, []).append(found)
    return out


def drafts() -> dict[str, DraftSummary]:
    return {found.name: found for found in services().reads.drafts()}


def draft_of(name: str) -> Draft | None:
    return services().reads.draft(name)


def save_draft(name: str, text: str) -> None:
    services().catalog.save_draft(name, text, author=current_actor().username)


def delete_draft(name: str) -> None:
    services().catalog.discard_draft(name)


def latest_row(name: str) -> PublishedDefinition | None:
    return services().reads.latest_definition(name)


@bp.route("/definitions", endpoint="definitions")
def definitions_page() -> str:
    versions, saved = published(), drafts()
    names = sorted(set(versions) | set(saved))
    return render_template("admin_definitions.html", listing=paginate(names),
                           versions=versions, drafts=saved)


@bp.route("/definitions/new", methods=["GET", "POST"])
def new_definition() -> Answer:
    if request.method == "GET":
        return render_template("admin_new_definition.html", name="")
    name = form_text("name", 100)
    error = None
    if not NAME.match(name):
        error = _("A name starts with a small letter and holds only small letters, digits "
                  "and _ (at most 64 characters).")
    elif name in published() or name in drafts():
        error = _("A workflow named %(name)s already exists.", name=name)
    if error:
        return render_template("admin_new_definition.html", name=name, error=error), 400
    save_draft(name, SKELETON.format(name=name))
    flash(_("Draft of %(name)s created from a skeleton; edit it and publish it.", name=name))
    return redirect(url_for("admin.edit", name=name))


# --- the editor ----------------------------------------------------------------------------


def source_file(name: str) -> str:
    row = latest_row(name)
    return row.source_path if row else f"definitions/{name}.yaml"


def problems(name: str, text: str) -> tuple[WorkflowSpec | None, list[DefinitionError]]:
    """The spec of the text, or every problem found in it, each at its line."""
    file = source_file(name)
    try:
        spec = load_text(text, file, services().registry)
    except DefinitionErrors as exc:
        return None, list(exc.errors)
    except RecursionError:  # as the API does: a YAML nested past any definition's depth
        return None, [DefinitionError(file, None, "", _(
            "the YAML is nested too deeply to be a workflow definition"))]
    if spec.name != name:
        line = next((i for i, ln in enumerate(text.split("\n"), 1)
                     if ln.startswith("name:")), None)
        message = _("the definition is named '%(found)s', but this page edits '%(name)s'",
                    found=spec.name, name=name)
        return None, [DefinitionError(file, line, "name", message)]
    known = set(services().catalog.names()) | {name}
    unknown = [DefinitionError(file, None, "spawn", f"unknown workflow '{child}'")
               for child in sorted(spec.child_workflows() - known)]
    return (None, unknown) if unknown else (spec, [])


def editor(
    name: str, text: str, *, errors: Sequence[DefinitionError] = (), status: int = 200,
    **extra: Any,
) -> tuple[str, int]:
    lines = text.split("\n")
    bad: dict[int, list[str]] = {}
    for error in errors:
        if error.line:
            bad.setdefault(error.line, []).append(f"{error.path}: {error.message}")
    page = render_template(
        "admin_edit.html", name=name, text=text, lines=lines, errors=errors, bad=bad,
        draft=draft_of(name), latest=latest_row(name), **extra)
    return page, status


def starting_text(name: str) -> str:
    draft = draft_of(name)
    if draft:
        return draft.source_text
    latest = latest_row(name)
    if latest is None:
        abort(404)
    return latest.source_text


def validate(name: str, text: str) -> tuple[str, int]:
    spec, errors = problems(name, text)
    if spec is None:
        return editor(name, text, errors=errors)
    ok = _("The definition is valid: %(states)s states, %(transitions)s transitions.",
           states=len(spec.states), transitions=len(spec.transitions))
    return editor(name, text, ok=ok)


def preview(name: str, text: str) -> tuple[str, int]:
    spec, errors = problems(name, text)
    if spec is None:
        return editor(name, text, errors=errors)
    try:
        svg = render_svg(to_dot(spec, locale=locale()))
    except WorkflowError as exc:
        return editor(name, text, failure=str(exc))
    return editor(name, text, svg=base64.b64encode(svg).decode("ascii"))


def save(name: str, text: str) -> Response:
    save_draft(name, text)
    flash(_("Draft saved. It is not published yet."))
    return redirect(url_for("admin.edit", name=name))


def publish(name: str, text: str) -> Response | tuple[str, int]:
    spec, errors = problems(name, text)
    if spec is None:
        return editor(name, text, errors=errors, status=400)
    try:
        result = services().catalog.publish_text(
            text, source_file(name), author=current_actor().username)
    except DefinitionErrors as exc:
        return editor(name, text, errors=exc.errors, status=400)
    if result.created:
        delete_draft(name)
        flash(_("Published %(name)s version %(version)s.", name=name, version=result.version))
    else:
        flash(_("Nothing to publish: version %(version)s already has this content.",
                version=result.version))
    return redirect(url_for("admin.edit", name=name))


ACTIONS: Mapping[str, Callable[[str, str], Response | tuple[str, int]]] = {
    "validate": validate, "preview": preview, "save": save, "publish": publish}


@bp.route("/definitions/<name>/edit", methods=["GET", "POST"])
def edit(name: str) -> Response | tuple[str, int]:
    check_name(name)
    if request.method == "GET":
        return editor(name, starting_text(name))
    text = (request.form.get("source_text") or "").replace("\r\n", "\n").replace("\r", "\n")
    action = ACTIONS.get(request.form.get("action", ""))
    if action is None:
        return editor(name, text, failure=_("Choose an action: validate, preview, save or "
                                            "publish."), status=400)
    if len(text) > MAX_TEXT:
        return editor(name, text, failure=_("The text is longer than %(n)s characters.",
                                            n=MAX_TEXT), status=400)
    return action(name, text)


# --- migrating running instances ----------------------------------------------------------


def parse_mapping(text: str) -> dict[str, str]:
    """Lines `old=new` (blank lines and # comments skipped); InvalidInput names the line."""
    mapping: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        old, sep, new = (part.strip() for part in line.partition("="))
        if not sep or not NAME.match(old) or not NAME.match(new):
            raise InvalidInput(_("Mapping line %(n)s: write old=new, e.g. aproved=approved",
                                 n=number))
        if old in mapping:
            raise InvalidInput(_("Mapping line %(n)s: the state %(state)s is mapped twice",
                                 n=number, state=old))
        mapping[old] = new
    return mapping


@dataclass(frozen=True, slots=True)
class MigrationForm:
    to_version: int
    from_version: int | None
    mapping: dict[str, str]
    reason: str


def migration_form(numbers: Sequence[int]) -> MigrationForm:
    to_version = form_int("to_version")
    from_version = form_int("from_version")
    if to_version is None or to_version not in numbers:
        raise InvalidInput(_("Choose a published target version."))
    if from_version is not None and from_version not in numbers:
        raise InvalidInput(_("Choose a published source version, or any."))
    return MigrationForm(to_version, from_version,
                         parse_mapping(request.form.get("mapping") or ""),
                         form_text("reason", 2000))


def run_migration(name: str, form: MigrationForm, action: str) -> dict[str, Any]:
    wf = services().workflows
    if action == "migrate":
        result = migration.migrate(wf, name, form.to_version, form.mapping, current_actor(),
                                   form.reason, form.from_version)
        return {"result": result, "done": True}
    result = migration.plan(wf, name, form.to_version, form.mapping, form.from_version)
    return {"result": result, "done": False}


@bp.route("/definitions/<name>/migrate", methods=["GET", "POST"])
def migrate(name: str) -> tuple[str, int]:
    check_name(name)
    numbers = [int(str(r["version"])) for r in services().catalog.versions(name)]
    values = {"to_version": str(numbers[-1]), "from_version": "", "mapping": "", "reason": ""}
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        values.update({key: request.form.get(key) or "" for key in values})
        try:
            form = migration_form(numbers)
            context = run_migration(name, form, request.form.get("action", "dry_run"))
        except WorkflowError as exc:
            context, status = {"failure": str(exc)}, 400
    return render_template("admin_migrate.html", name=name, numbers=numbers,
                           values=values, **context), status


# --- people ----------------------------------------------------------------------------------


def user_page() -> tuple[int, list[UserSummary], int]:
    """The page number, its users (each with its grants) and how many pages there are."""
    found = services().reads.users_page(page_number(), PAGE)
    return found.number, list(found.users), found.pages


def unit_choices() -> list[UnitSummary]:
    return services().reads.units()


def cluster_choices() -> list[ClusterSummary]:
    return services().reads.clusters()


def people_page(
    error: str | None = None, status: int = 200, reset: dict[str, str] | None = None
) -> tuple[str, int]:
    number, found, pages = user_page()
    listing = Page(found, number, pages, len(found))
    return render_template(
        "admin_people.html", listing=listing, units=unit_choices(), clusters=cluster_choices(),
        values=request.form, error=error, year=services().clock.now().year, reset=reset), status


@bp.route("/people")
def people_list() -> tuple[str, int]:
    return people_page()


def add_user() -> str:
    username, full_name = form_text("username", 100), form_text("full_name", 200)
    email, password = form_text("email", 200), request.form.get("password") or ""
    if not username or not full_name:
        raise InvalidInput(_("A user needs a username and a full name."))
    if email and "@" not in email:
        raise InvalidInput(_("The e-mail address %(email)s is not valid.", email=email))
    try:
        people.check_strength(password, username)
    except WeakPassword as exc:
        raise InvalidInput(weak_password_text(exc)) from None
    uow = services().uow()
    user = people.create_user(uow, username, full_name, email or None)
    people.set_password(uow, user, password)
    return username


@bp.route("/people/create", methods=["POST"])
def create_person() -> Response | tuple[str, int]:
    try:
        username = add_user()
    except WorkflowError as exc:
        return people_page(_("The user was not created: %(reason)s", reason=str(exc)), 400)
    flash(_("User %(username)s created.", username=username))
    return redirect(url_for("admin.people_list"))


def add_grant() -> str:
    username, role = form_text("username", 100), form_text("role", 40)
    unit_id = form_int("unit_id")
    cluster_id = form_int("cluster_id")
    year = form_int("year", 1900, 2200)
    user = people.user_id(services().uow(), username)
    people.grant(services().uow(), user, role, unit_id=unit_id, cluster_id=cluster_id,
                 year=year)
    return username


@bp.route("/people/grant", methods=["POST"])
def grant_role() -> Response | tuple[str, int]:
    try:
        username = add_grant()
    except WorkflowError as exc:
        return people_page(_("The role was not granted: %(reason)s", reason=str(exc)), 400)
    flash(_("Role %(role)s granted to %(username)s.", role=role_label(form_text("role")),
            username=username))
    return redirect(url_for("admin.people_list"))


@bp.route("/people/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int) -> Response | tuple[str, int]:
    if user_id > MAX_ID:
        abort(404)
    active = request.form.get("active") == "1"
    if not active and user_id == current_actor().user_id:
        return people_page(_("You cannot deactivate your own account."), 400)
    try:
        people.set_active(services().uow(), user_id, active)
    except NotFound:
        abort(404)
    flash(_("Account activated.") if active else _("Account deactivated."))
    return redirect(url_for("admin.people_list", page=page_number()))


@bp.route("/people/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int) -> tuple[str, int]:
    """A new random password, shown once on the page (never flashed into the cookie): the
    admin hands it over, and its owner must replace it at the next sign-in."""
    if user_id > MAX_ID:
        abort(404)
    if user_id == current_actor().user_id:
        return people_page(_("Change your own password on your account page."), 400)
    username = services().reads.username(user_id)
    if username is None:
        abort(404)
    temporary = people.reset_password(services().uow(), user_id)
    return people_page(reset={"username": username, "password": temporary})


# --- units and clusters ----------------------------------------------------------------------


def units_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    found = unit_choices()
    parents = {u.id: u.code for u in found}
    rows = [dict(asdict(u), parent=parents.get(u.parent_id or 0, "")) for u in found]
    return render_template("admin_units.html", listing=paginate(rows), units=found,
                           values=request.form, error=error), status


@bp.route("/units")
def units_list() -> tuple[str, int]:
    return units_page()


@bp.route("/units/create", methods=["POST"])
def create_unit() -> Response | tuple[str, int]:
    try:
        code = form_text("code", 64)
        organisations.create_unit(services().uow(), code, form_text("name"),
                                  form_int("parent_id"))
    except WorkflowError as exc:
        return units_page(_("The unit was not created: %(reason)s", reason=str(exc)), 400)
    flash(_("Unit %(code)s created.", code=code))
    return redirect(url_for("admin.units_list"))


def cluster_rows() -> list[dict[str, Any]]:
    codes = {u.id: u.code for u in unit_choices()}
    return [dict(asdict(c), members=[codes.get(u, str(u)) for u in c.member_ids],
                 leader=codes.get(c.leader_unit_id or 0, ""),
                 deputy=codes.get(c.deputy_unit_id or 0, "")) for c in cluster_choices()]


def clusters_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin_clusters.html", listing=paginate(cluster_rows()), units=unit_choices(),
        kinds=organisations.KINDS, values=request.form, error=error,
        chosen=set(form_ids("members")),
        year=services().clock.now().year), status


@bp.route("/clusters")
def clusters_list() -> tuple[str, int]:
    return clusters_page()


def add_cluster() -> str:
    code, name = form_text("code", 64), form_text("name")
    year = form_int("year", 1900, 2200)
    if not code or not name or year is None:
        raise InvalidInput(_("A cluster needs a code, a name and a year."))
    members = form_ids("members")
    organisations.create_cluster(
        services().uow(), code, name, form_text("kind", 8), year, members,
        council=form_text("council") or None, leader_unit_id=form_int("leader_unit_id"),
        deputy_unit_id=form_int("deputy_unit_id"))
    return code


@bp.route("/clusters/create", methods=["POST"])
def create_cluster() -> Response | tuple[str, int]:
    try:
        code = add_cluster()
    except WorkflowError as exc:
        return clusters_page(_("The cluster was not created: %(reason)s", reason=str(exc)), 400)
    flash(_("Cluster %(code)s created.", code=code))
    return redirect(url_for("admin.clusters_list"))


# --- rule sets and holidays (read-only) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleRow:
    label: str
    value: str
    basis: str
    verified: bool
    citation: str = ""  # where the law says it: "Nghị định 98/2023/NĐ-CP, Điều 30 khoản 7"
    source: str = ""  # the public copy it was read in


def shown(value: object) -> str:
    if isinstance(value, Fraction):
        return show_share(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, tuple):
        return ", ".join(str(v.label.get(locale())) if isinstance(v, Document) else str(v)
                         for v in value)
    if isinstance(value, int | Decimal):
        return vi_number(value)
    return str(value)


def row(label: str, sourced: Sourced[Any], prefix: str = "") -> RuleRow:
    return RuleRow(label, prefix + shown(sourced.value), sourced.basis, sourced.verified,
                   sourced.citation, sourced.source)


def threshold_row(
    label: str, threshold: Sourced[Fraction], comparison: str, basis: str
) -> RuleRow:
    compare = _("more than") if comparison == "more_than" else _("at least")
    whole = _("of all members") if basis == "all_members" else _("of the members present")
    text = f"{compare} {show_share(threshold.value)} {whole}"
    return RuleRow(label, text, threshold.basis, threshold.verified, threshold.citation,
                   threshold.source)


def level_label(level: str) -> str:
    return str({"central": _("central level (Ministry of Home Affairs)"),
                "ministry": _("ministry, central body or province"),
                "commune": _("commune")}.get(level, level))


def set_rows(rule_set: RuleSet) -> list[RuleRow]:
    rows = [row(_("Public posting (days)"), rule_set.public_posting_days)]
    for level in ADMIN_LEVELS:
        limits = rule_set.limits(level)
        where = level_label(level)
        rows.append(row(_("Appraisal (working days), %(level)s", level=where),
                        limits.appraisal_working_days))
        rows.append(row(_("Return notice (working days), %(level)s", level=where),
                        limits.return_notice_working_days))
    for salary in rule_set.base_salary:
        rows.append(row(_("Base salary (đồng a month) from %(date)s",
                          date=salary.start.strftime("%d/%m/%Y")), salary.amount))
    if rule_set.prize_rounding is not None:
        rows.append(row(_("Prize money rounded up to (đồng)"), rule_set.prize_rounding))
    rows.append(row(_("Tie rule"), rule_set.tie_rule))
    if rule_set.replaces is not None:
        rows.append(row(_("Replaces"), rule_set.replaces))
    return rows


def title_kind(title: Title) -> str:
    kind = _("collective") if title.kind == "collective" else _("individual")
    level = {"state": _("state level"), "ministry": _("ministry or province level"),
             "unit": _("unit level")}[title.level]
    return f"{kind} · {level}"


def title_rows(title: Title) -> list[RuleRow]:
    vote, caps = title.vote, title.caps
    rows = [
        threshold_row(_("Vote threshold"), vote.threshold, vote.comparison, vote.basis),
        row(_("Quorum"), vote.quorum, _("at least") + " "),
        row(_("Secret ballot"), vote.secret),
    ]
    if vote.ballot_required is not None:
        rows.append(row(_("Ballot required by law"), vote.ballot_required))
    if vote.absentees_in_writing is not None:
        rows.append(row(_("Absent members vote in writing"), vote.absentees_in_writing))
    rows.append(row(_("Required documents"), title.required_documents))
    if title.prize_coefficient is not None:
        rows.append(row(_("Prize money (times the base salary)"), title.prize_coefficient))
    if title.cluster_vote is not None:
        cv = title.cluster_vote
        rows.append(threshold_row(_("Cluster vote threshold"), cv.threshold, cv.comparison,
                                  cv.basis))
    if caps.per_cluster is not None:
        rows.append(row(_("At most per cluster"), caps.per_cluster))
    if caps.share_of_cluster_leaders is not None:
        rows.append(row(_("At most, share of cluster leaders"), caps.share_of_cluster_leaders))
    if (r := caps.leader_quota_rounding) is not None:  # the share made a whole number (council)
        rows.append(RuleRow(_("The share of leading units rounded"), {"down": _("down"), "nearest": _("to the nearest"), "up": _("up")}[r.value], r.basis, r.verified, r.citation, r.source))  # noqa: E501
    return rows


@bp.route("/rules")
def rules() -> str:
    rulebook = services().workflows.rulebook
    sets = list(rulebook.sets) if rulebook is not None else []
    calendar = services().workflows.calendar
    years = sorted(getattr(calendar, "years", {}).values(), key=lambda y: y.year)
    return render_template(
        "admin_rules.html", listing=paginate(sets, per=2), set_rows=set_rows,
        title_rows=title_rows, title_kind=title_kind, years=paginate(years, "ypage", per=3),
        locale=locale())


# --- e-mail deliveries ----------------------------------------------------------------------


@bp.route("/deliveries")
def deliveries() -> str:
    failures = delivery.delivery_failures(services().uow())
    return render_template("admin_deliveries.html", listing=paginate(failures))
