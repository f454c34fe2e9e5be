"""The SQLAlchemy unit of work: one Connection in one transaction, with the repositories of
workflow/services/ports.py bound to it. Built by the composition root (bootstrap.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workflow.adapters import limit_store
from workflow.adapters import repository as repo
from workflow.adapters.db import is_sqlite, new_id
from workflow.adapters.reseal import reseal_all
from workflow.adapters.sql_directory import SqlDirectory
from workflow.adapters.sql_people import SqlOrganisations, SqlUsers
from workflow.adapters.sql_year import SqlEngineTxQueries, SqlYear
from workflow.adapters.tables import (
    CRITERIA_DRAFT,
    admin_changes,
    api_idempotency,
    api_tokens,
    criteria_tables,
    definition_drafts,
    instances,
    leases,
    outbox,
    users,
)
from workflow.engine.hashing import HistoryChain
from workflow.services.ports import (
    AdminChangeRepository,
    Counter,
    CriteriaRepository,
    DefinitionRepository,
    EngineTxQueries,
    HistoryRepository,
    IdempotencyRepository,
    LeaseRepository,
    LimitRepository,
    OutboxRepository,
    Row,
    SchemaRepository,
    TokenRepository,
    UnitOfWork,
)


class SqlUnitOfWork(UnitOfWork):
    """A unit of work on an Engine: a write transaction takes SQLite's write lock at BEGIN
    (BEGIN IMMEDIATE), a read-only one does not."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self._conn: Connection | None = None

    def _begin(self, readonly: bool) -> None:
        conn = self.engine.connect()
        try:
            if not readonly and is_sqlite(self.engine):
                conn = conn.execution_options(sqlite_immediate=True)
            conn.begin()
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self.users = SqlUsers(conn)
        self.organisations = SqlOrganisations(conn)
        self.directory = SqlDirectory(conn)
        self.tokens = SqlTokens(conn)
        self.idempotency = SqlIdempotency(conn)
        self.changes = SqlAdminChanges(conn)
        self.limits = SqlLimits(conn)
        self.outbox = SqlOutbox(conn)
        self.definitions = SqlDefinitions(conn)
        self.criteria = SqlCriteria(conn)
        self.history = SqlHistory(conn)
        self.leases = SqlLeases(conn)
        self.year = SqlYear(conn)
        self.schema = SqlSchema(conn)

    def _end(self, commit: bool) -> None:
        conn, self._conn = self._conn, None
        assert conn is not None
        try:
            if commit:
                conn.commit()
            else:
                conn.rollback()
        finally:
            conn.close()

    def in_engine_tx(self, tx: object) -> EngineTxQueries:
        return SqlEngineTxQueries(tx)


class SqlIdempotency(IdempotencyRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def find(self, user_id: int, key: str) -> Row | None:
        t = api_idempotency.c
        row = self.conn.execute(sa.select(t.id, t.fingerprint, t.status, t.body).where(
            t.user_id == user_id, t.key == key)).mappings().first()
        return None if row is None else dict(row)

    def reserve(self, user_id: int, key: str, fingerprint: str, at: dt.datetime) -> int | None:
        try:
            with self.conn.begin_nested():
                done = self.conn.execute(api_idempotency.insert().values(
                    user_id=user_id, key=key, fingerprint=fingerprint, created_at=at))
        except sa.exc.IntegrityError:
            return None
        primary = done.inserted_primary_key
        assert primary is not None
        return int(primary[0])

    def complete(self, record_id: int, status: int, body: str) -> None:
        self.conn.execute(api_idempotency.update().where(
            api_idempotency.c.id == record_id).values(status=status, body=body))

    def release(self, record_id: int) -> None:
        self.conn.execute(api_idempotency.delete().where(api_idempotency.c.id == record_id))

    def prune(self, before: dt.datetime) -> int:
        done = self.conn.execute(api_idempotency.delete().where(
            api_idempotency.c.created_at < before))
        return int(done.rowcount or 0)


class SqlTokens(TokenRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, user_id: int, name: str, token_hash: str, at: dt.datetime,
            expires_at: dt.datetime | None = None) -> int:
        return new_id(self.conn.execute(api_tokens.insert().values(
            user_id=user_id, name=name, token_hash=token_hash, created_at=at,
            expires_at=expires_at)))

    def live(self, token_hash: str, now: dt.datetime
             ) -> tuple[int, int, dt.datetime | None] | None:
        t = api_tokens.c
        row = self.conn.execute(sa.select(t.id, t.user_id, t.last_used_at).where(
            t.token_hash == token_hash, t.revoked_at.is_(None),
            sa.or_(t.expires_at.is_(None), t.expires_at > now))).first()
        return None if row is None else (int(row.id), int(row.user_id), row.last_used_at)

    def touch(self, token_id: int, at: dt.datetime) -> None:
        self.conn.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(
            last_used_at=at))

    def revoked_at(self, token_id: int) -> tuple[bool, dt.datetime | None]:
        found = self.conn.execute(sa.select(api_tokens.c.revoked_at).where(
            api_tokens.c.id == token_id)).first()
        return (False, None) if found is None else (True, found.revoked_at)

    def revoke(self, token_id: int, at: dt.datetime) -> None:
        self.conn.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(
            revoked_at=at))

    _LISTED = (api_tokens.c.id, api_tokens.c.user_id, api_tokens.c.name,
               api_tokens.c.created_at, api_tokens.c.last_used_at, api_tokens.c.revoked_at,
               api_tokens.c.expires_at)

    def of_user(self, user_id: int) -> list[Row]:
        t = api_tokens.c
        rows = self.conn.execute(sa.select(*self._LISTED).where(t.user_id == user_id)
                                 .order_by(t.id))
        return [dict(r._mapping) for r in rows]

    def get(self, token_id: int) -> Row | None:
        row = self.conn.execute(sa.select(*self._LISTED).where(
            api_tokens.c.id == token_id)).first()
        return None if row is None else dict(row._mapping)

    def every(self) -> list[Row]:
        rows = self.conn.execute(sa.select(*self._LISTED, users.c.username)
                                 .join(users, users.c.id == api_tokens.c.user_id)
                                 .order_by(api_tokens.c.id))
        return [dict(r._mapping) for r in rows]


class SqlAdminChanges(AdminChangeRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, values: Mapping[str, Any]) -> None:
        row = dict(values)
        if row.get("at") is None:
            row["at"] = sa.func.current_timestamp()
        self.conn.execute(admin_changes.insert().values(**row))

    def page(self, user_id: int | None, limit: int, offset: int) -> tuple[int, list[Row]]:
        c = admin_changes.c
        who, whom = users.alias("who"), users.alias("whom")
        where = [] if user_id is None else [c.user_id == user_id]
        total = int(self.conn.execute(sa.select(sa.func.count()).select_from(admin_changes)
                                      .where(*where)).scalar() or 0)
        rows = self.conn.execute(
            sa.select(c.id, c.at, c.actor, c.action, c.subject, c.subject_id, c.user_id,
                      c.before, c.after, who.c.full_name.label("actor_name"),
                      whom.c.full_name.label("user_name"),
                      whom.c.username.label("user_username"))
            .outerjoin(who, who.c.id == c.actor_id).outerjoin(whom, whom.c.id == c.user_id)
            .where(*where).order_by(c.id.desc()).limit(limit).offset(offset))
        return total, [dict(r._mapping) for r in rows]


class SqlLimits(LimitRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def lock_counters(self, keys: Sequence[str], reset_at: dt.datetime) -> dict[str, Counter]:
        return limit_store.lock_counters(self.conn, keys, reset_at)

    def save(self, counter: Counter) -> None:
        limit_store.save_counter(self.conn, counter)

    def take_back(self, key: str) -> None:
        limit_store.take_back(self.conn, key)

    def delete(self, key: str) -> None:
        limit_store.delete(self.conn, key)

    def prune(self, now: dt.datetime) -> int:
        return limit_store.prune(self.conn, now)

    def counter(self, key: str) -> Counter | None:
        return limit_store.counter(self.conn, key)


_O = outbox.c


def _due(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        _O.channel == "email", _O.status == "pending",
        sa.or_(_O.next_attempt_at.is_(None), _O.next_attempt_at <= now),
    )


class SqlOutbox(OutboxRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def in_app(self, user_id: int, *, unread_only: bool, limit: int, offset: int
               ) -> list[Row]:
        stmt = sa.select(_O.id, _O.kind, _O.subject, _O.body, _O.link, _O.instance_id,
                         _O.created_at, _O.read_at).where(
            _O.user_id == user_id, _O.channel == "in_app")
        if unread_only:
            stmt = stmt.where(_O.read_at.is_(None))
        stmt = stmt.order_by(_O.created_at.desc(), _O.id.desc()).limit(limit).offset(offset)
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def unread_count(self, user_id: int) -> int:
        return int(self.conn.execute(sa.select(sa.func.count()).where(
            _O.user_id == user_id, _O.channel == "in_app", _O.read_at.is_(None))).scalar() or 0)

    def mark_read(self, user_id: int, ids: Sequence[int], at: dt.datetime) -> int:
        return self.conn.execute(outbox.update().where(
            _O.user_id == user_id, _O.channel == "in_app", _O.id.in_(list(ids)),
            _O.read_at.is_(None)).values(read_at=at, status="read")).rowcount

    def digest_groups(self, now: dt.datetime, last_day: dt.date, limit: int
                      ) -> list[tuple[int, dt.date]]:
        rows = self.conn.execute(
            sa.select(_O.user_id, _O.digest_date).distinct()
            .where(_due(now), _O.digest_date <= last_day)
            .order_by(_O.digest_date, _O.user_id).limit(limit)
        ).all()
        return [(r[0], r[1]) for r in rows]

    def claim_emails(self, now: dt.datetime, *, digest: tuple[int, dt.date] | None,
                     limit: int | None) -> tuple[Any, ...]:
        if digest is None:
            where = _due(now) & _O.digest_date.is_(None)
        else:
            where = _due(now) & (_O.user_id == digest[0]) & (_O.digest_date == digest[1])
        query = (sa.select(_O.id, _O.user_id, _O.address, _O.subject, _O.body, _O.link,
                           _O.attempts)
                 .where(where).order_by(_O.id).limit(limit).with_for_update(skip_locked=True))
        return tuple(self.conn.execute(query).all())

    def count_attempt(self, ids: Sequence[int], next_attempt_at: dt.datetime) -> None:
        self.conn.execute(outbox.update().where(_O.id.in_(list(ids))).values(
            attempts=_O.attempts + 1, next_attempt_at=next_attempt_at))

    def mark(self, ids: Sequence[int], *, only_pending: bool = False, **values: Any) -> None:
        stmt = outbox.update().where(_O.id.in_(list(ids))).values(**values)
        if only_pending:
            stmt = stmt.where(_O.status == "pending")
        self.conn.execute(stmt)

    def contact(self, user_id: int) -> tuple[str | None, str | None, str]:
        user = self.conn.execute(sa.select(users.c.email, users.c.locale, users.c.full_name)
                                 .where(users.c.id == user_id)).one()
        return user.email, user.locale, str(user.full_name)

    def failures(self) -> list[Row]:
        query = (
            sa.select(_O.id, _O.user_id, users.c.username, users.c.full_name, _O.address,
                      _O.subject, _O.status, _O.attempts, _O.last_error, _O.next_attempt_at,
                      _O.digest_date)
            .join(users, users.c.id == _O.user_id)
            .where(_O.channel == "email", sa.or_(
                _O.status == "failed", sa.and_(_O.status == "pending", _O.attempts > 0)))
            .order_by(_O.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]


class SqlDefinitions(DefinitionRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def rows(self, name: str | None = None) -> list[dict[str, Any]]:
        return repo.definition_rows(self.conn, name)

    def row(self, definition_id: int) -> dict[str, Any] | None:
        return repo.definition_row(self.conn, definition_id)

    def revision(self) -> int:
        return repo.definition_revision(self.conn)

    def add(self, **values: Any) -> int:
        return repo.insert_definition(self.conn, **values)

    def replace_draft(self, name: str, text: str, saved_by: str, saved_at: dt.datetime) -> None:
        repo.replace_draft(self.conn, name, text, saved_by, saved_at)

    def delete_draft(self, name: str) -> None:
        repo.delete_draft(self.conn, name)


class SqlCriteria(CriteriaRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def versions(self, code: str) -> list[dict[str, Any]]:
        c = criteria_tables.c
        return [dict(r._mapping) for r in self.conn.execute(
            sa.select(c.version, c.content_hash).where(c.code == code).order_by(c.version))]

    def add(self, **values: Any) -> None:
        self.conn.execute(criteria_tables.insert().values(**values))

    def find(self, code: str, version: int | None) -> Row | None:
        c = criteria_tables.c
        stmt = sa.select(c.version, c.source_text, c.source_path).where(c.code == code)
        stmt = stmt.where(c.version == version) if version is not None else \
            stmt.order_by(c.version.desc()).limit(1)
        row = self.conn.execute(stmt).first()
        return None if row is None else dict(row._mapping)

    def codes(self) -> list[str]:
        return sorted(set(self.conn.execute(sa.select(criteria_tables.c.code)).scalars()))

    def published(self) -> list[dict[str, Any]]:
        c = criteria_tables.c
        return [dict(r._mapping) for r in self.conn.execute(
            sa.select(c.code, c.version, c.source_path, c.created_at, c.created_by)
            .order_by(c.code, c.version))]

    def uses(self) -> list[dict[str, Any]]:
        i = instances.c
        out = []
        for campaign_id, data in self.conn.execute(
                sa.select(i.id, i.data).where(i.workflow == "campaign").order_by(i.id)):
            table = (data or {}).get("criteria_table")
            if isinstance(table, dict) and table.get("code"):
                version = table.get("version")
                out.append({"campaign_id": campaign_id, "code": str(table["code"]),
                            "version": int(version) if version is not None else None})
        return out

    def drafts(self) -> list[dict[str, Any]]:
        d = definition_drafts.c
        rows = self.conn.execute(sa.select(d.name, d.saved_by, d.saved_at)
                                 .where(d.name.startswith(CRITERIA_DRAFT)).order_by(d.name))
        return [{"code": r.name[len(CRITERIA_DRAFT):], "saved_by": r.saved_by,
                 "saved_at": r.saved_at} for r in rows]

    def draft(self, code: str) -> Row | None:
        d = definition_drafts.c
        row = self.conn.execute(sa.select(d.source_text, d.saved_by, d.saved_at)
                                .where(d.name == CRITERIA_DRAFT + code)).first()
        return None if row is None else {"code": code, **row._mapping}

    def replace_draft(self, code: str, text: str, saved_by: str, saved_at: dt.datetime
                      ) -> None:
        repo.replace_draft(self.conn, CRITERIA_DRAFT + code, text, saved_by, saved_at)

    def delete_draft(self, code: str) -> None:
        repo.delete_draft(self.conn, CRITERIA_DRAFT + code)


class SqlHistory(HistoryRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def heads(self) -> dict[int, tuple[int, str]]:
        return repo.instance_heads(self.conn)

    def entries(self) -> Iterator[dict[str, Any]]:
        return repo.iter_history(self.conn)

    def reseal(self, chain: HistoryChain, *, actor: str, reason: str, at: dt.datetime
               ) -> tuple[int, int]:
        return reseal_all(self.conn, chain, actor=actor, reason=reason, at=at)


class SqlLeases(LeaseRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def renew(self, name: str, holder: str, now: dt.datetime, until: dt.datetime) -> bool:
        return bool(self.conn.execute(leases.update().where(
            leases.c.name == name,
            sa.or_(leases.c.holder == holder, leases.c.expires_at < now),
        ).values(holder=holder, expires_at=until)).rowcount)

    def exists(self, name: str) -> bool:
        return self.conn.execute(
            sa.select(leases.c.name).where(leases.c.name == name)).first() is not None

    def take(self, name: str, holder: str, until: dt.datetime) -> bool:
        try:  # a savepoint: the transaction stays usable when another process won
            with self.conn.begin_nested():
                self.conn.execute(leases.insert().values(name=name, holder=holder,
                                                         expires_at=until))
        except sa.exc.IntegrityError:
            return False
        return True

    def release(self, name: str, holder: str) -> None:
        self.conn.execute(leases.delete().where(leases.c.name == name,
                                                leases.c.holder == holder))


class SqlSchema(SchemaRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def table_counts(self) -> dict[str, int]:
        names = sorted(sa.inspect(self.conn).get_table_names())
        return {
            name: int(self.conn.execute(
                sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one())
            for name in names
        }

    def revision(self) -> str | None:
        from alembic.migration import MigrationContext

        heads = MigrationContext.configure(self.conn).get_current_heads()
        return ",".join(sorted(heads)) or None
