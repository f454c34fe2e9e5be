"""What an item is called wherever a person sees it: "Giao ước thi đua 2026 – Bộ Công an",
"Báo cáo sơ kết 2026 – Bộ Tư pháp", "Kiểm tra chéo 2026 – Bộ Công an kiểm tra Bộ Quốc phòng",
never "#21". One function, `item_title`, used by the inbox, the item pages, the campaign's
progress, history and notifications, so that an item has one name everywhere.

The names of units and clusters come from the read side (`names_for`), asked once for a whole
list of items.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from workflow.domain.labels import Label


class Named(Protocol):
    """What naming reads of an item (an engine Instance has all of it)."""

    @property
    def id(self) -> int: ...
    @property
    def workflow(self) -> str: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def cluster_id(self) -> int | None: ...
    @property
    def year(self) -> int | None: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


class NameSource(Protocol):
    """The read side's names (workflow/services/read_side.ReadSide has both)."""

    def unit_names(self, unit_ids: Iterable[int]) -> dict[int, str]: ...
    def cluster_names(self, cluster_ids: Iterable[int]) -> dict[int, str]: ...


@dataclass(frozen=True, slots=True)
class Names:
    """Names of the units and clusters a list of items mentions."""

    units: Mapping[int, str] = field(default_factory=dict)
    clusters: Mapping[int, str] = field(default_factory=dict)


# The kind of item, where the workflow's own title is not what people call it.
NOUNS: dict[str, Label] = {
    "campaign": Label("Phong trào thi đua", "Emulation campaign"),
    "score_sheet": Label("Phiếu chấm điểm", "Score sheet"),
    "vote_session": Label("Phiên bỏ phiếu", "Vote session"),
}
# a conference is named by its kind (data.plan.kind)
CONFERENCE_NOUNS: dict[str, Label] = {
    "pledge_signing": Label("Hội nghị ký kết giao ước thi đua", "Pledge-signing conference"),
    "six_month": Label("Hội nghị sơ kết 6 tháng", "Six-month review conference"),
    "year_end": Label("Hội nghị tổng kết năm", "Year-end review conference"),
    "thematic": Label("Hội nghị chuyên đề", "Thematic conference"),
}
REPORT_NOUNS: dict[str, Label] = {
    "six_month": Label("Báo cáo sơ kết", "Six-month report"),
    "year_end": Label("Báo cáo tổng kết", "Year-end report"),
}
# an exemplary model and a unit's adoption of it are named by the model's name
MODEL_NOUNS: dict[str, Label] = {
    "exemplary_model": Label("Điển hình “{name}”", "Exemplary model “{name}”"),
    "model_adoption": Label("Áp dụng mô hình “{name}”", "Adopting “{name}”"),
}
# the path of the page made for each kind of item (web/items.PAGES names the same pages)
PATHS = {"campaign": "/campaigns/{}", "pledge": "/pledges/{}", "report": "/reports/{}",
         "score_sheet": "/score-sheets/{}", "vote_session": "/votes/{}",
         "dossier": "/dossiers/{}", "conference": "/conferences/{}",
         "supervision": "/supervision/items/{}",
         "department_data": "/department-data/{}",
         "exemplary_model": "/models/{}", "model_adoption": "/adoptions/{}"}
# a dossier is named by the title it proposes, kept in its data when it was opened
DOSSIER = Label("Hồ sơ đề nghị {title}", "Dossier proposing {title}")
INSPECTS = Label("{by} kiểm tra {of}", "{by} inspects {of}")
COUNCIL = Label("Hội đồng Thi đua – Khen thưởng", "Emulation and Commendation Council")


def _plan(inst: Named) -> Mapping[str, Any]:
    plan = inst.data.get("plan")
    return plan if isinstance(plan, Mapping) else {}


def _id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def mentioned_units(inst: Named) -> set[int]:
    """The units an item's name mentions: its own, and an inspection's inspecting unit."""
    found = {inst.unit_id} if inst.unit_id is not None else set()
    if inst.workflow == "inspection":
        found |= {i for i in (_id(_plan(inst).get("inspector_unit_id")),
                              _id(_plan(inst).get("unit_id"))) if i is not None}
    return found


def names_for(source: NameSource, items: Iterable[Named]) -> Names:
    """The names every item of the list needs, in two questions to the read side."""
    listed = list(items)
    units = set().union(*(mentioned_units(i) for i in listed)) if listed else set()
    clusters = {i.cluster_id for i in listed if i.cluster_id is not None}
    return Names(source.unit_names(units), source.cluster_names(clusters))


def item_path(workflow: str, item_id: int) -> str:
    """The path of an item's page, for links written outside a request (notifications)."""
    return PATHS.get(workflow, "/items/{}").format(item_id)


def item_title(title: Label, inst: Named, names: Names, locale: str = "vi") -> str:
    """The item's name: what it is, its year and whose it is ("Giao ước thi đua 2026 – Bộ
    Công an"). `title` is the workflow's title (spec.title), used for kinds without a noun of
    their own. A campaign that carries its own title (set when it was created) keeps it."""
    own = inst.data.get("title")
    if inst.workflow == "campaign" and isinstance(own, str) and own.strip():
        return own.strip()
    noun = NOUNS.get(inst.workflow, title)
    if inst.workflow == "report":
        noun = REPORT_NOUNS.get(str(inst.data.get("period")), title)
    if inst.workflow == "dossier":
        noun = _dossier_noun(inst) or title
    if inst.workflow == "conference":
        noun = CONFERENCE_NOUNS.get(str(_plan(inst).get("kind")), title)
    if inst.workflow in MODEL_NOUNS:
        noun = _model_noun(inst) or title
    head = noun.get(locale) + (f" {inst.year}" if inst.year else "")
    whose = _whose(inst, names, locale)
    return f"{head} – {whose}" if whose else head


def _model_noun(inst: Named) -> Label | None:
    """An exemplary model, or a unit's adoption of one, is named by the model's name."""
    key = "model" if inst.workflow == "exemplary_model" else "proposal"
    found = inst.data.get(key)
    name = found.get("name" if key == "model" else "model") if isinstance(found, Mapping) \
        else None
    if not isinstance(name, str) or not name.strip():
        return None
    noun = MODEL_NOUNS[inst.workflow]
    return Label(noun.vi.format(name=name.strip()), noun.en.format(name=name.strip()))


def _dossier_noun(inst: Named) -> Label | None:
    label = inst.data.get("title_label")
    if not isinstance(label, Mapping) or not label.get("vi"):
        return None
    vi, en = str(label["vi"]), str(label.get("en") or label["vi"])
    return Label(DOSSIER.vi.format(title=vi), DOSSIER.en.format(title=en[:1].lower() + en[1:]))


def _whose(inst: Named, names: Names, locale: str) -> str:
    if inst.workflow == "inspection":
        plan = _plan(inst)
        by = names.units.get(_id(plan.get("inspector_unit_id")) or 0)
        of = names.units.get(inst.unit_id or _id(plan.get("unit_id")) or 0)
        if by and of:
            return INSPECTS.get(locale).format(by=by, of=of)
    if inst.unit_id is not None and inst.unit_id in names.units:
        return names.units[inst.unit_id]
    if inst.cluster_id is not None and inst.cluster_id in names.clusters:
        return names.clusters[inst.cluster_id]
    if inst.workflow == "vote_session" and inst.data.get("kind") == "council":
        return COUNCIL.get(locale)
    return ""
