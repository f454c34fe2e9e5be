"""Plain records of stored things as the pages show them: units, clusters, people, attached
documents, definition versions and drafts. The read side (workflow/services/read_side.py)
answers with these; they live in the domain so that its database adapter can build them
without importing the services. Times are in UTC, with their zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workflow.domain.campaigns import campaign_title


@dataclass(frozen=True, slots=True)
class UnitSummary:
    """A unit (đơn vị): its id, code and name, and the unit it belongs to."""

    id: int
    code: str
    name: str
    parent_id: int | None = None
    kind: str | None = None  # loại đơn vị (workflow.domain.imports.UNIT_KINDS)


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    """A cluster (cụm, khối) of one year, with its member units in their order."""

    id: int
    code: str
    name: str
    kind: str
    year: int
    council: str | None
    leader_unit_id: int | None
    deputy_unit_id: int | None
    member_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class GrantSummary:
    """A role a user holds, where (a unit's or a cluster's code) and for which year."""

    role: str
    year: int | None
    unit: str | None
    cluster: str | None
    cluster_year: int | None
    id: int = 0
    unit_name: str | None = None
    cluster_name: str | None = None
    criteria: tuple[str, ...] = ()  # a professional department's criteria codes


@dataclass(frozen=True, slots=True)
class UserSummary:
    """An account as an administrator lists it, with every role it holds."""

    id: int
    username: str
    full_name: str
    email: str | None
    active: bool
    grants: tuple[GrantSummary, ...] = ()
    unit_id: int | None = None
    unit: str | None = None  # "BTP – Bộ Tư pháp": the unit the person works in


@dataclass(frozen=True, slots=True)
class UserPage:
    """One page of accounts by username: its number (1 to pages) and its accounts."""

    number: int
    pages: int
    users: tuple[UserSummary, ...]
    total: int = 0


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A file attached to an item: what it is for, its name and type, where it is stored."""

    id: int
    kind: str
    ref: str | None  # what the file is for within the item, e.g. a criterion's code
    filename: str
    content_type: str
    size: int
    storage_key: str
    uploaded_by: str
    uploaded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DefinitionVersion:
    """A published version of a workflow definition (without its text)."""

    id: int
    name: str
    version: int
    source_path: str
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class PublishedDefinition(DefinitionVersion):
    """A published version of a workflow definition with its YAML text."""

    source_text: str = ""


@dataclass(frozen=True, slots=True)
class DraftSummary:
    """An unpublished draft of a workflow definition: who saved it last, and when."""

    name: str
    saved_by: str
    saved_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Draft(DraftSummary):
    """An unpublished draft of a workflow definition with its YAML text."""

    source_text: str = ""


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    """A campaign of a cluster as a list shows it: its kind, theme, state and table."""

    id: int
    cluster_id: int
    cluster_name: str
    year: int
    state: str
    status: str  # active | completed | cancelled ... (the engine's status)
    kind: str  # regular | thematic
    theme: str
    criteria_table: str | None  # the table's code

    @property
    def title(self) -> str:
        """How people name it (Vietnamese): "Phong trào thi đua 2026 – <cluster>"."""
        return campaign_title(self.year, self.cluster_name, self.kind, self.theme)

