"""The sealed ballot box's statements, on the engine's write transaction (a mixin of WriteTx),
and the purge that leaves no earlier copy of a rewritten row in the database's files."""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ClauseElement

from workflow.adapters.executor import CompiledStatement, StatementCache
from workflow.adapters.tables import counting_keys, key_shares, sealed_ballots, vote_participation

log = logging.getLogger(__name__)
_B = sealed_ballots.c
_K = counting_keys.c
_S = key_shares.c
_P = vote_participation.c
KEY_COLUMNS = ("session_id", "public_n", "sealed_private", "threshold", "committee",
               "server_opener", "opened")


class BallotBoxQueries:
    """What the voting service and the vote's rules write and read of the sealed box."""

    __slots__ = ()

    if TYPE_CHECKING:  # provided by executor.Transaction and store.WriteTx
        cache: StatementCache

        @property
        def purge_after(self) -> bool: ...

        @purge_after.setter
        def purge_after(self, value: bool) -> None: ...

        def execute(self, stmt: CompiledStatement, values: Mapping[str, Any]) -> int: ...

        def fetchall(
            self, stmt: CompiledStatement, values: Mapping[str, Any]
        ) -> list[Sequence[Any]]: ...

    def _bb(self, key: str, build: Callable[[], ClauseElement], keys: Sequence[str] = ()
            ) -> CompiledStatement:
        return self.cache.get(f"box:{key}", build, keys)

    # --- ballots ------------------------------------------------------------------------

    def add_sealed_ballot(self, session_id: int, round_: int, sealed: str, receipt: str) -> None:
        insert = self._bb("insert", sealed_ballots.insert,
                          ("id", "session_id", "round", "sealed", "receipt"))
        self.execute(insert, {"id": secrets.token_hex(16), "session_id": session_id,
                              "round": round_, "sealed": sealed, "receipt": receipt})

    def sealed_ballots(self, session_id: int, round_: int) -> list[tuple[str, str]]:
        """(sealed, receipt) of a round, in the order of their random ids."""
        stmt = self._bb("select", lambda: sa.select(_B.sealed, _B.receipt).where(
            _B.session_id == sa.bindparam("b_session"), _B.round == sa.bindparam("b_round")
        ).order_by(_B.id))
        return [(str(r[0]), str(r[1])) for r in self.fetchall(
            stmt, {"b_session": session_id, "b_round": round_})]

    def sealed_count(self, session_id: int, round_: int) -> int:
        stmt = self._bb("count", lambda: sa.select(sa.func.count()).where(
            _B.session_id == sa.bindparam("b_session"), _B.round == sa.bindparam("b_round")))
        return int(self.fetchall(stmt, {"b_session": session_id, "b_round": round_})[0][0])

    def shuffle_sealed(self, session_id: int, round_: int) -> int:
        """Rewrite a round's sealed ballots in random order under new random ids (the same
        ciphertexts, so that every receipt stays checkable), and ask for the purge of the old
        rows once this transaction commits."""
        rows = self.sealed_ballots(session_id, round_)
        self.delete_round(session_id, round_, participation=False)
        random.SystemRandom().shuffle(rows)
        for sealed, receipt in rows:
            self.add_sealed_ballot(session_id, round_, sealed, receipt)
        self.purge_after = True
        return len(rows)

    def delete_round(self, session_id: int, round_: int, *, participation: bool) -> None:
        """A round's ballots (and who voted in it, for a re-run) deleted."""
        delete = self._bb("delete", lambda: sealed_ballots.delete().where(
            _B.session_id == sa.bindparam("b_session"), _B.round == sa.bindparam("b_round")))
        self.execute(delete, {"b_session": session_id, "b_round": round_})
        if participation:
            gone = self._bb("delete_participation", lambda: vote_participation.delete().where(
                _P.session_id == sa.bindparam("b_session"),
                _P.round == sa.bindparam("b_round")))
            self.execute(gone, {"b_session": session_id, "b_round": round_})
        self.purge_after = True

    # --- the counting key ---------------------------------------------------------------

    def counting_key(self, session_id: int) -> dict[str, Any] | None:
        stmt = self._bb("key", lambda: sa.select(*(_K[c] for c in KEY_COLUMNS)).where(
            _K.session_id == sa.bindparam("b_session")))
        rows = self.fetchall(stmt, {"b_session": session_id})
        return dict(zip(KEY_COLUMNS, rows[0], strict=True)) if rows else None

    def put_counting_key(self, values: Mapping[str, Any]) -> None:
        """The session's key, replacing any earlier one (a re-run deals a new key)."""
        gone = self._bb("key_delete", lambda: counting_keys.delete().where(
            _K.session_id == sa.bindparam("b_session")))
        self.execute(gone, {"b_session": values["session_id"]})
        self.execute(self._bb("key_insert", counting_keys.insert, KEY_COLUMNS),
                     {c: values.get(c) for c in KEY_COLUMNS})

    def set_opened(self, session_id: int, opened: Mapping[str, Any]) -> None:
        stmt = self._bb("key_opened", lambda: counting_keys.update().where(
            _K.session_id == sa.bindparam("b_session")).values(opened=sa.bindparam("opened")))
        self.execute(stmt, {"b_session": session_id, "opened": dict(opened)})

    def forget_private_key(self, session_id: int) -> None:
        """The sealed private key and the server's opener gone: no share opens anything now."""
        stmt = self._bb("key_forget", lambda: counting_keys.update().where(
            _K.session_id == sa.bindparam("b_session")).values(
            sealed_private=None, server_opener=None))
        self.execute(stmt, {"b_session": session_id})
        self.delete_shares(session_id, None)

    # --- shares --------------------------------------------------------------------------

    def put_share(self, session_id: int, user_id: int, kind: str, wrapped: str) -> None:
        self.delete_shares(session_id, kind, user_id)
        self.execute(self._bb("share_insert", key_shares.insert,
                              ("session_id", "user_id", "kind", "wrapped")),
                     {"session_id": session_id, "user_id": user_id, "kind": kind,
                      "wrapped": wrapped})

    def shares(self, session_id: int, kind: str) -> dict[int, str]:
        stmt = self._bb("shares", lambda: sa.select(_S.user_id, _S.wrapped).where(
            _S.session_id == sa.bindparam("b_session"), _S.kind == sa.bindparam("b_kind")))
        return {int(r[0]): str(r[1]) for r in self.fetchall(
            stmt, {"b_session": session_id, "b_kind": kind})}

    def delete_shares(self, session_id: int, kind: str | None, user_id: int | None = None
                      ) -> None:
        """A member's share of a kind, every share of a kind, or every share (kind None)."""
        where = [_S.session_id == sa.bindparam("b_session")]
        if kind is not None:
            where.append(_S.kind == sa.bindparam("b_kind"))
        if user_id is not None:
            where.append(_S.user_id == sa.bindparam("b_user"))
        stmt = self._bb(f"shares_delete-{kind is None}-{user_id is None}",
                        lambda: key_shares.delete().where(*where))
        self.execute(stmt, {"b_session": session_id, "b_kind": kind, "b_user": user_id})
        self.purge_after = True

def purge(engine: Engine) -> None:
    """Leave no earlier copy of the box's rewritten or deleted rows in the database's files:
    SQLite zeroes deleted cells (secure_delete, set on every connection) and here folds its
    write-ahead log into the main file and truncates it; PostgreSQL rewrites the box's tables
    (VACUUM FULL), so no dead tuple of them survives. Best effort: a reader holding an old
    snapshot delays the SQLite checkpoint (retried at the next purge)."""
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("sealed_ballots", "key_shares", "counting_keys"):
                conn.exec_driver_sql(f"VACUUM FULL {table}")
    except sa.exc.SQLAlchemyError:
        log.warning("the ballot box's purge did not complete; it runs again at the next one",
                    exc_info=True)
