"""Items as people see them: their names (workflow/services/naming.py), the page made for each
kind, and their files (a size in KB or MB, who uploaded it and when, a link that opens it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Flask, current_app, url_for

from web.refusals import number
from workflow.bootstrap import Services
from workflow.engine.instance import Instance
from workflow.services import naming
from workflow.services.read_side import DocumentInfo

# the page made for each kind of item; the others open on the generic item page
PAGES = {
    "campaign": ("year.campaign", "campaign_id"),
    "pledge": ("year.pledge", "pledge_id"),
    "report": ("year.report", "report_id"),
    "score_sheet": ("year.score_sheet", "sheet_id"),
    "vote_session": ("year.vote", "session_id"),
    "dossier": ("year.dossier", "dossier_id"),
    "conference": ("year.conference", "conference_id"),
    "department_data": ("year.department_data_item", "item_id"),
    "exemplary_model": ("year.model", "model_id"),
    "model_adoption": ("year.adoption", "adoption_id"),
}
KB = 1024


def _services() -> Services:
    found: Services = current_app.extensions["thidua"]
    return found


def item_url(workflow: str, item_id: int) -> str:
    """The page of an item: the one made for its kind, or the generic item page."""
    endpoint, arg = PAGES.get(workflow, ("views.item", "item_id"))
    if endpoint not in current_app.view_functions:
        endpoint, arg = "views.item", "item_id"
    values: dict[str, Any] = {arg: item_id}
    return url_for(endpoint, **values)


def titles_of(items: Iterable[Instance], locale: str) -> dict[int, str]:
    """The name of each item ("Giao ước thi đua 2026 – Bộ Công an"), names read once."""
    listed = list(items)
    svc = _services()
    names = naming.names_for(svc.reads, listed)
    return {i.id: naming.item_title(svc.workflows.catalog.compiled(i.definition_id).spec.title,
                                    i, names, locale) for i in listed}


def title_of(item: Instance, locale: str) -> str:
    return titles_of([item], locale)[item.id]


def file_size(size: int) -> str:
    """A file's size as people read it: "812 B", "35,8 KB", "1,2 MB" (decimal comma in
    Vietnamese)."""
    if size < KB:
        return f"{number(size)} B"
    unit, amount = ("KB", Decimal(size) / KB) if size < KB * KB else \
        ("MB", Decimal(size) / (KB * KB))
    return f"{number(amount.quantize(Decimal('0.1'), ROUND_HALF_UP))} {unit}"


@dataclass(frozen=True, slots=True)
class ListedFile:
    """A file as a page lists it: its document, its link, its size and who uploaded it."""

    doc: DocumentInfo
    url: str
    size: str
    uploader: str


def listed_files(item_id: int, docs: Sequence[DocumentInfo]) -> list[ListedFile]:
    """The item's files with the links that open them and their uploaders' names."""
    people = _services().reads.full_names(d.uploaded_by for d in docs)
    return [ListedFile(d, url_for("year.document", item_id=item_id, document_id=d.id),
                       file_size(d.size), people.get(d.uploaded_by, d.uploaded_by))
            for d in docs]


def init_app(app: Flask) -> None:
    """The names, links and sizes the templates use."""
    app.jinja_env.globals["item_url"] = item_url
    app.jinja_env.filters["file_size"] = file_size
