"""The admin's workflow definitions: the list, a new draft, the editor (validate, preview,
save, publish) and migrating running instances to a new version."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.admin import Answer, bp, form_int, form_text, locale, paginate, services
from web.auth import current_actor
from workflow.definitions.workflow_loader import load_text
from workflow.engine.diagram import render_svg, to_dot
from workflow.engine.spec import WorkflowSpec
from workflow.errors import DefinitionError, DefinitionErrors, InvalidInput, WorkflowError
from workflow.services import migration
from workflow.services.read_side import DefinitionVersion, Draft, DraftSummary, PublishedDefinition

MAX_TEXT = 200_000  # characters of a definition's text
NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")

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
