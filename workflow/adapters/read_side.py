"""The read side in SQL: the pages' questions (workflow/services/read_side.py) answered with
SQLAlchemy Core, each in one read transaction, as plain records (workflow/domain/records.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workflow.adapters.db import folded, read_connection
from workflow.adapters.sql_year import cluster_campaigns
from workflow.adapters.tables import (
    CRITERIA_DRAFT,
    cluster_members,
    clusters,
    definition_drafts,
    definitions,
    documents,
    instances,
    role_assignments,
    score_adjustments,
    score_lines,
    units,
    users,
)
from workflow.domain.exemplary import PublicModel
from workflow.domain.overview import (
    APPRAISAL_STATES,
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


def _ids(ids: Iterable[int]) -> list[int]:
    return sorted({int(i) for i in ids})


def _utc(row: Sequence[Any], at: int) -> list[Any]:
    """The row's values with the time at index `at` in UTC with its zone (SQLite gives the
    stored UTC time back without it), so records read alike from either database."""
    values = list(row)
    moment: dt.datetime = values[at]
    values[at] = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return values


class SqlReadSide:
    """The read side over an engine (a structural implementation of services' ReadSide)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- the cluster year and items --------------------------------------------------------

    def documents(self, instance_id: int, kind: str | None = None) -> list[DocumentInfo]:
        d = documents.c
        stmt = sa.select(d.id, d.kind, d.ref, d.filename, d.content_type, d.size,
                         d.storage_key, d.uploaded_by, d.uploaded_at
                         ).where(d.instance_id == instance_id)
        if kind is not None:
            stmt = stmt.where(d.kind == kind)
        with read_connection(self.engine) as conn:
            return [DocumentInfo(*_utc(row, 8)) for row in conn.execute(stmt.order_by(d.id))]

    def cluster_units(self, cluster_id: int) -> list[UnitSummary]:
        cm, u = cluster_members.c, units.c
        with read_connection(self.engine) as conn:
            rows = conn.execute(
                sa.select(u.id, u.code, u.name, u.parent_id)
                .join(cluster_members, cm.unit_id == u.id)
                .where(cm.cluster_id == cluster_id).order_by(cm.position, u.id))
            return [UnitSummary(*row) for row in rows]

    def unit_names(self, unit_ids: Iterable[int]) -> dict[int, str]:
        wanted = _ids(unit_ids)
        if not wanted:
            return {}
        with read_connection(self.engine) as conn:
            return {row.id: row.name for row in conn.execute(
                sa.select(units.c.id, units.c.name).where(units.c.id.in_(wanted)))}

    def cluster_names(self, cluster_ids: Iterable[int]) -> dict[int, str]:
        wanted = _ids(cluster_ids)
        if not wanted:
            return {}
        with read_connection(self.engine) as conn:
            return {row.id: row.name for row in conn.execute(
                sa.select(clusters.c.id, clusters.c.name).where(clusters.c.id.in_(wanted)))}

    def full_names(self, usernames: Iterable[str]) -> dict[str, str]:
        wanted = sorted({str(u) for u in usernames})
        if not wanted:
            return {}
        with read_connection(self.engine) as conn:
            return {row.username: row.full_name for row in conn.execute(
                sa.select(users.c.username, users.c.full_name).where(
                    users.c.username.in_(wanted)))}

    def user_names(self, user_ids: Iterable[int]) -> dict[int, str]:
        wanted = _ids(user_ids)
        if not wanted:
            return {}
        with read_connection(self.engine) as conn:
            return {row.id: row.full_name for row in conn.execute(
                sa.select(users.c.id, users.c.full_name).where(users.c.id.in_(wanted)))}

    def cluster_people(self, cluster_id: int, year: int | None) -> list[tuple[int, str, str]]:
        ra, u, cm, un = role_assignments.c, users.c, cluster_members.c, units.c
        with read_connection(self.engine) as conn:
            rows = conn.execute(
                sa.select(u.id, u.full_name, un.name, cm.position).distinct()
                .join(role_assignments, ra.user_id == u.id)
                .join(cluster_members, cm.unit_id == ra.unit_id)
                .join(units, un.id == ra.unit_id)
                .where(u.active, cm.cluster_id == cluster_id,
                       sa.or_(ra.year.is_(None), ra.year == (year or -1)))
                .order_by(cm.position, un.name, u.full_name, u.id)).all()
        seen: set[int] = set()
        out = []
        for user_id, full_name, unit_name, _position in rows:
            if user_id not in seen:
                seen.add(user_id)
                out.append((int(user_id), str(full_name), str(unit_name)))
        return out

    def council_people(self, year: int) -> list[tuple[int, str, str]]:
        ra, u = role_assignments.c, users.c
        with read_connection(self.engine) as conn:
            rows = conn.execute(sa.select(u.id, u.full_name, ra.role).distinct()
                                .join(role_assignments, ra.user_id == u.id)
                                .where(u.active, ra.role.in_(("council_member", "council_chair")),
                                       sa.or_(ra.year.is_(None), ra.year == year))
                                .order_by(u.full_name, u.id, ra.role)).all()
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def supervisors(self, year: int) -> list[tuple[int, int, str, int]]:
        ra, u = role_assignments.c, users.c
        with read_connection(self.engine) as conn:
            rows = conn.execute(sa.select(ra.id, u.id, u.full_name, ra.cluster_id)
                                .join(role_assignments, ra.user_id == u.id)
                                .where(ra.role == "cluster_supervisor", ra.year == year,
                                       ra.cluster_id.is_not(None))
                                .order_by(u.full_name, u.id, ra.cluster_id)).all()
        return [(int(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]

    def items_of_year(self, workflow: str, year: int, states: Iterable[str], *,
                      finished: bool = False) -> list[int]:
        i = instances.c
        live = sa.true() if finished else i.status == "active"
        with read_connection(self.engine) as conn:
            return [int(r[0]) for r in conn.execute(
                sa.select(i.id).where(i.workflow == workflow, i.year == year, live,
                                      i.state.in_(sorted(set(states))))
                .order_by(i.id))]

    def item_unit_names(self, item_ids: Iterable[int]) -> dict[int, str]:
        wanted = _ids(item_ids)
        if not wanted:
            return {}
        with read_connection(self.engine) as conn:
            return {row.id: row.name for row in conn.execute(
                sa.select(instances.c.id, units.c.name)
                .join(units, units.c.id == instances.c.unit_id)
                .where(instances.c.id.in_(wanted)))}

    def signed_targets(self, unit_id: int, year: int) -> dict[str, str] | None:
        i = instances.c
        with read_connection(self.engine) as conn:
            data = conn.execute(
                sa.select(i.data).where(i.workflow == "pledge", i.unit_id == unit_id,
                                        i.year == year, i.state.in_(("signed", "amending")))
                .order_by(i.id.desc()).limit(1)).scalar()
        targets = data.get("targets") if isinstance(data, dict) else None
        if not isinstance(targets, dict):
            return None
        return {str(k): str(v) for k, v in targets.items()}

    # --- people and organisation --------------------------------------------------------------

    def username(self, user_id: int) -> str | None:
        with read_connection(self.engine) as conn:
            found: str | None = conn.execute(
                sa.select(users.c.username).where(users.c.id == user_id)).scalar()
        return found

    def users_page(self, number: int, size: int, *, query: str = "",
                   unit_id: int | None = None, role: str | None = None,
                   active: bool | None = None) -> UserPage:
        u, ra = users.c, role_assignments.c
        where: list[Any] = []
        wanted = query.strip().casefold()
        if unit_id is not None:
            where.append(sa.or_(u.unit_id == unit_id, sa.exists().where(
                ra.user_id == u.id, ra.unit_id == unit_id)))
        if role:
            where.append(sa.exists().where(ra.user_id == u.id, ra.role == role))
        if active is not None:
            where.append(u.active.is_(sa.true()) if active else u.active.is_(sa.false()))
        with read_connection(self.engine) as conn:
            if wanted:
                where.append(sa.or_(
                    folded(conn, u.username).contains(wanted, autoescape=True),
                    folded(conn, u.full_name).contains(wanted, autoescape=True)))
            total = int(conn.execute(sa.select(sa.func.count()).select_from(users)
                                     .where(*where)).scalar() or 0)
            pages = max(1, -(-total // size))
            number = min(max(1, number), pages)
            found = _user_summaries(conn, where, size, (number - 1) * size)
        return UserPage(number, pages, found, total)

    def user(self, user_id: int) -> UserSummary | None:
        with read_connection(self.engine) as conn:
            found = _user_summaries(conn, [users.c.id == user_id], 1, 0)
        return found[0] if found else None

    def units(self) -> list[UnitSummary]:
        u = units.c
        with read_connection(self.engine) as conn:
            rows = conn.execute(sa.select(u.id, u.code, u.name, u.parent_id, u.kind)
                                .order_by(u.code))
            return [UnitSummary(*row) for row in rows]

    def cluster_campaigns(self, cluster_id: int) -> list[CampaignSummary]:
        with read_connection(self.engine) as conn:
            return cluster_campaigns(conn, [cluster_id])

    def campaigns(self, campaign_ids: Iterable[int]) -> dict[int, CampaignSummary]:
        wanted = _ids(campaign_ids)
        if not wanted:
            return {}
        with read_connection(self.engine) as conn:
            return {c.id: c for c in cluster_campaigns(conn, campaign_ids=wanted)}

    def clusters(self) -> list[ClusterSummary]:
        c, cm = clusters.c, cluster_members.c
        with read_connection(self.engine) as conn:
            rows = conn.execute(sa.select(c.id, c.code, c.name, c.kind, c.year, c.council,
                                          c.leader_unit_id, c.deputy_unit_id)
                                .order_by(c.year.desc(), c.code)).all()
            members: dict[int, list[int]] = {}
            for cluster_id, unit_id in conn.execute(
                    sa.select(cm.cluster_id, cm.unit_id).order_by(cm.position, cm.unit_id)):
                members.setdefault(cluster_id, []).append(unit_id)
        return [ClusterSummary(*row, member_ids=tuple(members.get(row.id, ())))
                for row in rows]

    # --- workflow definitions -------------------------------------------------------------

    def published_definitions(self) -> list[DefinitionVersion]:
        d = definitions.c
        with read_connection(self.engine) as conn:
            rows = conn.execute(sa.select(d.id, d.name, d.version, d.source_path, d.created_at,
                                          d.created_by).order_by(d.name, d.version))
            return [DefinitionVersion(*_utc(row, 4)) for row in rows]

    def latest_definition(self, name: str) -> PublishedDefinition | None:
        d = definitions.c
        with read_connection(self.engine) as conn:
            row = conn.execute(sa.select(d.id, d.name, d.version, d.source_path, d.created_at,
                                         d.created_by, d.source_text)
                               .where(d.name == name).order_by(d.version.desc()).limit(1)
                               ).first()
        return PublishedDefinition(*_utc(row, 4)) if row else None

    def drafts(self) -> list[DraftSummary]:
        dd = definition_drafts.c
        with read_connection(self.engine) as conn:
            rows = conn.execute(sa.select(dd.name, dd.saved_by, dd.saved_at)
                                .where(~dd.name.startswith(CRITERIA_DRAFT)).order_by(dd.name))
            return [DraftSummary(*_utc(row, 2)) for row in rows]

    def draft(self, name: str) -> Draft | None:
        dd = definition_drafts.c
        with read_connection(self.engine) as conn:
            row = conn.execute(sa.select(dd.name, dd.saved_by, dd.saved_at, dd.source_text)
                                    .where(dd.name == name)).first()
        return Draft(*_utc(row, 2)) if row else None

    # --- the council office's overview of a year, and the years on record -------------------

    def campaign_years(self) -> list[int]:
        i = instances.c
        with read_connection(self.engine) as conn:
            return [int(y) for y in conn.execute(
                sa.select(i.year).where(i.workflow == "campaign", i.year.is_not(None))
                .distinct().order_by(i.year.desc())).scalars()]

    def year_campaigns(self, year: int) -> list[YearCampaign]:
        i, c, cm = instances.c, clusters.c, cluster_members.c
        members = (sa.select(cm.cluster_id, sa.func.count().label("n"))
                   .group_by(cm.cluster_id).subquery())
        stmt = (sa.select(i.id, i.cluster_id, c.code, c.name, c.kind, i.year, i.state, i.status,
                          i.definition_id, i.data, c.leader_unit_id,
                          sa.func.coalesce(members.c.n, 0))
                .join(clusters, c.id == i.cluster_id)
                .outerjoin(members, members.c.cluster_id == i.cluster_id)
                .where(i.workflow == "campaign", i.year == year)
                .order_by(c.code, i.id))
        out = []
        with read_connection(self.engine) as conn:
            for row in conn.execute(stmt):
                data = row.data if isinstance(row.data, dict) else {}
                dates = data.get("dates") if isinstance(data.get("dates"), dict) else {}
                out.append(YearCampaign(
                    row[0], row[1], row[2], row[3], row[4], int(row[5] or year), row[6], row[7],
                    row[8], str(data.get("theme") or ""),
                    {str(k): str(v) for k, v in (dates or {}).items()}, row[10], int(row[11])))
        return out

    def _year_campaign_ids(self, year: int) -> Any:
        i = instances.c
        return sa.select(i.id).where(i.workflow == "campaign", i.year == year)

    def year_items(self, year: int) -> list[YearItem]:
        i = instances.c
        stmt = (sa.select(i.id, i.workflow, i.state, i.definition_id, i.unit_id, i.parent_id,
                          i.cluster_id, i.data["period"].as_string())
                .where(i.workflow.in_(("pledge", "report", "inspection", "score_sheet")),
                       i.parent_id.in_(self._year_campaign_ids(year)))
                .order_by(i.id))
        with read_connection(self.engine) as conn:
            return [YearItem(row[0], row[1], row[2], row[3], row[4], row[5], row[6] or 0,
                             row[7]) for row in conn.execute(stmt)]

    def late_reports(self, year: int) -> dict[int, str]:
        a = score_adjustments.c
        stmt = (sa.select(a.source, a.reason)
                .where(a.code == "late_report", a.source.like("report:%"),
                       a.campaign_id.in_(self._year_campaign_ids(year))))
        out: dict[int, str] = {}
        with read_connection(self.engine) as conn:
            for source, reason in conn.execute(stmt):
                ref = str(source).partition(":")[2]
                if ref.isdigit():
                    out[int(ref)] = str(reason)
        return out

    def year_gaps(self, year: int) -> list[GapLine]:
        sl = score_lines.c
        sheet = instances.alias("sheet")
        diff = sa.func.abs(sa.func.coalesce(sl.self_points, 0)
                           - sa.func.coalesce(sl.inspection_points, 0))
        stmt = (sa.select(sl.sheet_id, sl.campaign_id, sheet.c.cluster_id, sl.unit_id,
                          sa.func.count(), sa.func.max(diff))
                .join(sheet, sheet.c.id == sl.sheet_id)
                .where(sl.gap_flag.is_(True),
                       sl.campaign_id.in_(self._year_campaign_ids(year)))
                .group_by(sl.sheet_id, sl.campaign_id, sheet.c.cluster_id, sl.unit_id)
                .order_by(sa.func.count().desc(), sl.sheet_id))
        with read_connection(self.engine) as conn:
            return [GapLine(row[0], row[1], row[2] or 0, row[3], int(row[4]),
                            Decimal(str(row[5] or 0))) for row in conn.execute(stmt)]

    def year_votes(self, year: int) -> list[YearVote]:
        i = instances.c
        with read_connection(self.engine) as conn:
            rows = conn.execute(
                sa.select(i.id, i.parent_id, i.cluster_id, i.year, i.state, i.status,
                          i.definition_id, i.data)
                .where(i.workflow == "vote_session", i.year == year,
                       i.cluster_id.is_not(None)).order_by(i.id)).all()
        return [v for v in map(_vote, rows) if v is not None]

    def year_dossiers(self, year: int) -> list[YearDossier]:
        i = instances.c
        with read_connection(self.engine) as conn:
            rows = conn.execute(
                sa.select(i.id, i.unit_id, i.cluster_id, i.state, i.definition_id, i.data,
                          i.entered_at)
                .where(i.workflow == "dossier", i.year == year,
                       i.state.in_(sorted(APPRAISAL_STATES)))
                .order_by(i.id)).all()
        out = []
        for row in rows:
            data = row.data if isinstance(row.data, dict) else {}
            due = data.get("appraisal_due") if row.state == "appraising" else None
            out.append(YearDossier(
                row.id, row.unit_id, row.cluster_id, row.state, row.definition_id,
                str(data.get("title") or ""), int(data.get("appraisal_days_used") or 0),
                _day(due), _utc([row.entered_at], 0)[0]))
        return out

    def cluster_history(self, code: str | None = None
                        ) -> tuple[list[ClusterYear], list[YearVote]]:
        c, i = clusters.c, instances.c
        chosen = sa.select(c.id, c.code, c.name, c.kind, c.year, c.leader_unit_id,
                           c.deputy_unit_id)
        if code is not None:
            chosen = chosen.where(c.code == code)
        with read_connection(self.engine) as conn:
            years = [ClusterYear(*row) for row in conn.execute(chosen.order_by(c.code, c.year))]
            ids = [y.cluster_id for y in years]
            rows = conn.execute(
                sa.select(i.id, i.parent_id, i.cluster_id, i.year, i.state, i.status,
                          i.definition_id, i.data)
                .where(i.workflow == "vote_session",
                       i.state.in_(("tallied", "minuted", "locked")),
                       i.cluster_id.in_(ids or [0])).order_by(i.id)).all() if ids else []
        return years, [v for v in map(_vote, rows) if v is not None]

    def public_models(self, states: Iterable[str], adopted: Iterable[str]
                      ) -> list[PublicModel]:
        i, adoption = instances.c, instances.alias("adoption")
        with read_connection(self.engine) as conn:
            rows = conn.execute(
                sa.select(i.id, i.year, units.c.name, clusters.c.name, i.data)
                .join(units, units.c.id == i.unit_id)
                .outerjoin(clusters, clusters.c.id == i.cluster_id)
                .where(i.workflow == "exemplary_model", i.state.in_(sorted(set(states))))
                .order_by(i.year.desc(), i.id.desc())).all()
            ids = [r[0] for r in rows]
            taken: dict[int, list[str]] = {}
            for parent, name in conn.execute(
                    sa.select(adoption.c.parent_id, units.c.name)
                    .join(units, units.c.id == adoption.c.unit_id)
                    .where(adoption.c.workflow == "model_adoption",
                           adoption.c.parent_id.in_(ids or [0]),
                           adoption.c.state.in_(sorted(set(adopted))))
                    .order_by(adoption.c.id)) if ids else ():
                taken.setdefault(int(parent), []).append(str(name))
        return [PublicModel(int(r[0]), r[1], str(r[2]), str(r[3] or ""), dict(r[4] or {}),
                            tuple(taken.get(int(r[0]), ()))) for r in rows]


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _vote(row: Sequence[Any]) -> YearVote | None:
    """A cluster's vote session from its row (None for a council's session)."""
    data = row[7] if isinstance(row[7], dict) else {}
    if data.get("kind", "cluster") != "cluster":
        return None
    winners = data.get("winners") if isinstance(data.get("winners"), dict) else {}
    ranks = data.get("ranks") if isinstance(data.get("ranks"), dict) else {}
    leader = data.get("leader_unit_id")
    return YearVote(
        row[0], data.get("campaign_id") or row[1], row[2], int(row[3] or 0), row[4], row[5],
        row[6], {str(t): [int(u) for u in us] for t, us in (winners or {}).items()},
        {int(u): int(r) for u, r in (ranks or {}).items()},
        int(leader) if leader is not None else None)


def _user_summaries(conn: Any, where: list[Any], limit: int, offset: int
                    ) -> tuple[UserSummary, ...]:
    """Accounts by username with their unit and every grant (named, in the order given)."""
    u, ra = users.c, role_assignments.c
    rows = conn.execute(sa.select(u.id, u.username, u.full_name, u.email, u.active, u.unit_id,
                                  units.c.code, units.c.name)
                        .outerjoin(units, units.c.id == u.unit_id).where(*where)
                        .order_by(u.username).limit(limit).offset(offset)).all()
    grants: dict[int, list[GrantSummary]] = {row.id: [] for row in rows}
    unit_of, cluster_of = units.alias("gu"), clusters.alias("gc")
    for g in conn.execute(
        sa.select(ra.user_id, ra.role, ra.year, unit_of.c.code, cluster_of.c.code,
                  cluster_of.c.year, ra.id, unit_of.c.name, cluster_of.c.name, ra.criteria)
        .outerjoin(unit_of, unit_of.c.id == ra.unit_id)
        .outerjoin(cluster_of, cluster_of.c.id == ra.cluster_id)
        .where(ra.user_id.in_(list(grants))).order_by(ra.id)):
        grants[g[0]].append(GrantSummary(
            g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8],
            criteria=tuple(c for c in (g[9] or "").split(",") if c)))
    return tuple(UserSummary(
        row.id, row.username, row.full_name, row.email, bool(row.active),
        tuple(grants[row.id]), row.unit_id,
        f"{row.code} – {row.name}" if row.code is not None else None) for row in rows)
