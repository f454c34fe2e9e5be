"""The API's sealed ballot box: the counting committee's state, a member collecting their share
once and releasing it at the count, and the published receipts with the check of one. A paper
tally is the vote's own action `enter_paper_tally`, fired through /v1/items/{id}/fire with the
payload {"paper_tally": {"ballots", "blank", "votes": {title: {candidate: n}}}}."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from web.api import actor, load_item, load_json, load_query, operation, require_see, services
from web.api.schemas import REPLIES, Reply, Text, _int, _int_or_null, _str
from workflow.engine.instance import Instance
from workflow.errors import NotFound, PermissionDenied
from workflow.services import access, voting
from workflow.services import ballot_box as bbox


class ShareBody(Schema):
    share = Text(required=True, validate=validate.Length(1, 200),
                 metadata={"description": "the member's share as collected: TDKP-<n>-<32 hex>"})


class ReceiptQuery(Schema):
    receipt = fields.String(validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"),
                            metadata={"description": "a voter's receipt to check (64 hex)"})


class CommitteeMemberSchema(Reply):
    user_id = _int()
    full_name = _str()
    state = _str(description="to_collect | holds | released")


class CommitteeSchema(Reply):
    session_id = _int()
    threshold = _int(description="members whose shares open the count")
    members = fields.List(fields.Nested(CommitteeMemberSchema))
    counted = fields.Boolean(metadata={"description": "the round under way is counted"})


class ShareSchema(Reply):
    session_id = _int()
    share = _str(description="handed out once: the server keeps no copy")


class ShareReleasedSchema(Reply):
    session_id = _int()
    released = _int(description="shares released for the count under way")
    threshold = _int()
    counted = fields.Boolean(metadata={"description": "the sums are decrypted and counted"})
    state = _str()


class ReceiptsSchema(Reply):
    session_id = _int()
    round = _int()
    published = fields.Boolean(metadata={"description": "the list is published once closed"})
    receipts = fields.List(fields.String(), metadata={"description": "sorted SHA-256 hashes"})
    found_in_round = _int_or_null(description="the round whose box holds the receipt asked")


REPLIES.update({"Committee": CommitteeSchema, "Share": ShareSchema,
                "ShareReleased": ShareReleasedSchema, "Receipts": ReceiptsSchema})


def _session(session_id: int) -> Instance:
    session = load_item(session_id)
    if session.workflow != "vote_session":
        raise NotFound(f"no vote session with id {session_id}")
    return session


def _member_or_see(session: Instance) -> bool:
    """Whether the caller sits on the committee; 403 unless they do or may see the vote."""
    who = actor()
    if access.may_count(who, session):
        return True
    require_see(session, who)
    return False


def _status(session: Instance) -> bbox.CommitteeStatus:
    found = bbox.status(services().workflows, session)
    if found is None:
        raise NotFound(f"vote session {session.id} has no counting committee")
    return found


@operation("GET", "/v1/votes/<int:session_id>/committee", "The vote's counting committee: "
           "who holds, has to collect or has released their share (never a share)",
           (200, "Committee"), (403, 404), tags=("votes",))
def committee(session_id: int) -> ResponseReturnValue:
    session = _session(session_id)
    _member_or_see(session)
    found = _status(session)
    names = services().reads.user_names(found.members)
    return {"session_id": session_id, "threshold": found.threshold, "counted": found.counted,
            "members": [{"user_id": m, "full_name": names.get(m, ""),
                         "state": "to_collect" if m in found.waiting_to_collect else
                         "released" if m in found.released else "holds"}
                        for m in found.members]}


@operation("POST", "/v1/votes/<int:session_id>/share", "A committee member collects their "
           "share of the counting key, once (before the vote opens)", (200, "Share"),
           (403, 404, 409), tags=("votes",))
def collect_share(session_id: int) -> ResponseReturnValue:
    session = _session(session_id)
    if not _member_or_see(session):
        raise PermissionDenied("only a member of this vote's counting committee holds a share")
    share = bbox.collect_share(services().workflows, session_id, actor())
    return {"session_id": session_id, "share": share}


@operation("POST", "/v1/votes/<int:session_id>/share/release", "A committee member releases "
           "their share at the count; with k shares the sums are decrypted and counted",
           (200, "ShareReleased"), (400, 403, 404, 409), body=ShareBody, tags=("votes",))
def release_share(session_id: int) -> ResponseReturnValue:
    body = load_json(ShareBody)
    session = _session(session_id)
    if not _member_or_see(session):
        raise PermissionDenied("only a member of this vote's counting committee holds a share")
    wf = services().workflows
    fired = bbox.release_share(wf, session_id, actor(), body["share"])
    if fired is not None:
        voting.announce(wf, fired, base_url=services().settings.app.base_url)
    now = wf.get(session_id)
    found = _status(now)
    counted: Any = fired is not None
    return {"session_id": session_id, "released": len(found.released),
            "threshold": found.threshold, "counted": counted, "state": now.state}


@operation("GET", "/v1/votes/<int:session_id>/receipts", "The published list of the sealed "
           "ballots' receipts (once the vote is closed), and the check of one",
           (200, "Receipts"), (400, 403, 404), query=ReceiptQuery, tags=("votes",))
def receipts(session_id: int) -> ResponseReturnValue:
    query = load_query(ReceiptQuery)
    session = _session(session_id)
    require_see(session, actor())
    if not bbox.sealed(session):
        raise NotFound(f"vote session {session_id} has no sealed ballot box")
    wf = services().workflows
    published = session.state not in ("scheduled", "quorum_checked", "open")
    wanted = str(query.get("receipt") or "").lower()
    return {"session_id": session_id, "round": int(session.data.get("round", 1)),
            "published": published,
            "receipts": bbox.receipts(wf, session) if published else [],
            "found_in_round": bbox.check_receipt(wf, session, wanted) if wanted else None}
