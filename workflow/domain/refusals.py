"""Why something was refused, as a code and parameters: the catalogue renders the sentence.

A guard, a check of the engine or a use case says *what* is wrong (`Refusal("targets_missing",
{"criteria": [Ref("criterion", "ty_le_giai_quyet")]})`), never *how to word it*: the pages
render the catalogue's sentence in the reader's language, with the names of the units, people,
criteria, roles and states it refers to; the API gives the code and parameters to machines, with
the English sentence (codes left as codes) beside them; logs and exceptions read the same English.

A template names its parameters as `%(name)s`. English templates are the message ids that the
web's translations (Vietnamese) are keyed by, so a template's wording is changed here and in the
translation catalogue together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# What a Ref may name. The page that renders a refusal turns each into a name in the reader's
# language; the machine rendering keeps the code.
REF_KINDS = frozenset({
    "unit", "cluster", "user", "criterion", "role", "state", "trigger", "term", "workflow",
    "item", "title", "side", "scope",
})


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to something with a name: a unit's id, a username, a criterion's code..."""

    kind: str
    code: Any

    def __post_init__(self) -> None:
        if self.kind not in REF_KINDS:
            raise ValueError(f"unknown reference kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A reason, as a catalogue code and the values its sentence needs."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"no sentence in the catalogue for the refusal {self.code!r}")

    @property
    def template(self) -> str:
        return CATALOGUE[self.code]

    def english(self) -> str:
        """The sentence in English with codes for names: what logs and exceptions say."""
        return self.template % {k: machine_text(v) for k, v in self.params.items()}

    def as_json(self) -> dict[str, Any]:
        """Code and parameters for an API client (references as {kind, code})."""
        return {"code": self.code, "params": {k: _json(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        return self.english()


@dataclass(frozen=True, slots=True)
class Named:
    """Something that carries its own names (a document a rule set requires, say)."""

    code: str
    vi: str
    en: str


def refs(kind: str, codes: Sequence[Any]) -> list[Ref]:
    return [Ref(kind, c) for c in codes]


def machine_text(value: Any) -> str:
    if isinstance(value, Named):
        return value.code
    if isinstance(value, Ref):
        if value.kind == "scope":
            unit, cluster, year = value.code
            where = f"unit {unit}" if unit is not None else (
                f"cluster {cluster}" if cluster is not None else "this item")
            return f"{where} in {year}" if year is not None else where
        return str(value.code)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(machine_text(v) for v in value)
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, Named):
        return {"code": value.code, "vi": value.vi, "en": value.en}
    if isinstance(value, Ref):
        return {"kind": value.kind, "code": value.code}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


# --- the catalogue ------------------------------------------------------------------------
# code -> English template. Every code has a Vietnamese translation in the web's catalogue
# (tests/unit/test_refusals.py checks it).

CATALOGUE: dict[str, str] = {
    # the engine's own checks (the page names the action they refused)
    "item_not_active": "this item is %(status)s; nothing can be done on it",
    "action_not_possible": "not possible while the item is %(state)s; possible now: %(possible)s",
    "action_not_possible_final": "not possible: the item is %(state)s, its last step",
    "action_unknown": "this item has no such action; possible now: %(possible)s",
    "role_required": "this is for the %(roles)s of %(scope)s",
    "children_waiting_all": "%(done)s of %(total)s %(workflow)s items are %(states)s; all must be",
    "children_waiting_some": "%(done)s of %(total)s %(workflow)s items are %(states)s; at least "
                             "%(need)s must be",
    "children_none": "there are no %(workflow)s items yet",
    "required_missing": "first give %(missing)s",
    # built-in guards
    "data_missing": "the item has no %(fields)s yet",
    "data_not_equal": "%(field)s is %(actual)s, not %(expected)s",
    "documents_missing": "documents missing: %(documents)s",
    "own_unit": "%(user)s belongs to %(unit)s and may not act on its own item; another holder of "
                "the role will",
    # the year: campaigns and pledges
    "criteria_table_missing": "choose a published criteria table for the campaign",
    "criteria_table_unknown": "no published criteria table %(table)s",
    "campaign_kind_invalid": "a campaign is regular or thematic, not %(kind)s",
    "campaign_dates_missing": "the campaign needs the dates: %(keys)s",
    "campaign_date_missing": "the campaign date %(key)s is missing",
    "campaign_date_invalid": "the campaign date %(key)s must be a date, got %(value)s",
    "campaign_dates_order": "%(later)s (%(later_date)s) comes before %(earlier)s "
                            "(%(earlier_date)s)",
    "inspection_plan_invalid": "the inspection plan is not a list of inspections",
    "inspection_plan_shape": "the inspection plan is malformed: %(detail)s",
    "inspection_plan_stranger": "%(unit)s is not a member of the cluster",
    "inspection_plan_self": "%(unit)s would inspect itself",
    "inspection_plan_mutual": "%(unit)s and %(other)s would inspect each other",
    "inspection_plan_team": "the team inspecting %(unit)s needs members and a lead among them",
    "inspection_plan_own_unit": "%(user)s belongs to %(unit)s and cannot be on the team "
                                "inspecting it; choose a member of another unit",
    "inspection_plan_uncovered": "every member must be inspected exactly once; not covered: "
                                 "%(units)s",
    "targets_invalid": "targets must be numbers for the criteria of the table",
    "target_unknown_criterion": "%(criterion)s is not a criterion of the table %(table)s",
    "target_qualitative": "%(criterion)s is qualitative and takes no target",
    "target_not_positive": "the target of %(criterion)s must be more than 0",
    "targets_missing": "targets missing for %(count)s criteria: %(criteria)s",
    # conferences
    "conference_plan_invalid": "the conference needs a plan: its kind, date, place, host unit "
                               "and agenda",
    "conference_kind_invalid": "choose the kind of conference",
    "conference_date_invalid": "give the conference's date, a day of %(year)s",
    "conference_place_missing": "give the place where the conference is held",
    "conference_host_invalid": "choose the host unit among the cluster's members",
    "conference_agenda_missing": "give at least one agenda item, each with its title",
    "conference_text_too_long": "a text of the conference is at most %(max)s characters",
    "conference_attendance_invalid": "the attendance names units that are not members of the "
                                     "cluster; reload the page",
    "conference_attendees_missing": "write who attended for %(unit)s, or untick it",
    "conference_attendance_empty": "tick at least one unit that attended",
    "conference_attendance_missing": "record who attended before confirming that the "
                                     "conference was held",
    "conference_conclusions_missing": "write at least one conclusion",
    "conference_task_unit_missing": "a conclusion with a due date needs the unit it assigns "
                                    "the task to",
    "conference_task_due_invalid": "the task for %(unit)s needs a due date after the "
                                   "conference",
    "conference_pledge_conference_invalid": "choose a pledge-signing conference of this "
                                            "campaign that has been called",
    # supervision of clusters
    "supervision_note_date_invalid": "give the day of the supervision, a day of %(year)s",
    "supervision_note_date_future": "the day of the supervision cannot be after today",
    "supervision_note_content_missing": "write what the supervision found",
    "supervision_note_too_long": "a text of the note is at most %(max)s characters",
    "supervisor_not_council": "%(user)s is not a member of the council in %(year)s; choose a "
                              "council member of that year",
    "supervisor_already_assigned": "%(user)s already supervises %(cluster)s in %(year)s",
    "council_committee_stranger": "the vote-counting committee is chosen among the council's "
                                  "people of the year; untick who is not one of them",
    # exemplary models
    "model_invalid": "the exemplary model needs its name, field, what it does and its results",
    "model_name_missing": "give the name of the exemplary model",
    "model_field_missing": "give the field the model belongs to",
    "model_description_missing": "describe what the model does",
    "model_results_missing": "describe the results the model brought",
    "model_text_too_long": "a text of the model is at most %(max)s characters",
    "model_evidence_missing": "attach a document proving the model's results before sending "
                              "it for review",
    "model_conference_invalid": "choose one of the cluster's conferences of the year",
    "model_presented_already": "the presentation at this conference is already recorded",
    "model_spreading_invalid": "the proposal names units or clusters that cannot be chosen; "
                               "reload the page",
    "model_spreading_empty": "choose at least one unit or cluster, or the whole sector, to "
                             "spread the model to",
    "model_spreading_unit_taken": "%(unit)s is the model's own unit or is already asked to "
                                  "adopt it; untick it",
    "model_spreading_cluster_invalid": "choose clusters other than the model's own",
    "adoption_invalid": "give the date the model was adopted and how",
    "adoption_date_invalid": "give the date the unit adopted the model (dd/mm/yyyy), not "
                             "after today",
    "adoption_how_missing": "describe how the unit adopted the model",
    "adoption_results_missing": "describe the results the model brought to the unit",
    # inspections
    "not_in_inspection_team": "%(user)s is not in the team of this inspection",
    "not_inspection_lead": "only the lead of the inspection team, %(lead)s, may do this",
    "inspection_results_invalid": "results must give points for criteria of the table",
    "inspection_result_unknown": "%(criterion)s is not a criterion of the table %(table)s",
    "inspection_results_missing": "no result yet for %(count)s criteria: %(criteria)s",
    "minutes_signed_by_lead": "the team signs the minutes through its lead",
    "minutes_already_signed": "the minutes are already signed for the %(side)s",
    "minutes_signatures_missing": "the minutes still need the signature of the %(sides)s",
    "inspection_notes_invalid": "a note on a criterion is text of at most %(max)s characters",
    "inspection_conclusion_invalid": "the conclusion is text of at most %(max)s characters",
    "inspections_pending": "the cross-inspection is not finished for %(count)s units: "
                           "%(units)s; each inspection needs its results recorded, concluded "
                           "by the team lead and its minutes signed by the lead and by the "
                           "head of the inspected unit",
    "adjustment_reason_required": "write the reason for adjusting the scores",
    # department figures
    "department_values_missing": "give the figures of at least one criterion, per member unit",
    "department_criterion_unknown": "%(criterion)s is not a criterion of the campaign's table",
    "department_criterion_not_by_result": "%(criterion)s is not scored from a reported result: "
                                          "a department gives no figure for it",
    "department_criterion_not_granted": "your role of professional department is not granted "
                                        "for %(criterion)s: ask the administrator to grant it",
    "department_unit_not_member": "%(unit)s is not a member unit of the cluster",
    "department_figure_invalid": "the figure %(value)s of %(criterion)s is not a number of at "
                                 "least 0 with at most 2 decimals",
    "report_results_missing": "give the result so far of at least one target",
    "department_figure_not_differing": "the department's figure of %(criterion)s does not "
                                       "differ from the unit's result: there is nothing to keep",
    "adjusted_scores_missing": "give the adjusted points of at least one criterion",
    # scores
    "self_scores_missing": "no self-score yet for %(count)s criteria: %(criteria)s",
    "evidence_missing": "evidence missing for %(count)s criteria: %(criteria)s",
    "inspection_not_applied": "the cross-inspection of this unit has not been applied yet",
    "appeal_window_closed": "the appeal window closed on %(date)s",
    "appeal_window_open": "the unit may still dispute its scores until %(date)s",
    # votes
    "present_missing": "tick the members present before checking the quorum",
    "present_strangers": "not members of this vote: %(people)s",
    "quorum_not_met": "%(present)s of %(members)s members are present; the quorum is at least "
                      "%(quorum)s of them",
    "cluster_quorum_not_met": "only %(present)s of the %(members)s member units are present: "
                              "the cluster's vote opens only with at least %(needed)s of them "
                              "present (%(quorum)s of the members); tick the units present, or "
                              "hold the vote another day",
    "too_few_ballots": "only %(cast)s of %(expected)s voters present have voted: a secret vote "
                       "closes at its scheduled end or once everyone present has voted; before "
                       "that, only with a reason and at least %(minimum)s ballots, so that no "
                       "ballot can be traced to its voter",
    "reason_required": "%(cast)s of %(expected)s voters present have voted: write the reason "
                       "for closing the vote before everyone has voted",
    "box_not_sealed": "the ballot box is not sealed",
    "box_not_ready": "the sealed ballot box of this vote is not ready: schedule the vote again "
                     "with its counting committee",
    "shares_not_collected": "%(count)s of the %(members)s members of the counting committee "
                            "have not collected their share of the key yet: the vote opens "
                            "once each holds theirs",
    "count_awaits_committee": "the votes are counted once %(threshold)s members of the "
                              "counting committee have released their shares",
    "count_not_due": "shares are released at the count, once the vote is closed",
    "count_done": "this round is counted already",
    "shares_do_not_open": "the shares released do not open the count: one was mistyped; each "
                          "member releases theirs again",
    "share_collected": "you have already collected your share: it is handed out once, and "
                       "the server keeps no copy",
    "counting_key_gone": "this vote's counting key has been forgotten after its count",
    "paper_after_electronic": "ballots were cast electronically in this round: count them, "
                              "or re-run the vote, instead of entering a paper tally",
    "paper_tally_incomplete": "give the ballots counted, the blank ones and the votes of every "
                              "candidate of the round",
    "paper_tally_ballots": "the ballots counted are at most the %(eligible)s voters, the blank "
                           "ones at most the ballots",
    "paper_tally_votes": "a candidate's votes are at most the ballots that are not blank",
    "no_tie": "no title is tied",
    "runoff_pending": "a runoff is pending for %(titles)s",
    "vote_not_due": "the year-end vote is scheduled once the campaign is at its vote",
    "vote_already_scheduled": "this campaign's vote is already scheduled; open it from the "
                              "campaign page",
    # dossiers
    "vote_minutes_missing": "attach the minutes of the vote first",
    "dossier_exists": "%(unit)s already has a dossier for this title this year",
    "posting_period_running": "posted publicly for %(elapsed)s of the %(days)s days required",
    "posting_period_running_working": "posted publicly for %(elapsed)s of the %(days)s working "
                                      "days required",
    "objections_open": "%(count)s objection(s) still to be answered",
    "title_documents_missing": "documents missing: %(documents)s",
    "dossier_deadline_passed": "the deadline for dossiers was %(date)s",
    "title_cap_cluster": "at most %(cap)s dossier(s) per cluster for this title; another "
                         "already counts",
    "title_cap_leaders": "at most %(quota)s of the %(clusters)s leading units of %(council)s may "
                         "be proposed: %(share)s%% of %(clusters)s leading units = %(exact)s → at "
                         "most %(quota)s (%(rounding)s); %(taken)s already are",
    "council_not_voted": "the council has not voted on this dossier",
    "council_not_carried": "the council did not carry it: %(reason)s",
    "decision_outcome_invalid": "choose the decision: approved, rejected or downgraded",
    "decision_granted_title_missing": "a downgrade names the lower title granted",
    # the council's meeting and the decision (council)
    "ballot_not_a_voter": "you were not among the voters when this vote opened; ballots are "
                          "taken only from them",
    "ballot_absent_no_writing": "you were not ticked present at the meeting, and the rule set "
                                "takes no written votes from absent members for these titles",
    "council_session_not_counted": "the council's vote on this dossier is not counted and "
                                   "locked yet",
    "council_session_other": "this dossier was not voted on in that council session",
    "decision_number_missing": "write the decision's number (e.g. 123/QĐ-TTg) and its date",
    "council_no_dossiers": "choose at least one dossier waiting for the council",
    "council_meeting_missing": "give the meeting's date, time and place",
    "council_meeting_past": "the meeting cannot be in the past",
    "revoke_reason_missing": "write the reason for revoking the award",
    # impediments to an award (Decree 152/2025 art. 4(4)): discipline, investigation, complaint
    "award_impediment": "%(subject)s: %(kind)s since %(since)s (%(reference)s); %(basis)s: "
                        "nothing is awarded or proposed meanwhile; record its closure (date, "
                        "outcome, document) once it is resolved",
    "award_impediment_until": "%(subject)s: %(kind)s from %(since)s to %(until)s "
                              "(%(reference)s); %(basis)s: nothing is awarded or proposed "
                              "meanwhile; wait until the period is over, or record its "
                              "closure (date, outcome, document)",
    "impediment_kind_unknown": "choose what the impediment is: discipline, investigation, "
                               "complaint or denunciation, or a press report",
    "impediment_reference_missing": "write the number and name of the document it rests on "
                                    "(at most %(max)s characters)",
    "impediment_start_missing": "give the day it starts (dd/mm/yyyy)",
    "impediment_until_before_start": "the last day, %(until)s, is before the first, %(start)s",
    "impediment_note_too_long": "the note is longer than %(max)s characters; shorten it",
    "impediment_subject_missing": "choose the unit or the person it is recorded against",
    "impediment_closed_already": "this impediment was closed on %(date)s already",
    "impediment_outcome_unknown": "choose how it ended",
    "impediment_closure_date_missing": "give the day it ended (dd/mm/yyyy)",
    "impediment_closed_before_start": "it cannot end on %(date)s, before it started on "
                                      "%(start)s",
    "impediment_closure_reference_missing": "write the number of the conclusion or decision "
                                            "that ends it (at most %(max)s characters)",
    # input
    "points_decimals": "%(criterion)s: points have at most 2 decimal places, got %(points)s",
    "points_negative": "%(criterion)s: points must be at least 0, got %(points)s",
    "points_above_max": "%(criterion)s: points must be at most %(max)s, got %(points)s",
    "points_not_a_level": "%(criterion)s: points must be one of the levels %(levels)s, got "
                          "%(points)s",
    "not_a_number": "%(what)s: %(value)s is not a number",
    # a guard's own sentence, for guards written before the catalogue (English only)
    "other": "%(detail)s",
    # creating a campaign and moving it on (camp)
    "campaign_theme_missing": "write the theme of the campaign",
    "campaign_theme_too_long": "the theme is longer than %(max)s characters; shorten it",
    "campaign_date_outside_year": "%(key)s (%(date)s) is not in %(year)s, the campaign's "
                                  "year; choose a day of %(year)s",
    "campaign_exists": "%(cluster)s already has its regular campaign for %(year)s; open it "
                       "from the cluster's page, or create a thematic campaign",
    "pledges_unsigned_reason": "%(count)s unit(s) have not signed their pledge: %(units)s; "
                               "write the reason for moving on without them",
    "six_month_reports_missing_reason": "%(count)s unit(s) have not submitted their six-month "
                                        "report: %(units)s; write the reason for moving on "
                                        "without them",
    "year_end_reports_missing_reason": "%(count)s unit(s) have not submitted their year-end "
                                       "report: %(units)s; write the reason for moving on "
                                       "without them",
}
