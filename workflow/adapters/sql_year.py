"""The cluster year's reads on SQLAlchemy Core (rankings, inspection plans, votes, dossiers,
the inbox), and the year's statements that run inside the engine's own write transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workflow.adapters import repository as repo
from workflow.adapters.db import new_id
from workflow.adapters.store import WriteTx
from workflow.adapters.tables import (
    ballots,
    cluster_members,
    clusters,
    deadlines,
    documents,
    history,
    instances,
    objections,
    outbox,
    role_assignments,
    score_adjustments,
    score_lines,
    units,
    users,
    vote_participation,
)
from workflow.domain.records import CampaignSummary
from workflow.domain.roles import INSPECTOR_ROLE, Actor, RoleGrant
from workflow.engine.instance import Instance
from workflow.services.ports import EngineTxQueries, MigrationScope, YearRepository

_I = instances.c
_D = deadlines.c


def cluster_campaigns(conn: Connection, cluster_ids: Sequence[int] | None = None,
                      campaign_ids: Sequence[int] | None = None) -> list[CampaignSummary]:
    """Campaigns of some clusters (or some campaigns by id), the newest year first."""
    stmt = (sa.select(_I.id, _I.cluster_id, clusters.c.name, _I.year, _I.state, _I.status,
                      _I.data)
            .join(clusters, clusters.c.id == _I.cluster_id)
            .where(_I.workflow == "campaign"))
    if cluster_ids is not None:
        stmt = stmt.where(_I.cluster_id.in_(sorted(set(cluster_ids))))
    if campaign_ids is not None:
        stmt = stmt.where(_I.id.in_(sorted(set(campaign_ids))))
    out = []
    for row in conn.execute(stmt.order_by(_I.year.desc(), _I.id.desc())):
        data = row.data or {}
        table = data.get("criteria_table")
        out.append(CampaignSummary(
            row.id, row.cluster_id, row.name, row.year or 0, row.state, row.status,
            str(data.get("kind") or "regular"), str(data.get("theme") or ""),
            str(table["code"]) if isinstance(table, dict) and table.get("code") else None))
    return out


class SqlYear(YearRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def cluster_campaigns(self, cluster_id: int) -> list[CampaignSummary]:
        return cluster_campaigns(self.conn, [cluster_id])

    def campaign(self, campaign_id: int) -> Any | None:
        return self.conn.execute(sa.select(instances).where(
            _I.id == campaign_id, _I.workflow == "campaign")).first()

    def final_lines(self, campaign_id: int
                    ) -> tuple[dict[int, dict[str, Any]], dict[int, int], set[int]]:
        sheet = instances.alias("sheet")
        sl = score_lines.c
        rows = self.conn.execute(
            sa.select(sl.unit_id, sl.group_code, sa.func.sum(sl.verified_points),
                      sa.func.sum(sa.case((sl.gap_flag, 1), else_=0)))
            .join(sheet, sheet.c.id == sl.sheet_id)
            .where(sl.campaign_id == campaign_id, sheet.c.state == "final")
            .group_by(sl.unit_id, sl.group_code)
        )
        groups: dict[int, dict[str, Any]] = defaultdict(dict)
        flags: dict[int, int] = defaultdict(int)
        for unit_id, group_code, points, gaps in rows:
            groups[unit_id][group_code] = Decimal(points or 0)
            flags[unit_id] += int(gaps or 0)
        return groups, flags, set(groups)

    def adjustment_counts(self, campaign_id: int) -> dict[int, dict[str, Any]]:
        a = score_adjustments.c
        rows = self.conn.execute(sa.select(a.unit_id, a.code, sa.func.count()).where(
            a.campaign_id == campaign_id).group_by(a.unit_id, a.code))
        counts: dict[int, dict[str, Any]] = defaultdict(dict)
        for unit_id, code, n in rows:
            counts[unit_id][code] = Decimal(n)
        return counts

    def unit_codes_and_names(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        return {r.id: (r.code, r.name) for r in self.conn.execute(sa.select(
            units.c.id, units.c.code, units.c.name).where(units.c.id.in_(list(ids) or [0])))}

    def unfinished_sheet_units(self, campaign_id: int) -> list[int | None]:
        return list(self.conn.execute(sa.select(_I.unit_id).where(
            _I.parent_id == campaign_id, _I.workflow == "score_sheet",
            _I.state != "final")).scalars().all())

    def members(self, cluster_id: int) -> Sequence[int]:
        cm = cluster_members
        return self.conn.execute(sa.select(cm.c.unit_id).where(cm.c.cluster_id == cluster_id)
                                 .order_by(cm.c.position)).scalars().all()

    def inspection_plans(self, code: str, year: int) -> list[dict[str, Any]]:
        previous = self.conn.execute(sa.select(clusters.c.id).where(
            clusters.c.code == code, clusters.c.year == year)).scalar()
        if previous is None:
            return []
        rows = self.conn.execute(sa.select(_I.data).where(
            _I.workflow == "inspection", _I.cluster_id == previous))
        return [data for (data,) in rows]

    def inspectors(self, cluster_id: int, year: int) -> list[tuple[int, str]]:
        insp = role_assignments.alias("insp")
        home = role_assignments.alias("home")
        rows = self.conn.execute(
            sa.select(home.c.unit_id, users.c.username)
            .join(home, home.c.user_id == insp.c.user_id)
            .join(users, users.c.id == insp.c.user_id)
            .where(insp.c.role == "inspector", insp.c.cluster_id == cluster_id,
                   sa.or_(insp.c.year.is_(None), insp.c.year == year),
                   home.c.unit_id.is_not(None),
                   sa.or_(home.c.year.is_(None), home.c.year == year))
            .distinct().order_by(home.c.unit_id, users.c.username)
        )
        return [(r[0], r[1]) for r in rows]

    def locked_votes_before(self, code: str, year: int) -> list[tuple[int, dict[str, Any]]]:
        earlier = sa.select(clusters.c.id).where(clusters.c.code == code,
                                                  clusters.c.year < year)
        rows = self.conn.execute(sa.select(_I.year, _I.data).where(
            _I.workflow == "vote_session", _I.state == "locked",
            _I.cluster_id.in_(earlier)))
        return [(r[0], r[1]) for r in rows]

    def voted(self, session_id: int, round_: int) -> list[str]:
        return list(self.conn.execute(sa.select(vote_participation.c.voter_key).where(
            vote_participation.c.session_id == session_id,
            vote_participation.c.round == round_,
        ).order_by(vote_participation.c.voter_key)).scalars().all())

    def open_votes(self) -> list[Instance]:
        return repo.instances_where(self.conn, _I.workflow == "vote_session",
                                    _I.status == "active", _I.state == "open")

    def people(self, *, units: Sequence[int] = (), roles: Sequence[str] = (),
               year: int | None = None, user_ids: Sequence[int] = ()
               ) -> list[tuple[int, str, str | None, str]]:
        u, ra = users.c, role_assignments.c
        chosen = []
        if units and roles:
            chosen.append(sa.select(ra.user_id).where(
                ra.role.in_(sorted(roles)), ra.unit_id.in_(sorted(set(units))),
                sa.or_(ra.year.is_(None), ra.year == year) if year is not None
                else sa.true()))
        if user_ids:
            chosen.append(sa.select(u.id).where(u.id.in_(sorted(set(user_ids)))))
        if not chosen:
            return []
        rows = self.conn.execute(sa.select(u.id, u.full_name, u.email, u.locale).where(
            u.active, u.id.in_(chosen[0] if len(chosen) == 1 else sa.union(*chosen)))
            .order_by(u.id)).all()
        return [(int(r.id), str(r.full_name), r.email, str(r.locale or "vi")) for r in rows]

    def latest_document(self, instance_id: int, kind: str) -> dict[str, Any] | None:
        row = self.conn.execute(sa.select(documents).where(
            documents.c.instance_id == instance_id, documents.c.kind == kind).order_by(
            documents.c.id.desc())).first()
        return None if row is None else dict(row._mapping)

    def add_objection(self, dossier_id: int, text: str, contact: str | None,
                      at: dt.datetime) -> int:
        return new_id(self.conn.execute(objections.insert().values(
            dossier_id=dossier_id, text=text, contact=contact, filed_at=at)))

    def objection(self, objection_id: int) -> tuple[int, dt.datetime | None] | None:
        row = self.conn.execute(sa.select(objections.c.dossier_id, objections.c.answered_at)
                                .where(objections.c.id == objection_id)).first()
        return None if row is None else (int(row.dossier_id), row.answered_at)

    def objection_row(self, objection_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(sa.select(objections).where(
            objections.c.id == objection_id)).first()
        return None if row is None else dict(row._mapping)

    def objections_of(self, dossier_ids: Sequence[int]) -> list[dict[str, Any]]:
        if not dossier_ids:
            return []
        return [dict(r._mapping) for r in self.conn.execute(sa.select(objections).where(
            objections.c.dossier_id.in_(sorted(set(dossier_ids)))).order_by(
            objections.c.dossier_id, objections.c.id))]

    def answer_objection(self, objection_id: int, answer: str, by: str,
                         at: dt.datetime) -> bool:
        found = self.conn.execute(objections.update().where(
            objections.c.id == objection_id, objections.c.answered_at.is_(None)).values(
            answer=answer, answered_by=by, answered_at=at))
        return bool(found.rowcount)

    def judge_objection(self, objection_id: int, admissible: bool, reason: str, by: str,
                        at: dt.datetime) -> bool:
        found = self.conn.execute(objections.update().where(
            objections.c.id == objection_id, objections.c.judged_at.is_(None)).values(
            admissible=admissible, reason=reason, judged_by=by, judged_at=at))
        return bool(found.rowcount)

    def role_holders(self, unit_id: int | None, cluster_id: int | None, year: int | None,
                     roles: Sequence[str]) -> list[tuple[int, str, str | None, str]]:
        rows = self.conn.execute(_recipients_query(set(roles)), {
            "b_unit": unit_id or -1, "b_cluster": cluster_id or -1,
            "b_year": year or -1}).all()
        return [(int(r[0]), str(r[1]), r[2], str(r[3] or "vi")) for r in rows]

    def add_message(self, values: Mapping[str, Any]) -> None:
        self.conn.execute(outbox.insert().values(**values))

    def public_dossiers(self, states: Sequence[str]) -> list[Any]:
        """The dossiers in the states with their unit's and cluster's names, when they were
        decided (the decide step) and their latest achievement report (name, upload time)."""
        h, d = history.c, documents.c
        decided = sa.select(h.instance_id, sa.func.max(h.at).label("decided_at")).where(
            h.trigger == "decide").group_by(h.instance_id).subquery()
        latest = sa.select(d.instance_id, sa.func.max(d.id).label("doc_id")).where(
            d.kind == "bao_cao_thanh_tich").group_by(d.instance_id).subquery()
        report = documents.alias("report")
        return list(self.conn.execute(sa.select(
            _I.id, _I.state, _I.data, _I.year, units.c.name,
            clusters.c.name.label("cluster_name"), decided.c.decided_at,
            report.c.filename.label("report_filename"),
            report.c.uploaded_at.label("report_uploaded_at")).join(
            units, units.c.id == _I.unit_id).outerjoin(
            clusters, clusters.c.id == _I.cluster_id).outerjoin(
            decided, decided.c.instance_id == _I.id).outerjoin(
            latest, latest.c.instance_id == _I.id).outerjoin(
            report, report.c.id == latest.c.doc_id).where(
            _I.workflow == "dossier", sa.or_(*(_I.state == s for s in states))).order_by(
            _I.id)).all())

    def running_elsewhere(self, workflow: str, statuses: Sequence[str],
                          definition_id: int, scope: MigrationScope | None = None
                          ) -> list[Instance]:
        where = [_I.workflow == workflow, _I.status.in_(tuple(statuses)),
                 _I.definition_id != definition_id]
        if scope is not None and scope.cluster_id is not None:
            where.append(_I.cluster_id == scope.cluster_id)
        if scope is not None and scope.year is not None:
            where.append(_I.year == scope.year)
        if scope is not None and scope.campaign_id is not None:
            # the campaign and every item under it, however deep (a vote's dossiers)
            tree = sa.select(_I.id).where(_I.id == scope.campaign_id).cte(
                "tree", recursive=True)
            child = instances.alias("child")
            tree = tree.union_all(sa.select(child.c.id).where(child.c.parent_id == tree.c.id))
            where.append(_I.id.in_(sa.select(tree.c.id)))
        return repo.instances_where(self.conn, *where)

    def waiting_statement(self, acting: Mapping[str, Mapping[int, Mapping[str, Any]]],
                          actor: Actor) -> object | None:
        own_units = {g.unit_id for g in actor.grants if g.unit_id is not None}
        team = _on_team(actor.username, self.conn.dialect.name)
        conditions = []
        for g in actor.grants:
            c = _grant_condition(g, acting[g.role], own_units) if g.role in acting else None
            if c is not None:
                # the cluster-wide inspector grant counts only on the inspections whose
                # planned team names the user
                conditions.append(sa.and_(c, team) if g.role == INSPECTOR_ROLE else c)
        if not conditions:
            return None
        # The earliest pending deadline of each listed item, looked up by the item (the
        # deadlines' instance index): a grouped table of every pending deadline would be built
        # again for each page, costing as much as the installation has pending deadlines.
        due = (sa.select(sa.func.min(_D.due_date))
               .where(_D.instance_id == _I.id, _D.status == "pending")
               .correlate(instances).scalar_subquery().label("due"))
        where = sa.and_(_I.status == "active", sa.or_(*conditions))
        return (sa.select(_I.id, _I.definition_id, _I.workflow, _I.state, _I.parent_id,
                          units.c.name, due, _I.unit_id, _I.cluster_id, _I.year,
                          sa.func.count().over().label("total"), _I.data,
                          clusters.c.name.label("cluster_name"))
                .outerjoin(units, units.c.id == _I.unit_id)
                .outerjoin(clusters, clusters.c.id == _I.cluster_id)
                .where(where)
                .order_by(due.asc().nulls_last(), _I.id)
                .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))

    def waiting(self, statement: object, limit: int, offset: int) -> list[Any]:
        stmt = cast(sa.Select[Any], statement)
        return list(self.conn.execute(stmt, {"limit": limit, "offset": offset}).all())


def _on_team(username: str, dialect: str) -> Any:
    """The item's planned inspection team names the user (data.plan.team)."""
    if dialect == "postgresql":
        names = sa.func.json_array_elements_text(
            sa.func.coalesce(_I.data[("plan", "team")], sa.text("'[]'::json"))
        ).table_valued("value")
    else:
        names = sa.func.json_each(_I.data, "$.plan.team").table_valued("value")
    return sa.exists(sa.select(sa.literal(1)).select_from(names).where(
        names.c.value == username))


def _grant_condition(
    grant: RoleGrant, by_definition: Mapping[int, Mapping[str, Any]], own_units: set[int],
) -> Any:
    scope = []
    if grant.unit_id is not None:
        scope.append(_I.unit_id == grant.unit_id)
    elif grant.cluster_id is not None:
        scope.append(_I.cluster_id == grant.cluster_id)
    if grant.year is not None:
        scope.append(_I.year == grant.year)
    states = []
    for definition_id, by_state in by_definition.items():
        for state, (not_own, _) in by_state.items():
            cond = sa.and_(_I.definition_id == definition_id, _I.state == state)
            if not_own and own_units:
                cond = sa.and_(cond, sa.or_(_I.unit_id.is_(None),
                                            sa.not_(_I.unit_id.in_(sorted(own_units)))))
            states.append(cond)
    if not states:
        return None
    return sa.and_(*scope, sa.or_(*states))


# --- inside the engine's transaction -----------------------------------------------------------

DUE_COLUMNS = (_D.id, _D.instance_id, _D.state, _D.kind, _D.due_date, _D.fire_at, _D.role,
               _D.trigger)
OUTBOX_COLUMNS = ("channel", "user_id", "address", "kind", "instance_id", "deadline_id",
                  "subject", "body", "link", "digest_date", "status", "attempts", "created_at")


class SqlEngineTxQueries(EngineTxQueries):
    """The year's statements on a transaction of the engine's Store, compiled once each in
    the Store's statement cache."""

    def __init__(self, tx: object) -> None:
        if not isinstance(tx, WriteTx):
            raise TypeError(f"a transaction of the engine's Store is needed, not {tx!r}")
        self.tx = tx

    def has_voted(self, session_id: int, round_: int, key: str) -> bool:
        tx = self.tx
        seen = tx.cache.get("voted", lambda: sa.select(vote_participation.c.voter_key).where(
            vote_participation.c.session_id == sa.bindparam("s"),
            vote_participation.c.round == sa.bindparam("r"),
            vote_participation.c.voter_key == sa.bindparam("k")))
        return tx.fetchone(seen, {"s": session_id, "r": round_, "k": key}) is not None

    def record_participation(self, session_id: int, round_: int, key: str, cast_by: str
                             ) -> None:
        tx = self.tx
        tx.execute(tx.cache.get("participate", vote_participation.insert,
                                ("session_id", "round", "voter_key", "cast_by")),
                   {"session_id": session_id, "round": round_, "voter_key": key,
                    "cast_by": cast_by})

    def record_ballot(self, session_id: int, round_: int, key: str, cast_by: str,
                      ballot_id: str, choices: Mapping[str, Any], named_voter: str | None
                      ) -> None:
        tx = self.tx
        tx.execute(tx.cache.get("participate", vote_participation.insert,
                                ("session_id", "round", "voter_key", "cast_by")),
                   {"session_id": session_id, "round": round_, "voter_key": key,
                    "cast_by": cast_by})
        tx.execute(tx.cache.get("ballot", ballots.insert,
                                ("id", "session_id", "round", "choices", "named_voter")),
                   {"id": ballot_id, "session_id": session_id, "round": round_,
                    "choices": choices, "named_voter": named_voter})

    def derived_deadlines(self, campaign_id: int, key: str
                          ) -> list[tuple[int, str, int, str]]:
        tx = self.tx
        select = tx.cache.get("derived_deadlines", lambda: sa.select(
            _D.id, _D.kind, _D.days_before, _D.anchor).where(
            _D.status == "pending", _D.anchor.like(sa.bindparam("anchor")),
            _D.instance_id.in_(sa.select(_I.id).where(sa.or_(
                _I.id == sa.bindparam("b_campaign"),
                _I.parent_id == sa.bindparam("b_campaign"))))))
        rows = tx.fetchall(select, {"anchor": f"campaign_date:{key}:%",
                                    "b_campaign": campaign_id})
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def move_deadline(self, values: Mapping[str, Any]) -> None:
        tx = self.tx
        update = tx.cache.get("move_deadline", lambda: deadlines.update().where(
            _D.id == sa.bindparam("b_id")).values(due_date=sa.bindparam("due_date"),
                                                  fire_at=sa.bindparam("fire_at")))
        tx.execute(update, values)

    def claim_due(self, now: dt.datetime, limit: int) -> list[tuple[Any, ...]]:
        tx = self.tx
        claim = tx.cache.get("claim_due", lambda: sa.select(*DUE_COLUMNS).where(
            _D.status == "pending", _D.fire_at <= sa.bindparam("now"),
        ).order_by(_D.fire_at, _D.id).limit(sa.bindparam("n")).with_for_update(
            skip_locked=True))
        return [tuple(r) for r in tx.fetchall(claim, {"now": now, "n": limit})]

    def mark_deadline(self, deadline_id: int, status: str, at: dt.datetime, late: bool,
                      note: str) -> None:
        tx = self.tx
        stmt = tx.cache.get("mark_deadline", lambda: deadlines.update().where(
            _D.id == sa.bindparam("b_id")).values(
            status=sa.bindparam("status"), done_at=sa.bindparam("at"),
            late=sa.bindparam("late"), note=sa.bindparam("note")))
        tx.execute(stmt, {"b_id": deadline_id, "status": status, "at": at, "late": late,
                          "note": note})

    def add_message(self, values: Mapping[str, Any]) -> None:
        tx = self.tx
        tx.execute(tx.cache.get("insert_outbox", outbox.insert, OUTBOX_COLUMNS), values)

    def unit_label(self, inst: Instance) -> str:
        tx = self.tx
        if inst.unit_id is not None:
            stmt = tx.cache.get("unit_name", lambda: sa.select(units.c.name).where(
                units.c.id == sa.bindparam("b_id")))
            found = tx.fetchone(stmt, {"b_id": inst.unit_id})
            if found:
                return str(found[0])
        if inst.cluster_id is not None:
            stmt = tx.cache.get("cluster_name", lambda: sa.select(clusters.c.name).where(
                clusters.c.id == sa.bindparam("b_id")))
            found = tx.fetchone(stmt, {"b_id": inst.cluster_id})
            if found:
                return str(found[0])
        return f"#{inst.id}"

    def recipients(self, inst: Instance, roles: set[str]) -> list[tuple[Any, ...]]:
        if not roles:
            return []
        tx = self.tx
        stmt = tx.cache.get(f"recipients:{','.join(sorted(roles))}",
                            lambda: _recipients_query(roles))
        rows = tx.fetchall(stmt, {"b_unit": inst.unit_id or -1,
                                  "b_cluster": inst.cluster_id or -1,
                                  "b_year": inst.year or -1})
        return [tuple(r) for r in rows]

    @contextmanager
    def savepoint(self, name: str) -> Iterator[None]:
        cursor = self.tx.cursor
        cursor.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {name}")
            raise
        cursor.execute(f"RELEASE SAVEPOINT {name}")


def _recipients_query(roles: set[str]) -> Any:
    ra, u = role_assignments.c, users.c
    scope = sa.or_(ra.unit_id == sa.bindparam("b_unit"),
                   ra.cluster_id == sa.bindparam("b_cluster"),
                   sa.and_(ra.unit_id.is_(None), ra.cluster_id.is_(None)))
    direct = sa.select(u.id, u.full_name, u.email, u.locale, u.digest).join(
        role_assignments, ra.user_id == u.id).where(
        u.active, sa.or_(*(ra.role == sa.literal(r) for r in sorted(roles))), scope,
        sa.or_(ra.year.is_(None), ra.year == sa.bindparam("b_year")))
    parts = [direct]
    for role, column in (("cluster_leader", clusters.c.leader_unit_id),
                         ("cluster_deputy", clusters.c.deputy_unit_id)):
        if role in roles:
            parts.append(sa.select(u.id, u.full_name, u.email, u.locale, u.digest)
                         .join(role_assignments, ra.user_id == u.id)
                         .join(clusters, sa.and_(column == ra.unit_id, sa.or_(
                             ra.year.is_(None), clusters.c.year == ra.year)))
                         .where(u.active, ra.role == "unit_head",
                                clusters.c.id == sa.bindparam("b_cluster")))
    union = sa.union(*parts).subquery()
    return sa.select(*union.c).order_by(union.c.id)
