"""What a conference hosts, and the way back: the pledge-signing conference and the pledges
signed at it (each pledge may name the conference it was signed at), the year-end review and
the cluster vote it hosts (the vote's meeting names the conference), with its result once
counted."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from web.items import item_url
from web.views import locale, services
from web.year.common import _state_label, _wf
from workflow.engine.instance import Instance
from workflow.services import conferences, voting
from workflow.services.overview import COUNTED
from workflow.services.rules.conference import CALLED


@dataclass(frozen=True, slots=True)
class Link:
    id: int
    url: str
    name: str


@dataclass(frozen=True, slots=True)
class PledgeLine:
    """A member unit's pledge as the pledge-signing conference lists it."""

    unit: str
    url: str
    state: str
    signed: bool
    here: bool  # signed at this conference


@dataclass(frozen=True, slots=True)
class VoteLine:
    """The cluster vote a year-end review hosts: its stage and, once counted, who won."""

    url: str
    state: str
    counted: bool
    results: list[tuple[str, str]]  # title, the units elected (names)


def _kind(conference: Instance) -> str:
    plan = conference.data.get("plan") or {}
    return str(plan.get("kind") or "")


def _link(conference: Instance) -> Link:
    return Link(conference.id, item_url("conference", conference.id),
                conferences.title(conference.data, conference.year, locale()))


def signing_conferences(campaign: Instance) -> list[Link]:
    """The campaign's called pledge-signing conferences, a pledge may be signed at."""
    return [_link(c) for c in conferences.conferences_of(_wf(), campaign)
            if _kind(c) == "pledge_signing" and c.state in CALLED]


def signed_at(pledge: Instance) -> Link | None:
    """The conference the pledge names as where it was signed."""
    wanted = pledge.data.get("conference_id")
    if not isinstance(wanted, int) or pledge.parent_id is None:
        return None
    found = next((c for c in _wf().children(pledge.parent_id) if c.id == wanted), None)
    return _link(found) if found is not None and found.workflow == "conference" else None


def pledges_of(conference: Instance, names: dict[int, str]) -> list[PledgeLine]:
    """The members' pledges of the campaign, for a pledge-signing conference."""
    if _kind(conference) != "pledge_signing" or conference.parent_id is None:
        return []
    pledges = {p.unit_id: p for p in _wf().children(conference.parent_id)
               if p.workflow == "pledge"}
    out = []
    for unit, name in names.items():
        p = pledges.get(unit)
        if p is None:
            continue
        signed = "signed_hash" in p.data
        out.append(PledgeLine(name, item_url("pledge", p.id), _state_label(p), signed,
                              signed and p.data.get("conference_id") == conference.id))
    return out


def _title_label(code: str) -> str:
    book = _wf().rulebook
    for rule_set in reversed(book.sets if book is not None else ()):
        for title in rule_set.titles:
            if title.code == code:
                return str(title.label.get(locale()))
    return code.replace("_", " ")


def votes_of(conference: Instance, names: dict[int, str]) -> list[VoteLine]:
    """The cluster vote(s) a year-end review hosts (their meeting names it)."""
    if _kind(conference) != "year_end" or conference.parent_id is None:
        return []
    hosted = [s for s in voting.campaign_sessions(_wf(), conference.parent_id)
              if _held_at(s, conference.id)]
    if not hosted:
        return []
    counted = {v.session_id: v for v in services().reads.year_votes(conference.year or 0)}
    out = []
    for s in hosted:
        v = counted.get(s.id)
        done = v is not None and v.state in COUNTED
        results = [(_title_label(t), ", ".join(names.get(u, "") for u in us) or _("nobody"))
                   for t, us in v.winners.items()] if done and v is not None else []
        out.append(VoteLine(item_url("vote_session", s.id), _state_label(s), done, results))
    return out


def _held_at(session: Instance, conference_id: int) -> bool:
    meeting = voting.Meeting.of(session.data.get("meeting"))
    return meeting is not None and meeting.conference_id == conference_id


def year_end_conferences(campaign: Instance) -> list[Instance]:
    """The campaign's year-end reviews not cancelled, which a cluster vote may be held at."""
    return [c for c in conferences.conferences_of(_wf(), campaign)
            if _kind(c) == "year_end" and c.state != "cancelled"]
