"""The read side: the questions the pages ask of the stored data, answered with plain records.

A port: workflow/adapters/read_side.py answers it with SQL, and the composition root hands it
to the callers as `Services.reads`. It is a Protocol so that the adapter satisfies it by its
shape (mypy checks the assignment in workflow/bootstrap.py) without importing the services.
Every answer is a domain record (workflow/domain/records.py) or a plain value, never a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from workflow.domain.exemplary import PublicModel
from workflow.domain.overview import (
    ClusterYear,
    GapLine,
    YearCampaign,
    YearDossier,
    YearItem,
    YearVote,
)
from workflow.domain.records import (
    CampaignSummary,
    ClusterSummary,
    DefinitionVersion,
    DocumentInfo,
    Draft,
    DraftSummary,
    GrantSummary,
    PublishedDefinition,
    UnitSummary,
    UserPage,
    UserSummary,
)

__all__ = [
    "CampaignSummary", "ClusterYear", "GapLine", "YearCampaign", "YearDossier", "YearItem",
    "YearVote", "ClusterSummary", "DefinitionVersion", "DocumentInfo", "Draft",
    "DraftSummary", "GrantSummary", "PublishedDefinition", "ReadSide", "UnitSummary",
    "UserPage", "UserSummary",
]


class ReadSide(Protocol):
    """What the pages read; each method answers in one snapshot of the data."""

    # --- the cluster year and items --------------------------------------------------------

    def documents(self, instance_id: int, kind: str | None = None) -> list[DocumentInfo]:
        """The files attached to an item (only those of `kind` when given), oldest first."""
        ...

    def cluster_units(self, cluster_id: int) -> list[UnitSummary]:
        """The member units of a cluster in their order."""
        ...

    def unit_names(self, unit_ids: Iterable[int]) -> dict[int, str]:
        """The name of each unit of the ids that exists."""
        ...

    def user_names(self, user_ids: Iterable[int]) -> dict[int, str]:
        """The full name of each user of the ids that exists."""
        ...

    def cluster_names(self, cluster_ids: Iterable[int]) -> dict[int, str]:
        """The name of each cluster of the ids that exists."""
        ...

    def full_names(self, usernames: Iterable[str]) -> dict[str, str]:
        """The full name of each user of the usernames that exists."""
        ...

    def item_unit_names(self, item_ids: Iterable[int]) -> dict[int, str]:
        """The name of the unit each item (e.g. a dossier) belongs to, for items that have one."""
        ...

    def signed_targets(self, unit_id: int, year: int) -> dict[str, str] | None:
        """The targets of the pledge a unit signed for a year (the newest when it signed in
        several campaigns), None when it signed none."""
        ...

    # --- people and organisation (the admin area) ------------------------------------------

    def username(self, user_id: int) -> str | None:
        """The username of an account, None when there is no such account."""
        ...

    def users_page(self, number: int, size: int, *, query: str = "",
                   unit_id: int | None = None, role: str | None = None,
                   active: bool | None = None) -> UserPage:
        """Accounts by username, `size` a page, with their roles: page `number`, or the last
        page when there are fewer; only those whose name or username contains `query`, who
        work in or hold a role for `unit_id`, hold `role`, are (in)active, when given."""
        ...

    def user(self, user_id: int) -> UserSummary | None:
        """One account with its unit and roles (as users_page lists it)."""
        ...

    def units(self) -> list[UnitSummary]:
        """Every unit, by code."""
        ...

    def cluster_campaigns(self, cluster_id: int) -> list[CampaignSummary]:
        """The cluster's campaigns (every year), the newest first."""
        ...

    def campaigns(self, campaign_ids: Iterable[int]) -> dict[int, CampaignSummary]:
        """Some campaigns by id, each with its cluster's name (for their titles)."""
        ...

    def clusters(self) -> list[ClusterSummary]:
        """Every cluster with its members, the newest year first, then by code."""
        ...

    # --- the council ------------------------------------------------------------------------

    def cluster_people(self, cluster_id: int, year: int | None) -> list[tuple[int, str, str]]:
        """(user id, full name, unit name) of the active users holding a role of a member
        unit of the cluster for the year (or every year), once each, by unit then name: who
        may sit on a vote's counting committee."""
        ...

    def council_people(self, year: int) -> list[tuple[int, str, str]]:
        """(user id, full name, role) of the active users holding council_member or
        council_chair for the year (or for every year), by name; a chair who is also a
        member appears once per role."""
        ...

    def supervisors(self, year: int) -> list[tuple[int, int, str, int]]:
        """(grant id, user id, full name, cluster id) of each council member assigned to
        supervise a cluster in the year, by name."""
        ...

    def items_of_year(self, workflow: str, year: int, states: Iterable[str], *,
                      finished: bool = False) -> list[int]:
        """The ids of the active items of a workflow and year in one of `states`, oldest
        first; with `finished`, also those whose workflow has ended (a locked vote)."""
        ...

    # --- workflow definitions ---------------------------------------------------------------

    def published_definitions(self) -> list[DefinitionVersion]:
        """Every published version (without its text), by workflow name, oldest first."""
        ...

    def latest_definition(self, name: str) -> PublishedDefinition | None:
        """The newest published version of a workflow with its text; None when unpublished."""
        ...

    def drafts(self) -> list[DraftSummary]:
        """Every unpublished draft (without its text)."""
        ...

    def draft(self, name: str) -> Draft | None:
        """The draft of a workflow with its text, None when there is none."""
        ...

    # --- the council office's overview of a year, and the years on record -------------------

    def campaign_years(self) -> list[int]:
        """The years that have a campaign, the newest first."""
        ...

    def year_campaigns(self, year: int) -> list[YearCampaign]:
        """Every cluster's campaigns of a year with their clusters, by cluster code."""
        ...

    def year_items(self, year: int) -> list[YearItem]:
        """The pledges, reports, inspections and score sheets of the year's campaigns."""
        ...

    def late_reports(self, year: int) -> dict[int, str]:
        """Reports of the year handed in after their due date: report id -> the penalty's
        reason (how late it was)."""
        ...

    def year_gaps(self, year: int) -> list[GapLine]:
        """Score sheets of the year with criteria flagged for a large self-vs-inspection gap."""
        ...

    def year_votes(self, year: int) -> list[YearVote]:
        """The clusters' vote sessions of a year, oldest first."""
        ...

    def year_dossiers(self, year: int) -> list[YearDossier]:
        """The year's dossiers on their way through the council office (submitted to council
        review), with their appraisal clocks."""
        ...

    def cluster_history(self, code: str | None = None
                        ) -> tuple[list[ClusterYear], list[YearVote]]:
        """The years of one cluster (by code; every cluster when None) and their counted
        cluster votes."""
        ...

    def public_models(self, states: Iterable[str], adopted: Iterable[str]
                      ) -> list[PublicModel]:
        """The exemplary models in the states (the accepted ones), the newest year first,
        each with the names of the units whose adoption is in `adopted`."""
        ...
