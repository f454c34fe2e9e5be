"""The API's marshmallow schemas: requests are loaded (validated) with them, answers dumped
through them, and the OpenAPI document is generated from both (web/api/openapi.py), so the document
describes what is really accepted and returned.

Request schemas are inlined in the document; a reply schema (a name ending in `Schema`) is a
component under its name without that suffix (`ItemSchema` -> `#/components/schemas/Item`).
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from web.api.constraints import DATE as DATE
from web.api.constraints import DOCUMENT_KIND as DOCUMENT_KIND
from web.api.constraints import DOCUMENT_REF as DOCUMENT_REF
from web.api.constraints import NO_NUL as NO_NUL
from web.api.constraints import NOT_BLANK as NOT_BLANK
from web.api.constraints import TIME as TIME
from web.api.constraints import Payload as Payload
from web.api.constraints import Text as Text
from workflow.domain.campaigns import THEME_MAX

MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases
MAX_PAGE = 100_000

# --- requests ---------------------------------------------------------------------------------


def _id_field(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE),
                          metadata={"description": "page number, from 1"})
    per_page = fields.Integer(load_default=25, validate=validate.Range(1, 100),
                              metadata={"description": "items per page (at most 100)"})


def _lang_field() -> fields.String:
    return fields.String(load_default="vi", validate=validate.OneOf(["vi", "en"]),
                         metadata={"description": "language of labels"})


class LangQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    lang = _lang_field()


class InboxQuery(PageQuery):
    lang = _lang_field()


class FireBody(Schema):
    trigger = Text(required=True, validate=validate.Length(1, 64),
                   metadata={"description": "the action, e.g. submit"})
    version = fields.Integer(strict=True, validate=validate.Range(0, MAX_ID), metadata={
        "description": "the item version the caller saw (required unless If-Match is sent)"})
    comment = Text(validate=validate.Length(max=5000))
    payload = Payload(metadata={"description": "named fields the action needs (it reads its "
                                "own and keeps the others in the history)"})


class DocumentForm(Schema):
    kind = Text(required=True, validate=validate.Regexp(DOCUMENT_KIND),
                metadata={"description": "document kind, e.g. signed_pledge"})
    ref = Text(validate=validate.Regexp(DOCUMENT_REF),
               metadata={"description": "criterion or item code the document is for"})


class DocumentUpload(DocumentForm):
    """The multipart body as the document describes it: the form and its file (the view takes
    the file from request.files, so only DocumentForm loads)."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class BallotBody(Schema):
    choices = fields.Dict(
        # any key: one that names no title of the round is refused (409) by the use case
        keys=fields.String(), values=fields.List(_id_field(), metadata={"uniqueItems": True}),
        required=True, metadata={"description": "title code -> chosen candidate ids (each "
                                 "once); {} abstains"})


class MeetingBody(Schema):
    date = fields.Date(required=True, metadata={"description": "the day of the meeting"})
    time = fields.Time(required=True, metadata={"description": "when it starts, local time"})
    place = Text(required=True, validate=validate.Length(1, 200), blank=False,
                 metadata={"description": "where it is held, as the minutes' heading says it"})
    conference = Text(required=True, validate=validate.Length(1, 200), blank=False,
                      metadata={"description": "the name of the conference"})
    conference_id = fields.Integer(strict=True, load_default=None, allow_none=True,
                                   validate=validate.Range(1, MAX_ID),
                                   metadata={"description": "the campaign's year-end review "
                                                            "conference hosting the vote"})


class CommitteeBody(Schema):
    members = fields.List(_id_field(), required=True, validate=validate.Length(2, 50),
                          metadata={"description": "user ids of the vote-counting committee"})
    threshold = fields.Integer(strict=True, required=True, validate=validate.Range(2, 50),
                               metadata={"description": "members whose shares open the count"})


class VoteScheduleBody(Schema):
    candidates = fields.Dict(
        keys=fields.String(),  # one that names no title voted in a cluster: 409
        values=fields.List(_id_field(), validate=validate.Length(1, 200),
                           metadata={"uniqueItems": True}),
        required=True, validate=validate.Length(1, 20),
        metadata={"description": "title code -> candidate unit ids, from the ranking"})
    meeting = fields.Nested(MeetingBody, required=True)
    ends_at = fields.AwareDateTime(
        metadata={"description": "when the vote closes (default: two hours after the start)"})
    committee = fields.Nested(CommitteeBody, metadata={
        "description": "the vote-counting committee: each member collects a share of the "
                       "counting key before the vote opens; without one the server counts"})


class DefinitionBody(Schema):
    text = Text(required=True, validate=validate.Length(1, 64_000),  # definition_checks
                metadata={"description": "the YAML text of one workflow definition"})
    file = Text(validate=validate.Regexp(r"^[A-Za-z0-9_.\-/]{1,200}$"),
                metadata={"description": "file name used in messages and stored with it"})


class CampaignDates(Schema):
    """The campaign's dates, yyyy-mm-dd, in its year and in this order (the year-end report may
    fall due before the scoring deadline)."""

    # Text, not Date: a malformed one is named with the plan's other problems (400, with
    # their refusal codes); one outside the year or out of order is refused with 409
    pledge_deadline = Text(required=True, validate=validate.Length(max=30), metadata=DATE)
    six_month_report_due = Text(required=True, validate=validate.Length(max=30), metadata=DATE)
    inspection_end = Text(required=True, validate=validate.Length(max=30), metadata=DATE)
    scoring_deadline = Text(required=True, validate=validate.Length(max=30), metadata=DATE)
    year_end_report_due = Text(required=True, validate=validate.Length(max=30), metadata=DATE)


class CampaignBody(Schema):
    cluster_id = _id_field(required=True, metadata={
        "description": "the cluster of one year; the campaign is of that year"})
    theme = Text(required=True, validate=validate.Length(max=THEME_MAX), blank=False,
                 metadata={"description": "chủ đề (a thematic campaign is titled by it)"})
    kind = Text(load_default="regular", validate=validate.OneOf(("regular", "thematic")),
                metadata={"description": "regular (thường xuyên) or thematic (chuyên đề)"})
    criteria_table = Text(required=True, validate=validate.Length(1, 100), blank=False,
                          metadata={"description": "code of a published criteria table"})
    dates = fields.Nested(CampaignDates, required=True)


class LaunchBody(Schema):
    version = fields.Integer(strict=True, validate=validate.Range(0, MAX_ID), metadata={
        "description": "the campaign version the caller saw (required unless If-Match is "
                       "sent)"})
    comment = Text(validate=validate.Length(max=5000))


# --- replies ----------------------------------------------------------------------------------


class Reply(Schema):
    """An answer body: every field is present (documented as required) unless OPTIONAL names
    it; a key the schema does not declare is never sent."""

    OPTIONAL: tuple[str, ...] = ()

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        field_obj.required = field_name not in self.OPTIONAL


def _int(**meta: Any) -> fields.Integer:
    return fields.Integer(metadata=meta)


def _int_or_null(**meta: Any) -> fields.Integer:
    return fields.Integer(allow_none=True, metadata=meta)


def _str(**meta: Any) -> fields.String:
    return fields.String(metadata=meta)


def _str_or_null(**meta: Any) -> fields.String:
    return fields.String(allow_none=True, metadata=meta)


def _strs() -> fields.List[Any]:
    return fields.List(fields.String())


def _object(**meta: Any) -> fields.Dict:
    return fields.Dict(metadata=meta)


class DefinitionProblemSchema(Reply):
    file = _str()
    line = _int_or_null()
    path = _str()
    message = _str()


class ErrorDetailSchema(Reply):
    OPTIONAL = ("check", "problems", "errors", "refusals", "current_version")

    code = _str(description="machine-readable, e.g. stale_state")
    message = _str(description="what went wrong and what to do")
    check = _str(description="the check that refused an action")
    # `fields` would hide Schema.fields: the attribute has another name, the key is `fields`
    problems = fields.Dict(attribute="fields", data_key="fields",
                           metadata={"description": "field name -> its problems"})
    errors = fields.List(fields.Nested(DefinitionProblemSchema))
    refusals = fields.Dict(metadata={
        "description": "field name -> the refusal's catalogue code and parameters"})
    current_version = fields.Integer(metadata={
        "description": "the item's version now, when a precondition (If-Match) failed"})


class ErrorSchema(Reply):
    error = fields.Nested(ErrorDetailSchema)


class GrantSchema(Reply):
    role = _str()
    unit_id = _int_or_null()
    cluster_id = _int_or_null()
    year = _int_or_null()


class MeSchema(Reply):
    id = _int()
    username = _str()
    on_behalf_of = _str_or_null()
    roles = fields.List(fields.Nested(GrantSchema))


class InboxItemSchema(Reply):
    id = _int()
    workflow = _str()
    title = _str()
    state = _str()
    state_label = _str()
    unit = _str_or_null()
    campaign_id = _int_or_null()
    due = _str_or_null(format="date")
    overdue = fields.Boolean()
    actions = _strs()
    due_at = _str_or_null(format="date-time", description="the moment it is due, when it has "
                          "one (an open vote closes then)")


class PageSchema(Reply):
    total = _int()
    page = _int()
    per_page = _int()


class InboxPageSchema(PageSchema):
    items = fields.List(fields.Nested(InboxItemSchema))


class ActionSchema(Reply):
    trigger = _str()
    label = _str()
    dest = _str()
    roles = _strs()
    required_fields = _strs()
    required_documents = _strs()
    allowed = fields.Boolean()
    reason = _str_or_null(description="why it cannot be done now")


class ItemSchema(Reply):
    id = _int()
    workflow = _str()
    definition_version = _int()
    state = _str()
    state_label = _str()
    status = _str()
    version = _int()
    unit_id = _int_or_null()
    cluster_id = _int_or_null()
    year = _int_or_null()
    parent_id = _int_or_null()
    data = _object()
    entered_at = _str(format="date-time")
    actions = fields.List(fields.Nested(ActionSchema))


class HistoryEntrySchema(Reply):
    seq = _int()
    kind = _str()
    from_state = _str_or_null()
    to_state = _str()
    trigger = _str_or_null()
    actor = _str()
    on_behalf_of = _str_or_null()
    role = _str_or_null()
    at = _str(format="date-time")
    comment = _str_or_null()
    payload = _object()
    hash = _str()


class HistoryPageSchema(PageSchema):
    items = fields.List(fields.Nested(HistoryEntrySchema))


class FiredSchema(Reply):
    id = _int()
    state = _str()
    status = _str()
    version = _int()


class DocumentSchema(Reply):
    id = _int()
    item_id = _int()
    kind = _str()
    ref = _str_or_null()
    filename = _str()
    size = _int()
    sha256 = _str()


class ReceiptSchema(Reply):
    session_id = _int()
    round = _int()
    voter_key = _str()
    receipt = _str_or_null(description="the SHA-256 of the sealed ballot (a secret vote): "
                           "find it in GET /v1/votes/{id}/receipts once the vote is closed")


class VoteSessionSchema(Reply):
    id = _int()
    state = _str()
    version = _int()
    campaign_id = _int()
    candidates = _object(description="title code -> candidate unit ids")
    meeting = _object(description="date, time, place and conference of the meeting")
    ends_at = _str_or_null(format="date-time")
    committee = fields.Dict(allow_none=True, metadata={
        "description": "the counting committee: members (user ids) and threshold, or null"})


class VoteResultSchema(Reply):
    tally = _object()
    winners = _object()
    runoff = _object()
    warnings = fields.List(fields.Raw())


class ValidationSchema(Reply):
    ok = fields.Boolean()
    name = _str_or_null()
    errors = fields.List(fields.Nested(DefinitionProblemSchema))


class PublishedSchema(Reply):
    name = _str()
    version = _int()
    created = fields.Boolean()


class CampaignSchema(Reply):
    id = _int()
    cluster_id = _int()
    year = _int()
    title = _str(description="Phong trào thi đua <year> – <cluster>, or a thematic one's theme")
    kind = _str(description="regular | thematic")
    theme = _str()
    state = _str()
    state_label = _str()
    status = _str()
    criteria_table = _str_or_null(description="the criteria table's code")


class CampaignListSchema(Reply):
    items = fields.List(fields.Nested(CampaignSchema))


# The reply of each operation, by the name its route gives (None: not dumped, the OpenAPI
# document itself, described as any object).
REPLIES: dict[str, type[Reply] | None] = {
    "Me": MeSchema, "InboxPage": InboxPageSchema, "Item": ItemSchema,
    "HistoryPage": HistoryPageSchema, "Fired": FiredSchema, "Document": DocumentSchema,
    "Receipt": ReceiptSchema, "VoteResult": VoteResultSchema, "Validation": ValidationSchema,
    "VoteSession": VoteSessionSchema,
    "Published": PublishedSchema, "OpenApiDocument": None,
    "Campaign": CampaignSchema, "CampaignList": CampaignListSchema,
}
