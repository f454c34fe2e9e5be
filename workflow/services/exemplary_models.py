"""Exemplary models (điển hình tiên tiến, mô hình hay) of a cluster's year: proposing one (by
a unit for itself, or by the cluster's leader or deputy from a report or an inspection), the
forms of its steps, and what the pages, the score sheets, the public page and the dossiers read
of them.

A form is read into the payload of the model's own step; the step's guards
(workflow/services/rules/exemplary.py) check it in the fire's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from workflow.documents import exemplary as annex
from workflow.documents.generated import GeneratedDocument
from workflow.domain.exemplary import PublicModel
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import Conflict, InvalidInput, PermissionDenied
from workflow.services import access, documents
from workflow.services.read_side import ReadSide
from workflow.services.rules.conference import title as conference_title
from workflow.services.rules.exemplary import (
    ACCEPTED,
    EVIDENCE_KIND,
    MODEL_EVIDENCE,
    SOURCES,
    clean_model,
    model_refusal,
)
from workflow.services.workflows import Workflows

MODEL = "exemplary_model"
ADOPTION = "model_adoption"

__all__ = ["ACCEPTED", "ADOPTION", "EVIDENCE_KIND", "MODEL", "MODEL_EVIDENCE", "SOURCES"]

Get = Callable[[str], str]
GetList = Callable[[str], list[str]]


def read_model(get: Get) -> dict[str, str]:
    """The model a form gives: name, field, what it does, results, people involved."""
    return {"name": get("name"), "field": get("field"), "description": get("description"),
            "results": get("results"), "people": get("people")}


def day_of(text: str) -> str:
    """A date typed as dd/mm/yyyy (or given by a date field, yyyy-mm-dd) in ISO, or the text
    as typed when it is no date (the guard then says so)."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text


def _ids(values: Iterable[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit()]


def read_spreading(get: Get, getlist: GetList) -> dict[str, Any]:
    """A proposal to spread a model: the member units asked to adopt it, other clusters, the
    whole sector, and a note."""
    return {"units": _ids(getlist("units")), "clusters": _ids(getlist("clusters")),
            "sector": get("sector") == "1", "note": get("note").strip()}


def read_adoption(get: Get) -> dict[str, str]:
    """When and how a unit adopted a model."""
    return {"date": day_of(get("date")), "how": get("how").strip()}


# --- reading -------------------------------------------------------------------------------


def models_of(workflows: Workflows, campaign: Instance) -> list[Instance]:
    """A campaign's exemplary models, the newest first."""
    return sorted((c for c in workflows.children(campaign.id) if c.workflow == MODEL),
                  key=lambda c: -c.id)


def adoptions_of(workflows: Workflows, model: Instance) -> list[Instance]:
    """The units asked to adopt a model, in the order they were asked."""
    return sorted((c for c in workflows.children(model.id) if c.workflow == ADOPTION),
                  key=lambda c: c.id)


def name_of(model: Instance | Mapping[str, Any]) -> str:
    data = model.data if isinstance(model, Instance) else model
    found = data.get("model") if isinstance(data.get("model"), Mapping) else {}
    assert isinstance(found, Mapping)
    return str(found.get("name") or "")


def accepted_models(workflows: Workflows, campaign_id: int, unit_id: int) -> list[Instance]:
    """A unit's accepted models of a campaign: the evidence its score sheet shows for the
    criterion about exemplary models, and what its dossiers may cite."""
    return [c for c in workflows.children(campaign_id)
            if c.workflow == MODEL and c.unit_id == unit_id and c.state in ACCEPTED]


PUBLIC_LIMIT = 30  # the newest accepted models the public page shows


def public_models(reads: ReadSide) -> list[PublicModel]:
    """What anyone may read of the accepted models, the newest first: whose, what it does,
    its results, and the units that adopted it."""
    return reads.public_models(ACCEPTED, ("adopted", "reported"))[:PUBLIC_LIMIT]


def may_see(actor: Actor, model: Instance, members: Iterable[int],
            adopting: Iterable[Instance] = ()) -> bool:
    """Who may open a model's page: whoever holds a role on it; once accepted, the people of
    the cluster's member units too (it is public by then); and the units asked to adopt it."""
    if access.may_see(actor, model):
        return True
    member_set = set(members)
    if model.state in ACCEPTED and model.cluster_id is not None and access.is_member(
            actor, _ClusterWide(model), lambda _c: member_set):
        return True
    return any(access.may_see(actor, a) for a in adopting)


class _ClusterWide:
    """The model's cluster and year as a cluster-wide item (whose members may read it)."""

    def __init__(self, model: Instance) -> None:
        self.id = model.id
        self.workflow = model.workflow
        self.unit_id: int | None = None
        self.cluster_id = model.cluster_id
        self.year = model.year


# --- proposing -----------------------------------------------------------------------------


def may_propose(workflows: Workflows, actor: Actor, campaign: Instance,
                unit_id: int | None = None) -> bool:
    """Whether the actor may propose a model of the campaign's cluster and year: for a unit,
    the unit itself or the cluster's leader or deputy; without one, for some unit."""
    spec = workflows.catalog.latest(MODEL).spec
    if unit_id is not None:
        return access.may_start(actor, spec, unit_id=unit_id, cluster_id=campaign.cluster_id,
                                year=campaign.year)
    return bool(proposable_units(workflows, actor, campaign, _members_of(workflows, campaign)))


def _members_of(workflows: Workflows, campaign: Instance) -> list[int]:
    if campaign.cluster_id is None:
        return []
    with workflows.store.read() as query:
        return list(query.member_units(campaign.cluster_id))


def proposable_units(workflows: Workflows, actor: Actor, campaign: Instance,
                     members: Iterable[int]) -> list[int]:
    """The member units the actor may propose a model for, in the cluster's order."""
    spec = workflows.catalog.latest(MODEL).spec
    return [u for u in members if access.may_start(
        actor, spec, unit_id=u, cluster_id=campaign.cluster_id, year=campaign.year)]


def source_of(workflows: Workflows, campaign: Instance, source_id: int | None) -> Instance | None:
    """The report or inspection of the campaign a model is registered from, or None."""
    if source_id is None:
        return None
    found = workflows.get(source_id)
    if found.workflow not in SOURCES or found.parent_id != campaign.id:
        raise Conflict(f"{found.workflow} {found.id} is not a report or inspection of "
                       f"campaign {campaign.id}")
    return found


def source_unit(source: Instance) -> int | None:
    """The unit a report is of, or the unit an inspection inspected."""
    return source.unit_id


def propose(
    workflows: Workflows, actor: Actor, campaign: Instance, unit_id: int,
    model: Mapping[str, Any], *, source: Instance | None = None, submit: bool = False,
) -> Instance:
    """Propose a model of a member unit: created only with a whole description (InvalidInput
    with the refusal otherwise), stored by its own revise step; sent for review at once with
    `submit` (refused, it stays a draft and the refusal is raised)."""
    if campaign.workflow != "campaign":
        raise InvalidInput(f"{campaign.workflow} {campaign.id} is not a campaign")
    if unit_id not in _members_of(workflows, campaign):
        raise Conflict(f"unit {unit_id} is not a member of the campaign's cluster")
    if not may_propose(workflows, actor, campaign, unit_id):
        raise PermissionDenied(
            f"'{actor.username}' may propose models neither for unit {unit_id} nor for the "
            f"cluster in {campaign.year}")
    if source is not None and source.unit_id != unit_id:
        raise Conflict(f"{source.workflow} {source.id} is not of unit {unit_id}")
    refusal = model_refusal(model)
    if refusal is not None:
        raise InvalidInput(refusal.english(), refusal)
    data = {"source": {"kind": source.workflow, "id": source.id}} if source is not None else {}
    inst = workflows.start(MODEL, actor, unit_id=unit_id, cluster_id=campaign.cluster_id,
                           year=campaign.year, parent_id=campaign.id, data=data)
    inst = workflows.fire(inst, "revise", actor, {"model": clean_model(model)}).instance
    if submit:
        inst = workflows.fire(inst, "submit", actor, {}).instance
    return inst


# --- citing them in a dossier's achievement report ------------------------------------------

ANNEX_KIND = "phu_luc_dien_hinh"  # the annex of the achievement report listing the models
CITING_STATES = frozenset({"draft", "posting", "returned"})  # a dossier still being prepared


def models_of_unit(workflows: Workflows, reads: ReadSide, unit_id: int, year: int
                   ) -> list[Instance]:
    """A unit's accepted models of a year, oldest first: what its dossiers may cite."""
    found = [workflows.get(i) for i in reads.items_of_year(MODEL, year, ACCEPTED, finished=True)]
    return [m for m in found if m.unit_id == unit_id]


def may_cite(workflows: Workflows, actor: Actor, dossier: Instance) -> bool:
    """Who adds the annex to a dossier: whoever may attach to it while it is prepared."""
    spec = workflows.catalog.compiled(dossier.definition_id).spec
    return dossier.state in CITING_STATES and access.may_attach(actor, dossier, spec)


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def achievement_annex(workflows: Workflows, reads: ReadSide, dossier: Instance
                      ) -> GeneratedDocument:
    """The annex of the nominee's achievement report: its accepted models of the year, with
    the conferences they were presented at and the units that adopted them."""
    if dossier.unit_id is None or dossier.year is None:
        raise InvalidInput(f"dossier {dossier.id} names no unit and year")
    found = models_of_unit(workflows, reads, dossier.unit_id, dossier.year)
    adoptions = {m.id: adoptions_of(workflows, m) for m in found}
    names = reads.unit_names({dossier.unit_id} | {
        a.unit_id for listed in adoptions.values() for a in listed if a.unit_id is not None})
    entries = []
    for m in found:
        model = m.data.get("model") or {}
        talks = []
        for p in m.data.get("presentations") or []:
            conference = workflows.get(int(p["conference_id"]))
            talks.append(conference_title(conference.data, conference.year, "vi"))
        entries.append(annex.ModelEntry(
            str(model.get("name") or ""), str(model.get("field") or ""),
            str(model.get("description") or ""), str(model.get("results") or ""),
            str(model.get("people") or ""), _day(m.data.get("accepted_at")), tuple(talks),
            tuple(annex.Adopter(names.get(a.unit_id or 0, ""),
                                _day((a.data.get("adoption") or {}).get("date")),
                                str(a.data.get("results") or ""))
                  for a in adoptions[m.id] if a.state in ("adopted", "reported"))))
    label = dossier.data.get("title_label") or {}
    return annex.achievement_annex(annex.AchievementAnnex(
        names.get(dossier.unit_id, ""), dossier.year,
        str(label.get("vi") or dossier.data.get("title") or ""), workflows.clock.today(),
        tuple(entries)))


def cite_in_dossier(workflows: Workflows, reads: ReadSide, folder: Path, dossier: Instance,
                    actor: Actor) -> GeneratedDocument:
    """Draw up the annex and attach it to the dossier, its hash in the dossier's history."""
    if not may_cite(workflows, actor, dossier):
        raise PermissionDenied(f"'{actor.username}' does not prepare dossier {dossier.id}")
    doc = achievement_annex(workflows, reads, dossier)
    documents.attach(workflows, folder, dossier, actor, ANNEX_KIND, doc.filename, doc.content,
                     uploaded=False)
    return doc
