"""The ports between the use cases and the database: a unit of work and its repositories.

A use case opens the unit of work for one transaction, calls its repositories, and the
transaction commits when the block ends (rolls back on an error):

    with uow:                      # a write transaction
        uow.users.add_grant(...)
    with uow.read():               # a read-only one: one snapshot, no write lock on SQLite
        actor = uow.users.actor(user_id)

A unit of work may be used for several transactions one after the other (never at once, nor
from two threads); a block opened inside another joins it. The SQLAlchemy implementation lives
in workflow/adapters/uow.py, the in-memory one the tests use in tests/fakes.py.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

from workflow.domain.criteria import CriteriaTable
from workflow.domain.imports import Directory
from workflow.domain.records import CampaignSummary
from workflow.domain.roles import Actor
from workflow.engine.hashing import HistoryChain
from workflow.engine.instance import Instance

T = TypeVar("T")
Row = Mapping[str, Any]


# --- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counter:
    """A limit's counter: the hits of the window that ends at reset_at."""

    key: str
    hits: int
    reset_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ClusterRecord:
    id: int
    code: str
    name: str
    kind: str
    year: int
    council: str | None
    leader_unit_id: int | None
    deputy_unit_id: int | None
    members: tuple[int, ...]


# --- repositories -----------------------------------------------------------------------------


class UserRepository(abc.ABC):
    """Users, their role grants, passwords, sessions and delegations."""

    @abc.abstractmethod
    def id_by_username(self, username: str) -> int | None: ...
    @abc.abstractmethod
    def username(self, user_id: int) -> str | None: ...
    @abc.abstractmethod
    def is_active(self, user_id: int) -> bool: ...
    @abc.abstractmethod
    def add(self, username: str, full_name: str, email: str | None) -> int: ...
    @abc.abstractmethod
    def add_grant(self, user_id: int, role: str, unit_id: int | None, cluster_id: int | None,
                  year: int | None, criteria: Sequence[str] = ()) -> int:
        """A grant; `criteria` names the criteria a department's grant is held for."""
    @abc.abstractmethod
    def actor(self, user_id: int) -> Actor | None:
        """The active user with their grants (leadership derived from the rotation too)."""
    @abc.abstractmethod
    def credentials(self, username: str) -> tuple[int, str | None, bool] | None:
        """(id, password hash, active) of a username."""
    @abc.abstractmethod
    def set_password_hash(self, user_id: int, password_hash: str, *, must_change: bool,
                          end_sessions: bool) -> bool:
        """Store a hash; False when there is no such user."""
    @abc.abstractmethod
    def session_epoch(self, user_id: int) -> int: ...
    @abc.abstractmethod
    def end_sessions(self, user_id: int) -> None: ...
    @abc.abstractmethod
    def add_delegation(self, from_user_id: int, to_user_id: int, starts_on: dt.date,
                       ends_on: dt.date, mandate: str, created_by: str,
                       created_at: dt.datetime) -> int: ...
    @abc.abstractmethod
    def delegation_covers(self, principal_id: int, delegate_id: int, on: dt.date) -> bool: ...
    @abc.abstractmethod
    def delegator(self, delegation_id: int) -> int | None:
        """The user who gave the delegation; None when there is no such delegation."""
    @abc.abstractmethod
    def revoke_delegation(self, delegation_id: int, at: dt.datetime) -> None: ...
    @abc.abstractmethod
    def set_active(self, user_id: int, active: bool) -> bool:
        """Open or close an account; False when there is no such user."""
    @abc.abstractmethod
    def profile(self, user_id: int) -> Row | None:
        """username, full_name, email, unit_id and active of a user; None when there is none."""
    @abc.abstractmethod
    def update_profile(self, user_id: int, full_name: str, email: str | None,
                       unit_id: int | None) -> None: ...
    @abc.abstractmethod
    def grant_row(self, grant_id: int) -> Row | None:
        """id, user_id, role, unit_id, cluster_id and year of one grant."""
    @abc.abstractmethod
    def remove_grant(self, grant_id: int) -> None: ...


class OrganisationRepository(abc.ABC):
    """Units, clusters of a year with their members, and rotation proposals."""

    @abc.abstractmethod
    def unit_id(self, code: str) -> int | None: ...
    @abc.abstractmethod
    def unit_exists(self, unit_id: int) -> bool: ...
    @abc.abstractmethod
    def known_units(self, ids: Sequence[int]) -> set[int]: ...
    @abc.abstractmethod
    def add_unit(self, code: str, name: str, parent_id: int | None) -> int: ...
    @abc.abstractmethod
    def unit_name(self, unit_id: int) -> str | None: ...
    @abc.abstractmethod
    def unit_names(self) -> dict[int, str]: ...
    @abc.abstractmethod
    def cluster_exists(self, cluster_id: int) -> bool: ...
    @abc.abstractmethod
    def cluster_id(self, code: str, year: int) -> int | None: ...
    @abc.abstractmethod
    def cluster(self, cluster_id: int) -> ClusterRecord | None: ...
    @abc.abstractmethod
    def cluster_name(self, cluster_id: int | None) -> str | None: ...
    @abc.abstractmethod
    def add_cluster(self, code: str, name: str, kind: str, year: int, members: Sequence[int],
                    council: str | None, leader_unit_id: int | None,
                    deputy_unit_id: int | None) -> int: ...
    @abc.abstractmethod
    def set_leadership(self, cluster_id: int, leader: int, deputy: int) -> None: ...
    @abc.abstractmethod
    def pending_rotation(self, cluster_id: int) -> int | None: ...
    @abc.abstractmethod
    def add_rotation(self, cluster_id: int, next_year: int, leader: int, deputy: int,
                     proposed_by: str, at: dt.datetime) -> int: ...
    @abc.abstractmethod
    def rotation(self, proposal_id: int) -> Row | None: ...
    @abc.abstractmethod
    def decide_rotation(self, proposal_id: int, status: str, by: str,
                        at: dt.datetime) -> None: ...
    @abc.abstractmethod
    def cluster_ids_of_year(self, year: int) -> list[int]:
        """The clusters of a year, by code."""
    @abc.abstractmethod
    def unit(self, unit_id: int) -> Row | None:
        """code, name and parent_id of a unit."""
    @abc.abstractmethod
    def update_unit(self, unit_id: int, name: str, parent_id: int | None) -> None: ...
    @abc.abstractmethod
    def update_cluster(self, cluster_id: int, name: str, council: str | None,
                       members: Sequence[int], leader_unit_id: int | None,
                       deputy_unit_id: int | None) -> None:
        """New name, council, members (in their order) and leadership of a cluster."""


class TokenRepository(abc.ABC):
    """API tokens, kept as their SHA-256."""

    @abc.abstractmethod
    def add(self, user_id: int, name: str, token_hash: str, at: dt.datetime,
            expires_at: dt.datetime | None = None) -> int: ...
    @abc.abstractmethod
    def live(self, token_hash: str, now: dt.datetime
             ) -> tuple[int, int, dt.datetime | None] | None:
        """(id, user id, last used) of a token neither revoked nor expired at `now`."""
    @abc.abstractmethod
    def touch(self, token_id: int, at: dt.datetime) -> None: ...
    @abc.abstractmethod
    def revoked_at(self, token_id: int) -> tuple[bool, dt.datetime | None]:
        """Whether the token exists, and when it was revoked."""
    @abc.abstractmethod
    def revoke(self, token_id: int, at: dt.datetime) -> None: ...
    @abc.abstractmethod
    def of_user(self, user_id: int) -> list[Row]: ...
    @abc.abstractmethod
    def get(self, token_id: int) -> Row | None:
        """id, user_id, name, created_at, last_used_at, revoked_at, expires_at of a token."""
    @abc.abstractmethod
    def every(self) -> list[Row]:
        """Every token (as of_user gives them) with its owner's username, oldest first."""


@dataclass(frozen=True, slots=True)
class MigrationScope:
    """Which instances a migration moves: of one campaign (the campaign and everything under
    it), of one cluster, of one year; None everywhere: all."""

    campaign_id: int | None = None
    cluster_id: int | None = None
    year: int | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.campaign_id, self.cluster_id, self.year))


class AdminChangeRepository(abc.ABC):
    """The history of administrators' changes (people, roles, tokens, units, clusters)."""

    @abc.abstractmethod
    def add(self, values: Mapping[str, Any]) -> None: ...
    @abc.abstractmethod
    def page(self, user_id: int | None, limit: int, offset: int) -> tuple[int, list[Row]]:
        """How many changes there are (of one person, or all) and one page of them, newest
        first, each with the names of who made it and whom it concerns."""


class IdempotencyRepository(abc.ABC):
    """The answers of API requests sent with an Idempotency-Key, per user."""

    @abc.abstractmethod
    def find(self, user_id: int, key: str) -> Row | None:
        """id, fingerprint, status and body of the key's request, if one came."""
    @abc.abstractmethod
    def reserve(self, user_id: int, key: str, fingerprint: str, at: dt.datetime) -> int | None:
        """Note that the key's first request is running: its id, or None when another
        request took the key first."""
    @abc.abstractmethod
    def complete(self, record_id: int, status: int, body: str) -> None: ...
    @abc.abstractmethod
    def release(self, record_id: int) -> None: ...
    @abc.abstractmethod
    def prune(self, before: dt.datetime) -> int: ...


class LimitRepository(abc.ABC):
    """Counters of attempts per key, shared by every process."""

    @abc.abstractmethod
    def lock_counters(self, keys: Sequence[str], reset_at: dt.datetime
                      ) -> dict[str, Counter]: ...
    @abc.abstractmethod
    def save(self, counter: Counter) -> None: ...
    @abc.abstractmethod
    def take_back(self, key: str) -> None: ...
    @abc.abstractmethod
    def delete(self, key: str) -> None: ...
    @abc.abstractmethod
    def prune(self, now: dt.datetime) -> int: ...
    @abc.abstractmethod
    def counter(self, key: str) -> Counter | None: ...


class OutboxRepository(abc.ABC):
    """Messages: the in-app inbox and the e-mails to deliver."""

    @abc.abstractmethod
    def in_app(self, user_id: int, *, unread_only: bool, limit: int, offset: int
               ) -> list[Row]: ...
    @abc.abstractmethod
    def unread_count(self, user_id: int) -> int: ...
    @abc.abstractmethod
    def mark_read(self, user_id: int, ids: Sequence[int], at: dt.datetime) -> int: ...
    @abc.abstractmethod
    def digest_groups(self, now: dt.datetime, last_day: dt.date, limit: int
                      ) -> list[tuple[int, dt.date]]: ...
    @abc.abstractmethod
    def claim_emails(self, now: dt.datetime, *, digest: tuple[int, dt.date] | None,
                     limit: int | None) -> tuple[Any, ...]:
        """Due e-mail rows (single ones, or one user's digest of a day), held by this
        transaction (other processes skip them)."""
    @abc.abstractmethod
    def count_attempt(self, ids: Sequence[int], next_attempt_at: dt.datetime) -> None: ...
    @abc.abstractmethod
    def mark(self, ids: Sequence[int], *, only_pending: bool = False, **values: Any) -> None: ...
    @abc.abstractmethod
    def contact(self, user_id: int) -> tuple[str | None, str | None, str]:
        """(e-mail, locale, full name) of a user."""
    @abc.abstractmethod
    def failures(self) -> list[Row]: ...


class DefinitionRepository(abc.ABC):
    """Published workflow definition versions."""

    @abc.abstractmethod
    def rows(self, name: str | None = None) -> list[dict[str, Any]]: ...
    @abc.abstractmethod
    def row(self, definition_id: int) -> dict[str, Any] | None: ...
    @abc.abstractmethod
    def revision(self) -> int: ...
    @abc.abstractmethod
    def add(self, **values: Any) -> int: ...
    @abc.abstractmethod
    def replace_draft(self, name: str, text: str, saved_by: str, saved_at: dt.datetime) -> None:
        """Keep the text of a workflow being edited, replacing its previous draft."""
    @abc.abstractmethod
    def delete_draft(self, name: str) -> None: ...


class CriteriaRepository(abc.ABC):
    """Published criteria table versions, the drafts being edited, and the campaigns on them."""

    @abc.abstractmethod
    def versions(self, code: str) -> list[dict[str, Any]]:
        """version and content_hash of each published version, oldest first."""
    @abc.abstractmethod
    def add(self, **values: Any) -> None: ...
    @abc.abstractmethod
    def find(self, code: str, version: int | None) -> Row | None:
        """version, source_text and source_path of a version (the newest when None)."""
    @abc.abstractmethod
    def codes(self) -> list[str]: ...
    @abc.abstractmethod
    def published(self) -> list[dict[str, Any]]:
        """code, version, source_path, created_at, created_by of every version (no text),
        by code then version."""
    @abc.abstractmethod
    def uses(self) -> list[dict[str, Any]]:
        """campaign_id, code and version (None until launched) of every campaign's table."""
    @abc.abstractmethod
    def drafts(self) -> list[dict[str, Any]]:
        """code, saved_by, saved_at of every draft, by code."""
    @abc.abstractmethod
    def draft(self, code: str) -> Row | None:
        """code, source_text, saved_by, saved_at of the draft of a table."""
    @abc.abstractmethod
    def replace_draft(self, code: str, text: str, saved_by: str, saved_at: dt.datetime
                      ) -> None: ...
    @abc.abstractmethod
    def delete_draft(self, code: str) -> None: ...


class HistoryRepository(abc.ABC):
    """The instances' hash-chained history, for the audit."""

    @abc.abstractmethod
    def heads(self) -> dict[int, tuple[int, str]]: ...
    @abc.abstractmethod
    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry, in instance and seq order, streamed."""
    @abc.abstractmethod
    def reseal(self, chain: HistoryChain, *, actor: str, reason: str, at: dt.datetime
               ) -> tuple[int, int]: ...


class LeaseRepository(abc.ABC):
    """Leases of background jobs: which process leads one until when."""

    @abc.abstractmethod
    def renew(self, name: str, holder: str, now: dt.datetime, until: dt.datetime) -> bool: ...
    @abc.abstractmethod
    def exists(self, name: str) -> bool: ...
    @abc.abstractmethod
    def take(self, name: str, holder: str, until: dt.datetime) -> bool:
        """Insert the lease; False when another process inserted it first."""
    @abc.abstractmethod
    def release(self, name: str, holder: str) -> None: ...


class YearRepository(abc.ABC):
    """The cluster year's data that the year's use cases read beside the engine."""

    @abc.abstractmethod
    def campaign(self, campaign_id: int) -> Any | None: ...
    @abc.abstractmethod
    def cluster_campaigns(self, cluster_id: int) -> list[CampaignSummary]:
        """The cluster's campaigns (every year), the newest first."""
    @abc.abstractmethod
    def final_lines(self, campaign_id: int
                    ) -> tuple[dict[int, dict[str, Any]], dict[int, int], set[int]]: ...
    @abc.abstractmethod
    def adjustment_counts(self, campaign_id: int) -> dict[int, dict[str, Any]]: ...
    @abc.abstractmethod
    def unit_codes_and_names(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]: ...
    @abc.abstractmethod
    def unfinished_sheet_units(self, campaign_id: int) -> list[int | None]: ...
    @abc.abstractmethod
    def members(self, cluster_id: int) -> Sequence[int]: ...
    @abc.abstractmethod
    def inspection_plans(self, code: str, year: int) -> list[dict[str, Any]]:
        """The data of the inspections of a cluster's year (by its code)."""
    @abc.abstractmethod
    def inspectors(self, cluster_id: int, year: int) -> list[tuple[int, str]]:
        """(home unit id, username) of the cluster's inspectors of a year."""
    @abc.abstractmethod
    def locked_votes_before(self, code: str, year: int) -> list[tuple[int, dict[str, Any]]]:
        """(year, data) of the locked vote sessions of a cluster's earlier years."""
    @abc.abstractmethod
    def voted(self, session_id: int, round_: int) -> list[str]: ...
    @abc.abstractmethod
    def open_votes(self) -> list[Instance]:
        """The vote sessions taking ballots now (few at any time)."""
    @abc.abstractmethod
    def people(self, *, units: Sequence[int] = (), roles: Sequence[str] = (),
               year: int | None = None, user_ids: Sequence[int] = ()
               ) -> list[tuple[int, str, str | None, str]]:
        """(id, full name, e-mail, locale) of the active users holding one of the roles for
        one of the units in the year (or every year), and of the users named by id."""
    @abc.abstractmethod
    def latest_document(self, instance_id: int, kind: str) -> dict[str, Any] | None: ...
    @abc.abstractmethod
    def add_objection(self, dossier_id: int, text: str, contact: str | None,
                      at: dt.datetime) -> int: ...
    @abc.abstractmethod
    def objection(self, objection_id: int) -> tuple[int, dt.datetime | None] | None:
        """(dossier id, answered at) of an objection."""
    @abc.abstractmethod
    def answer_objection(self, objection_id: int, answer: str, by: str,
                         at: dt.datetime) -> bool:
        """Record the answer of an objection not answered yet; False if it already was."""
    @abc.abstractmethod
    def objection_row(self, objection_id: int) -> dict[str, Any] | None:
        """Every column of an objection."""
    @abc.abstractmethod
    def objections_of(self, dossier_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Every column of the objections to the dossiers, by dossier then as filed."""
    @abc.abstractmethod
    def judge_objection(self, objection_id: int, admissible: bool, reason: str, by: str,
                        at: dt.datetime) -> bool:
        """Record the judgement of an objection not judged yet; False if it already was."""
    @abc.abstractmethod
    def role_holders(self, unit_id: int | None, cluster_id: int | None, year: int | None,
                     roles: Sequence[str]) -> list[tuple[int, str, str | None, str]]:
        """(id, full name, e-mail, locale) of the active people holding one of the roles on
        an item of that unit, cluster and year (grants held everywhere included)."""
    @abc.abstractmethod
    def add_message(self, values: Mapping[str, Any]) -> None:
        """A row of the outbox (an in-app notification or an e-mail to deliver)."""
    @abc.abstractmethod
    def public_dossiers(self, states: Sequence[str]) -> list[Any]: ...
    @abc.abstractmethod
    def running_elsewhere(self, workflow: str, statuses: Sequence[str],
                          definition_id: int, scope: MigrationScope | None = None
                          ) -> list[Instance]:
        """Instances of the workflow in those statuses on another definition version, only
        those inside the scope when one is given."""
    @abc.abstractmethod
    def waiting_statement(self, acting: Mapping[str, Mapping[int, Mapping[str, Any]]],
                          actor: Actor) -> object | None:
        """The inbox query of an actor's grants (opaque; kept by the caller for reuse)."""
    @abc.abstractmethod
    def waiting(self, statement: object, limit: int, offset: int) -> list[Any]: ...


class SchemaRepository(abc.ABC):
    """What a backup's manifest records of a database."""

    @abc.abstractmethod
    def table_counts(self) -> dict[str, int]: ...
    @abc.abstractmethod
    def revision(self) -> str | None: ...


class EngineTxQueries(abc.ABC):
    """The year's statements run inside the engine's own write transaction (the Store's), so
    that they commit with the instance they go with."""

    @abc.abstractmethod
    def has_voted(self, session_id: int, round_: int, key: str) -> bool: ...
    @abc.abstractmethod
    def record_ballot(self, session_id: int, round_: int, key: str, cast_by: str,
                      ballot_id: str, choices: Mapping[str, Any], named_voter: str | None
                      ) -> None: ...
    @abc.abstractmethod
    def record_participation(self, session_id: int, round_: int, key: str, cast_by: str
                             ) -> None:
        """Who voted (the turnout), with nothing of the ballot (sealed apart)."""
    @abc.abstractmethod
    def derived_deadlines(self, campaign_id: int, key: str
                          ) -> list[tuple[int, str, int, str]]: ...
    @abc.abstractmethod
    def move_deadline(self, values: Mapping[str, Any]) -> None: ...
    @abc.abstractmethod
    def claim_due(self, now: dt.datetime, limit: int) -> list[tuple[Any, ...]]: ...
    @abc.abstractmethod
    def mark_deadline(self, deadline_id: int, status: str, at: dt.datetime, late: bool,
                      note: str) -> None: ...
    @abc.abstractmethod
    def add_message(self, values: Mapping[str, Any]) -> None: ...
    @abc.abstractmethod
    def unit_label(self, inst: Instance) -> str: ...
    @abc.abstractmethod
    def recipients(self, inst: Instance, roles: set[str]) -> list[tuple[Any, ...]]: ...
    @abc.abstractmethod
    def savepoint(self, name: str) -> AbstractContextManager[None]:
        """Statements of the block are undone, alone, if it raises."""


class ImpedimentStatements(abc.ABC):
    """Impediments to an award (domain/impediments.py), read and written in a transaction of
    the engine, so that recording one and noting it in its dossiers' history commit together,
    and a dossier's guard reads them in the fire's own transaction."""

    @abc.abstractmethod
    def add(self, values: Mapping[str, Any]) -> int:
        """Record one (every column but id); its id."""
    @abc.abstractmethod
    def get(self, impediment_id: int) -> dict[str, Any] | None: ...
    @abc.abstractmethod
    def of_subject(self, unit_id: int | None, user_id: int | None) -> list[dict[str, Any]]:
        """Every impediment recorded against the unit, or the person, earliest first."""
    @abc.abstractmethod
    def listed(self, limit: int) -> list[dict[str, Any]]:
        """The latest impediments recorded, newest first."""
    @abc.abstractmethod
    def close(self, impediment_id: int, values: Mapping[str, Any]) -> bool:
        """Record the closure of one not closed yet; False if it already was."""
    @abc.abstractmethod
    def live_dossiers(self, unit_id: int | None, user_id: int | None) -> list[int]:
        """The dossiers still running whose nominee is the unit, or the person."""
    @abc.abstractmethod
    def username(self, user_id: int) -> str | None:
        """The username of a person (a refusal names them by it)."""
    @abc.abstractmethod
    def clusters_of_unit(self, unit_id: int) -> list[tuple[int, int]]:
        """(id, year) of the clusters (of every year) the unit is a member of."""
    @abc.abstractmethod
    def unit_of_user(self, user_id: int) -> tuple[bool, int | None]:
        """Whether the person exists, and the unit they belong to."""
    @abc.abstractmethod
    def unit_exists(self, unit_id: int) -> bool: ...


# --- the engine's store ------------------------------------------------------------------------


class EngineTx(Protocol):
    """One transaction of the engine (adapters/store.WriteTx): the statements a fire, start,
    repair or migration runs, and the port its guards and effects read through."""

    revision: int | None  # the catalog's revision, when a statement of this transaction took it

    def __enter__(self) -> Self: ...
    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None: ...
    def load_instance(self, instance_id: int, *, lock: bool = False) -> Instance | None: ...
    def load_for_fire(self, instance_id: int) -> Instance | None: ...
    def children(self, parent_id: int) -> list[Instance]: ...
    def child_states(self, parent_id: int, workflow: str) -> list[str]: ...
    def instance_data(self, instance_id: int) -> dict[str, Any] | None: ...
    def member_units(self, cluster_id: int) -> list[int]: ...
    def score_lines(self, sheet_id: int) -> Mapping[str, Any]: ...
    def insert_instance(
        self, inst: Instance, created_at: dt.datetime, *, revision: bool = False
    ) -> int: ...
    def update_and_record(
        self, inst: Instance, expected_version: int, entry: dict[str, Any], *,
        data_changed: bool = True, status_changed: bool = True, definition_changed: bool = False,
        revision: bool = False,
    ) -> bool: ...
    def insert_deadlines(self, rows: list[dict[str, Any]]) -> None: ...
    def cancel_deadlines(self, instance_id: int, at: dt.datetime) -> int: ...
    def insert_document(self, values: dict[str, Any]) -> int: ...
    def document_kinds(self, instance_id: int) -> set[str]: ...
    def impediments(self) -> ImpedimentStatements: ...


class EngineStore(Protocol):
    """Opens the engine's transactions (adapters/store.Store), and reads instances outside one."""

    criteria: Callable[[str, int | None], CriteriaTable] | None

    def write(self) -> EngineTx: ...
    def read(self) -> EngineTx: ...
    def close(self) -> None: ...
    def get(self, instance_id: int) -> Instance | None: ...
    def history(self, instance_id: int) -> list[dict[str, Any]]: ...
    def children(self, parent_id: int) -> list[Instance]: ...


class DirectoryRepository(abc.ABC):
    """The directory (units, a year's clusters, people) as the import reads and writes it."""

    @abc.abstractmethod
    def snapshot(self, year: int) -> Directory:
        """Every unit, the year's clusters and every person with their every-year grants."""
    @abc.abstractmethod
    def add_unit(self, code: str, name: str, parent_id: int | None, kind: str | None) -> int: ...
    @abc.abstractmethod
    def update_unit(self, unit_id: int, name: str, parent_id: int | None,
                    kind: str | None) -> None: ...
    @abc.abstractmethod
    def update_cluster(self, cluster_id: int, name: str, kind: str, council: str | None,
                       leader_unit_id: int | None, deputy_unit_id: int | None,
                       members: Sequence[int]) -> None:
        """Its fields, and its members replaced in this order (the rotation's)."""
    @abc.abstractmethod
    def update_person(self, user_id: int, full_name: str, email: str | None) -> None: ...


# --- the unit of work -------------------------------------------------------------------------


class UnitOfWork(abc.ABC):
    """One transaction over the repositories: committed when the block ends, rolled back
    when it raises. `with uow:` writes, `with uow.read():` only reads."""

    users: UserRepository
    organisations: OrganisationRepository
    directory: DirectoryRepository
    tokens: TokenRepository
    idempotency: IdempotencyRepository
    changes: AdminChangeRepository
    limits: LimitRepository
    outbox: OutboxRepository
    definitions: DefinitionRepository
    criteria: CriteriaRepository
    history: HistoryRepository
    leases: LeaseRepository
    year: YearRepository
    schema: SchemaRepository

    def __init__(self) -> None:
        self._depth = 0
        self._readonly = False

    def __enter__(self) -> Self:
        return self._enter(readonly=False)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._exit(ok=exc_type is None)

    def read(self) -> AbstractContextManager[Self]:
        """A read-only transaction (on SQLite it takes no write lock)."""
        return _Reading(self)

    def _enter(self, readonly: bool) -> Self:
        if self._depth:
            if self._readonly and not readonly:
                raise RuntimeError("a write cannot join a read-only unit of work")
        else:
            self._readonly = readonly
            self._begin(readonly)
        self._depth += 1
        return self

    def _exit(self, ok: bool) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._end(commit=ok)

    @property
    def active(self) -> bool:
        return self._depth > 0

    @abc.abstractmethod
    def _begin(self, readonly: bool) -> None: ...

    @abc.abstractmethod
    def _end(self, commit: bool) -> None: ...

    @abc.abstractmethod
    def in_engine_tx(self, tx: object) -> EngineTxQueries:
        """The year's statements bound to a transaction of the engine's Store."""


class _Reading:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __enter__(self) -> Any:
        return self.uow._enter(readonly=True)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.uow._exit(ok=exc_type is None)


UnitOfWorkFactory = Callable[[], UnitOfWork]


class DatabaseFiles(abc.ABC):
    """The database as files: copied to a backup, replaced by one (see services/backup.py)."""

    @property
    @abc.abstractmethod
    def dialect(self) -> str: ...
    @abc.abstractmethod
    def describe(self) -> str: ...
    @abc.abstractmethod
    def live_file(self) -> Path | None:
        """The SQLite file the database lives in (None for PostgreSQL or in memory)."""
    @abc.abstractmethod
    def copy_to(self, target: Path, read: Callable[[UnitOfWork], T]) -> T:
        """Copy the database to `target` and run `read` on a unit of work over the very
        snapshot that was copied."""
    @abc.abstractmethod
    def replace_with(self, source: Path) -> None:
        """Replace the database's content with the backup `source`."""
    @abc.abstractmethod
    def read(self, read: Callable[[UnitOfWork], T]) -> T:
        """Run `read` on a unit of work over the live database."""
