"""Rules of an exemplary model (điển hình tiên tiến, mô hình hay) and of its adoption by other
units: what a model must say, what backs its results, the conference it is presented at, whom
it is spread to and what an adopting unit records.

The pages and the API read the same shapes through `workflow.services.exemplary_models`; these
guards check them again in the fire's own transaction, so that no client stores a malformed
model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from workflow.domain.refusals import Ref, Refusal
from workflow.engine.registry import CallContext
from workflow.services import naming, templates
from workflow.services.rules.base import YEAR, local_date, port

NAME_LENGTH = 300
TEXT_LENGTH = 5000
PEOPLE_LENGTH = 1000
EVIDENCE_KIND = "minh_chung_dien_hinh"  # a document proving a model's results
MODEL_EVIDENCE = "exemplary_model"  # the evidence kind a criterion names to count models
SOURCES = ("report", "inspection")  # where the cluster's leader may find a model
SCOPES = ("units", "clusters", "sector")  # whom a model may be spread to
ACCEPTED = frozenset({"accepted", "spreading", "concluded"})
LIVE_CONFERENCE = frozenset({"planned", "invited", "held", "minuted", "signed"})
OPEN_ADOPTION = frozenset({"proposed", "adopted", "reported"})
MODEL_FIELDS = ("name", "field", "description", "results", "people")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def model_refusal(model: Any) -> Refusal | None:
    """What is wrong with a model's description ({name, field, description, results,
    people}), or None."""
    if not isinstance(model, Mapping):
        return Refusal("model_invalid")
    for key, code in (("name", "model_name_missing"), ("field", "model_field_missing"),
                      ("description", "model_description_missing"),
                      ("results", "model_results_missing")):
        if not _text(model.get(key)):
            return Refusal(code)
    for key, most in (("name", NAME_LENGTH), ("field", NAME_LENGTH),
                      ("description", TEXT_LENGTH), ("results", TEXT_LENGTH),
                      ("people", PEOPLE_LENGTH)):
        value = model.get(key)
        if value is not None and not isinstance(value, str):
            return Refusal("model_invalid")
        if len(_text(value)) > most:
            return Refusal("model_text_too_long", {"max": most})
    return None


def clean_model(model: Mapping[str, Any]) -> dict[str, str]:
    """The model's description as it is kept: its texts, trimmed."""
    return {key: _text(model.get(key)) for key in MODEL_FIELDS}


def spreading_refusal(spreading: Any, members: set[int], own_unit: int | None,
                      asked: set[int], own_cluster: int | None) -> Refusal | None:
    """What is wrong with a proposal to spread a model ({units, clusters, sector, note}), or
    None: units are other member units not yet asked; clusters are other clusters."""
    if not isinstance(spreading, Mapping):
        return Refusal("model_spreading_invalid")
    units, clusters = spreading.get("units") or [], spreading.get("clusters") or []
    if not isinstance(units, list) or not isinstance(clusters, list) or \
            not isinstance(spreading.get("sector", False), bool):
        return Refusal("model_spreading_invalid")
    if not units and not clusters and not spreading.get("sector"):
        return Refusal("model_spreading_empty")
    for unit in units:
        if _id(unit) is None or unit not in members:
            return Refusal("model_spreading_invalid")
        if unit == own_unit or unit in asked:
            return Refusal("model_spreading_unit_taken", {"unit": Ref("unit", unit)})
    for cluster in clusters:
        if _id(cluster) is None or cluster == own_cluster:
            return Refusal("model_spreading_cluster_invalid")
    if len(_text(spreading.get("note"))) > TEXT_LENGTH:
        return Refusal("model_text_too_long", {"max": TEXT_LENGTH})
    return None


def adoption_refusal(adoption: Any, today: dt.date) -> Refusal | None:
    """What is wrong with an adoption's record ({date, how}), or None."""
    if not isinstance(adoption, Mapping):
        return Refusal("adoption_invalid")
    day = _date(adoption.get("date"))
    if day is None or day > today:
        return Refusal("adoption_date_invalid")
    how = adoption.get("how")
    if not _text(how):
        return Refusal("adoption_how_missing")
    if len(_text(how)) > TEXT_LENGTH:
        return Refusal("model_text_too_long", {"max": TEXT_LENGTH})
    return None


def _asked(ctx: CallContext) -> set[int]:
    """The units already asked to adopt the model (and not having declined)."""
    return {c.unit_id for c in port(ctx).children(ctx.instance.id)
            if c.workflow == "model_adoption" and c.unit_id is not None
            and c.state in OPEN_ADOPTION}


def _members(ctx: CallContext) -> set[int]:
    cluster = ctx.instance.cluster_id
    return set(port(ctx).member_units(cluster)) if cluster is not None else set()


@YEAR.guard("valid_exemplary_model")
def valid_exemplary_model(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    return model_refusal(ctx.payload.get("model"))


@YEAR.effect("store_exemplary_model")
def store_exemplary_model(ctx: CallContext, params: Mapping[str, Any]) -> None:
    ctx.instance.data["model"] = clean_model(ctx.payload["model"])


@YEAR.guard("exemplary_model_complete")
def exemplary_model_complete(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """A whole description, and its results backed: by an evidence document, or by the
    report or inspection the model was found in."""
    refusal = model_refusal(ctx.instance.data.get("model"))
    if refusal is not None:
        return refusal
    source = ctx.instance.data.get("source")
    if isinstance(source, Mapping) and source.get("kind") in SOURCES:
        return None
    if EVIDENCE_KIND in ctx.query.document_kinds(ctx.instance.id):
        return None
    return Refusal("model_evidence_missing")


@YEAR.guard("valid_model_presentation")
def valid_model_presentation(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """A conference of the model's campaign (the cluster's, that year), not cancelled."""
    presentation = ctx.payload.get("presentation")
    conference = _id(presentation.get("conference_id")) \
        if isinstance(presentation, Mapping) else None
    parent = ctx.instance.parent_id
    found = [c for c in port(ctx).children(parent) if c.id == conference
             and c.workflow == "conference" and c.state in LIVE_CONFERENCE] \
        if parent is not None and conference is not None else []
    if not found:
        return Refusal("model_conference_invalid")
    assert isinstance(presentation, Mapping)
    if len(_text(presentation.get("presenter"))) > NAME_LENGTH:
        return Refusal("model_text_too_long", {"max": NAME_LENGTH})
    if any(p.get("conference_id") == conference
           for p in ctx.instance.data.get("presentations") or []):
        return Refusal("model_presented_already")
    return None


@YEAR.effect("store_model_presentation")
def store_model_presentation(ctx: CallContext, params: Mapping[str, Any]) -> None:
    presentation = ctx.payload["presentation"]
    listed = list(ctx.instance.data.get("presentations") or [])
    listed.append({"conference_id": presentation["conference_id"],
                   "presenter": _text(presentation.get("presenter")),
                   "recorded_on": local_date(ctx, ctx.now).isoformat()})
    ctx.instance.data["presentations"] = listed


@YEAR.guard("valid_model_spreading")
def valid_model_spreading(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    return spreading_refusal(ctx.payload.get("spreading"), _members(ctx), ctx.instance.unit_id,
                             _asked(ctx), ctx.instance.cluster_id)


@YEAR.effect("store_model_spreading")
def store_model_spreading(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """The proposal kept beside the earlier ones; one adoption item starts for each unit
    asked this time (new_adoptions)."""
    spreading = ctx.payload["spreading"]
    day = local_date(ctx, ctx.now).isoformat()
    note = _text(spreading.get("note"))
    units: list[int] = list(spreading.get("units") or [])
    entry = {"units": units, "clusters": list(spreading.get("clusters") or []),
             "sector": bool(spreading.get("sector")), "note": note, "on": day}
    ctx.instance.data["spreadings"] = [*(ctx.instance.data.get("spreadings") or []), entry]
    name = _text((ctx.instance.data.get("model") or {}).get("name"))
    ctx.instance.data["new_adoptions"] = [
        {"unit_id": unit, "model_id": ctx.instance.id, "model": name, "note": note,
         "proposed_on": day} for unit in units]


@YEAR.guard("valid_model_adoption")
def valid_model_adoption(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    return adoption_refusal(ctx.payload.get("adoption"), local_date(ctx, ctx.now))


@YEAR.guard("valid_model_results")
def valid_model_results(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    results = ctx.payload.get("results")
    if not _text(results):
        return Refusal("adoption_results_missing")
    if len(_text(results)) > TEXT_LENGTH:
        return Refusal("model_text_too_long", {"max": TEXT_LENGTH})
    return None


@YEAR.effect("notify_adopters")
def notify_adopters(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Tell the heads and emulation officers of each unit asked this time (new_adoptions),
    in the app and by e-mail, in the step's transaction; the link opens the model."""
    queries = port(ctx).engine_queries()
    inst = ctx.instance
    name = _text((inst.data.get("model") or {}).get("name"))
    link = naming.item_path("exemplary_model", inst.id)
    note = _text((ctx.payload.get("spreading") or {}).get("note"))
    seen: set[Any] = set()
    for asked in inst.data.get("new_adoptions") or []:
        scope = _UnitScope(int(asked["unit_id"]), inst.year)
        for row in queries.recipients(scope, {"unit_head", "unit_officer"}):  # type: ignore[arg-type]
            user_id, full_name, email, locale, _digest = row
            if user_id in seen:
                continue
            seen.add(user_id)
            locale = templates.resolve_locale(locale)
            if locale == "vi":
                title = f"Đề xuất áp dụng mô hình “{name}”"
                text = (f"Cụm, khối thi đua đề xuất đơn vị áp dụng điển hình “{name}”; hãy ghi "
                        "nhận ngày và cách áp dụng, sau đó báo cáo kết quả.")
            else:
                title = f"Proposed for adoption: “{name}”"
                text = (f"The cluster proposes your unit adopt the exemplary model “{name}”; "
                        "record when and how you adopted it, then report its results.")
            if note:
                text = f"{text} {note}"
            subject, body = templates.render("notice", locale, {
                "title": title, "text": text, "recipient": full_name})
            for message in templates.message_rows(
                    user_id=user_id, email=email, kind="notice", instance_id=inst.id,
                    subject=subject, body=body, link=link, now=ctx.now):
                queries.add_message(message)


class _UnitScope:
    """A unit and the year, as the recipients' query reads an item's scope."""

    def __init__(self, unit_id: int, year: int | None) -> None:
        self.unit_id: int | None = unit_id
        self.cluster_id: int | None = None
        self.year = year
