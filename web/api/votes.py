"""The API's votes: casting a secret ballot, scheduling a campaign's year-end vote, a
vote's result."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from web.api import actor, load_item, load_json, operation, require_see, services
from web.api.schemas import MAX_ID, BallotBody, VoteScheduleBody
from workflow.errors import NotFound
from workflow.services import ballot_box as bbox
from workflow.services import voting


@operation("POST", "/v1/votes/<int:session_id>/ballots", "Cast the caller's secret ballot",
           (201, "Receipt"), (400, 403, 409), body=BallotBody, tags=("votes",))
def ballot(session_id: int) -> ResponseReturnValue:
    body = load_json(BallotBody)
    if session_id > MAX_ID:
        raise NotFound(f"no vote session with id {session_id}")
    receipt = voting.cast_ballot(services().workflows, session_id, actor(), body["choices"])
    return {"session_id": receipt.session_id, "round": receipt.round,
            "voter_key": receipt.voter_key, "receipt": receipt.receipt or None}, 201


@operation("POST", "/v1/campaigns/<int:campaign_id>/votes", "Schedule the year-end vote of a "
           "campaign at its vote (the cluster's leader or the council office)",
           (201, "VoteSession"), (400, 403, 409), body=VoteScheduleBody, tags=("votes",))
def schedule_vote(campaign_id: int) -> ResponseReturnValue:
    body = load_json(VoteScheduleBody)
    campaign = load_item(campaign_id)
    if campaign.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    who = actor()
    require_see(campaign, who)
    meeting = body["meeting"]
    session = voting.schedule_year_end_vote(
        services().workflows, campaign_id, who, body["candidates"],
        voting.Meeting(meeting["date"], meeting["time"], meeting["place"].strip(),
                       meeting["conference"].strip(), meeting.get("conference_id")),
        ends_at=body.get("ends_at"),
        committee=bbox.Committee(tuple(body["committee"]["members"]),
                                 body["committee"]["threshold"])
        if body.get("committee") else None)
    voting.tell_committee(services().workflows, session, "committee_share",
                          base_url=services().settings.app.base_url)
    return {"id": session.id, "state": session.state, "version": session.version,
            "campaign_id": campaign_id, "candidates": session.data["candidates"],
            "meeting": session.data["meeting"], "ends_at": session.data.get("ends_at"),
            "committee": session.data.get("committee")}, 201


@operation("GET", "/v1/votes/<int:session_id>/result", "A vote's tally and winners, once "
           "counted", (200, "VoteResult"), (403,), tags=("votes",))
def vote_result(session_id: int) -> ResponseReturnValue:
    session = load_item(session_id)
    if session.workflow != "vote_session":
        raise NotFound(f"no vote session with id {session_id}")
    require_see(session, actor())
    return voting.result(services().workflows, session_id)
