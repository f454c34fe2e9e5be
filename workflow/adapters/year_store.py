"""SQL of the cluster year run inside the engine's transactions: score lines, adjustments,
inspection scores and evidence. Mixed into the engine's transaction (store.WriteTx)."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement

from workflow.adapters.executor import CompiledStatement, StatementCache
from workflow.adapters.tables import (
    ballots,
    clusters,
    documents,
    inspection_scores,
    instances,
    objections,
    role_assignments,
    score_adjustments,
    score_lines,
    vote_participation,
)
from workflow.services.ports import EngineTxQueries

_L = score_lines.c


class ScoreLine(NamedTuple):
    criterion: str
    group_code: str
    target: Decimal | None
    achieved: Decimal | None
    self_points: Decimal | None
    inspection_points: Decimal | None
    verified_points: Decimal | None
    gap_flag: bool


LINE_COLUMNS = (_L.criterion, _L.group_code, _L.target, _L.achieved, _L.self_points,
                _L.inspection_points, _L.verified_points, _L.gap_flag)


def insert_ignoring_duplicates(table: sa.Table, dialect: str, keys: Sequence[str]) -> Any:
    """INSERT that does nothing when the unique key already exists (each event counts once)."""
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(keys))


def _upsert_self(dialect: str) -> Any:
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    stmt = insert(score_lines)
    return stmt.on_conflict_do_update(
        index_elements=["sheet_id", "criterion"],
        set_={name: stmt.excluded[name] for name in (
            "target", "achieved", "self_points", "updated_by", "updated_at")},
    )


class YearQueries:
    """Statements built on first use and cached per engine (see executor.py)."""

    __slots__ = ()

    if TYPE_CHECKING:  # provided by executor.Transaction, which comes after this in the MRO
        cache: StatementCache

        def execute(self, stmt: CompiledStatement, values: Mapping[str, Any]) -> int: ...

        def fetchall(
            self, stmt: CompiledStatement, values: Mapping[str, Any]
        ) -> list[Sequence[Any]]: ...

    def _stmt(
        self, key: str, build: Callable[[], ClauseElement], keys: Sequence[str] = ()
    ) -> CompiledStatement:
        return self.cache.get(key, build, keys)

    def engine_queries(self) -> EngineTxQueries:
        """The year's statements (recipients, the outbox) on this transaction, so that a
        notice commits with the step that sent it."""
        from workflow.adapters.sql_year import SqlEngineTxQueries  # it builds on this module

        return SqlEngineTxQueries(self)

    # --- score lines ---------------------------------------------------------------------

    def score_lines(self, sheet_id: int) -> dict[str, ScoreLine]:
        stmt = self._stmt("lines", lambda: sa.select(*LINE_COLUMNS).where(
            _L.sheet_id == sa.bindparam("b_sheet")).order_by(_L.id))
        return {r[0]: ScoreLine(*r) for r in self.fetchall(stmt, {"b_sheet": sheet_id})}

    def set_inspection_points(
        self, sheet_id: int, values: Mapping[str, tuple[Decimal | None, bool]], by: str,
        at: dt.datetime,
    ) -> None:
        stmt = self._stmt("set_inspection", lambda: score_lines.update().where(
            _L.sheet_id == sa.bindparam("b_sheet"), _L.criterion == sa.bindparam("b_criterion"),
        ).values(inspection_points=sa.bindparam("points"), gap_flag=sa.bindparam("gap"),
                 updated_by=sa.bindparam("by"), updated_at=sa.bindparam("at")))
        for criterion, (points, gap) in values.items():
            self.execute(stmt, {"b_sheet": sheet_id, "b_criterion": criterion, "points": points,
                                "gap": gap, "by": by, "at": at})

    def save_self_score(
        self, sheet_id: int, campaign_id: int, unit_id: int, criterion: str, group_code: str,
        entry: Any, by: str, at: dt.datetime,
    ) -> None:
        """Insert or replace the unit's own score (and target, result) for one criterion."""
        dialect = self.cache.dialect.name
        stmt = self._stmt("save_self", lambda: _upsert_self(dialect), (
            "sheet_id", "campaign_id", "unit_id", "criterion", "group_code", "target",
            "achieved", "self_points", "gap_flag", "updated_by", "updated_at"))
        self.execute(stmt, {
            "sheet_id": sheet_id, "campaign_id": campaign_id, "unit_id": unit_id,
            "criterion": criterion, "group_code": group_code, "target": entry.target,
            "achieved": entry.achieved, "self_points": entry.points, "gap_flag": False,
            "updated_by": by, "updated_at": at,
        })

    def set_verified_points(
        self, sheet_id: int, values: Mapping[str, Decimal], by: str, at: dt.datetime
    ) -> None:
        stmt = self._stmt("set_verified", lambda: score_lines.update().where(
            _L.sheet_id == sa.bindparam("b_sheet"), _L.criterion == sa.bindparam("b_criterion"),
        ).values(verified_points=sa.bindparam("points"), updated_by=sa.bindparam("by"),
                 updated_at=sa.bindparam("at")))
        for criterion, points in values.items():
            self.execute(stmt, {"b_sheet": sheet_id, "b_criterion": criterion,
                                "points": points, "by": by, "at": at})

    def settle_verified(self, sheet_id: int, by: str, at: dt.datetime) -> None:
        """Verified points default to the inspection's, else the unit's own score."""
        stmt = self._stmt("settle", lambda: score_lines.update().where(
            _L.sheet_id == sa.bindparam("b_sheet"), _L.verified_points.is_(None),
        ).values(verified_points=sa.func.coalesce(_L.inspection_points, _L.self_points, 0),
                 updated_by=sa.bindparam("by"), updated_at=sa.bindparam("at")))
        self.execute(stmt, {"b_sheet": sheet_id, "by": by, "at": at})

    # --- adjustments (bonus, penalty) ----------------------------------------------------

    def add_adjustment(
        self, campaign_id: int, unit_id: int, code: str, kind: str, points: Decimal,
        source: str, reason: str, by: str, at: dt.datetime,
    ) -> bool:
        """Record one occurrence; False when that source was already counted."""
        dialect = self.cache.dialect.name
        stmt = self._stmt("add_adjustment", lambda: insert_ignoring_duplicates(
            score_adjustments, dialect, ("campaign_id", "unit_id", "code", "source")),
            ("campaign_id", "unit_id", "code", "kind", "points", "source", "reason",
             "created_by", "created_at"))
        return self.execute(stmt, {
            "campaign_id": campaign_id, "unit_id": unit_id, "code": code, "kind": kind,
            "points": points, "source": source, "reason": reason, "created_by": by,
            "created_at": at,
        }) == 1

    # --- inspections ----------------------------------------------------------------------

    def write_inspection_scores(
        self, inspection_id: int, campaign_id: int, unit_id: int,
        results: Mapping[str, Decimal],
    ) -> None:
        dialect = self.cache.dialect.name
        stmt = self._stmt("write_inspection", lambda: insert_ignoring_duplicates(
            inspection_scores, dialect, ("inspection_id", "criterion")),
            ("inspection_id", "campaign_id", "unit_id", "criterion", "points"))
        for criterion, points in results.items():
            self.execute(stmt, {"inspection_id": inspection_id, "campaign_id": campaign_id,
                                "unit_id": unit_id, "criterion": criterion, "points": points})

    def inspection_scores(self, campaign_id: int, unit_id: int) -> dict[str, Decimal]:
        s = inspection_scores.c
        stmt = self._stmt("inspection_scores", lambda: sa.select(s.criterion, s.points).where(
            s.campaign_id == sa.bindparam("b_campaign"), s.unit_id == sa.bindparam("b_unit")))
        return {r[0]: r[1] for r in self.fetchall(
            stmt, {"b_campaign": campaign_id, "b_unit": unit_id})}

    # --- ballots --------------------------------------------------------------------------

    def ballots(self, session_id: int, round_: int) -> list[dict[str, Any]]:
        b = ballots.c
        stmt = self._stmt("ballots", lambda: sa.select(b.choices).where(
            b.session_id == sa.bindparam("b_session"), b.round == sa.bindparam("b_round")))
        return [r[0] for r in self.fetchall(stmt, {"b_session": session_id, "b_round": round_})]

    def shuffle_ballots(self, session_id: int, round_: int) -> int:
        """Rewrite a round's ballots in random order under new random ids, so that where a row
        sits in storage says nothing about when it was cast."""
        b = ballots.c
        stmt = self._stmt("ballots_full", lambda: sa.select(b.id, b.choices, b.named_voter).where(
            b.session_id == sa.bindparam("b_session"), b.round == sa.bindparam("b_round")))
        rows = [tuple(r) for r in self.fetchall(
            stmt, {"b_session": session_id, "b_round": round_})]
        delete = self._stmt("ballots_delete", lambda: ballots.delete().where(
            b.session_id == sa.bindparam("b_session"), b.round == sa.bindparam("b_round")))
        self.execute(delete, {"b_session": session_id, "b_round": round_})
        random.SystemRandom().shuffle(rows)
        insert = self._stmt("ballots_insert", ballots.insert,
                            ("id", "session_id", "round", "choices", "named_voter"))
        for _, choices, voter in rows:
            self.execute(insert, {"id": secrets.token_hex(16), "session_id": session_id,
                                  "round": round_, "choices": choices, "named_voter": voter})
        return len(rows)

    def council_members(self, year: int | None) -> list[int]:
        ra = role_assignments.c
        stmt = self._stmt("council_members", lambda: sa.select(ra.user_id).where(
            ra.role == "council_member",
            sa.or_(ra.year.is_(None), ra.year == sa.bindparam("b_year"))).distinct().order_by(
            ra.user_id))
        return [int(r[0]) for r in self.fetchall(stmt, {"b_year": year or -1})]

    def voter_keys(self, session_id: int, round_: int) -> list[str]:
        """Who has voted in a round (public: the turnout), never what they chose."""
        vp = vote_participation.c
        stmt = self._stmt("voter_keys", lambda: sa.select(vp.voter_key).where(
            vp.session_id == sa.bindparam("b_session"), vp.round == sa.bindparam("b_round")
        ).order_by(vp.voter_key))
        return [str(r[0]) for r in self.fetchall(stmt, {"b_session": session_id,
                                                        "b_round": round_})]

    # --- dossiers -------------------------------------------------------------------------

    def dossiers_of_year(self, year: int) -> list[tuple[int, str, str, dict[str, Any],
                                                        int | None]]:
        """(id, state, status, data, cluster id) of every dossier of a year."""
        i = instances.c
        stmt = self._stmt("dossiers_of_year", lambda: sa.select(
            i.id, i.state, i.status, i.data, i.cluster_id).where(
            i.workflow == "dossier", i.year == sa.bindparam("b_year")))
        return [(r[0], r[1], r[2], r[3], r[4]) for r in self.fetchall(stmt, {"b_year": year})]

    def clusters_of_council(self, council: str, year: int) -> list[int]:
        c = clusters.c
        stmt = self._stmt("clusters_of_council", lambda: sa.select(c.id).where(
            c.council == sa.bindparam("b_council"), c.year == sa.bindparam("b_year")))
        return [int(r[0]) for r in self.fetchall(stmt, {"b_council": council, "b_year": year})]

    def council_of(self, cluster_id: int) -> str | None:
        c = clusters.c
        stmt = self._stmt("council_of", lambda: sa.select(c.council).where(
            c.id == sa.bindparam("b_id")))
        rows = self.fetchall(stmt, {"b_id": cluster_id})
        return str(rows[0][0]) if rows and rows[0][0] else None

    def open_objections(self, dossier_id: int) -> int:
        o = objections.c
        stmt = self._stmt("open_objections", lambda: sa.select(sa.func.count()).where(
            o.dossier_id == sa.bindparam("b_id"), o.admissible.is_(True),
            o.answered_at.is_(None)))
        return int(self.fetchall(stmt, {"b_id": dossier_id})[0][0])

    # --- evidence ------------------------------------------------------------------------

    def evidence(self, instance_id: int) -> set[tuple[str, str]]:
        """(criterion code, document kind) of every evidence file attached to the item."""
        d = documents.c
        stmt = self._stmt("evidence", lambda: sa.select(d.ref, d.kind).where(
            d.instance_id == sa.bindparam("b_id"), d.ref.is_not(None)))
        return {(r[0], r[1]) for r in self.fetchall(stmt, {"b_id": instance_id})}
