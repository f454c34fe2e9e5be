"""SQL of the impediments to an award, on a transaction of the engine's Store (store.WriteTx):
the statements are compiled once each in the Store's statement cache."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from workflow.adapters.store import WriteTx
from workflow.adapters.tables import (
    award_impediments,
    cluster_members,
    clusters,
    instances,
    units,
    users,
)
from workflow.services.ports import ImpedimentStatements

_A = award_impediments.c
_I = instances.c
COLUMNS = tuple(c.name for c in award_impediments.columns)
CLOSURE = ("closed_on", "outcome", "closure_reference", "closure_note", "closed_by",
           "closed_at")
LIVE = ("active", "suspended")  # a dossier still running (withdrawn and revoked are final)


class SqlImpediments(ImpedimentStatements):
    def __init__(self, tx: WriteTx) -> None:
        self.tx = tx

    def _rows(self, stmt: Any, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [dict(zip(COLUMNS, r, strict=True)) for r in self.tx.fetchall(stmt, values)]

    def add(self, values: Mapping[str, Any]) -> int:
        keys = [k for k in COLUMNS if k != "id"]
        stmt = self.tx.cache.get("impediment_add", lambda: award_impediments.insert().returning(
            _A.id), keys)
        row = self.tx.fetchone(stmt, {k: values.get(k) for k in keys})
        assert row is not None
        return int(row[0])

    def get(self, impediment_id: int) -> dict[str, Any] | None:
        stmt = self.tx.cache.get("impediment_get", lambda: sa.select(award_impediments).where(
            _A.id == sa.bindparam("b_id")))
        rows = self._rows(stmt, {"b_id": impediment_id})
        return rows[0] if rows else None

    def of_subject(self, unit_id: int | None, user_id: int | None) -> list[dict[str, Any]]:
        if unit_id is not None:
            stmt = self.tx.cache.get("impediments_of_unit", lambda: sa.select(
                award_impediments).where(_A.unit_id == sa.bindparam("b_id")).order_by(
                _A.start, _A.id))
            return self._rows(stmt, {"b_id": unit_id})
        if user_id is not None:
            stmt = self.tx.cache.get("impediments_of_user", lambda: sa.select(
                award_impediments).where(_A.user_id == sa.bindparam("b_id")).order_by(
                _A.start, _A.id))
            return self._rows(stmt, {"b_id": user_id})
        return []

    def listed(self, limit: int) -> list[dict[str, Any]]:
        stmt = self.tx.cache.get("impediments_listed", lambda: sa.select(
            award_impediments).order_by(_A.id.desc()).limit(sa.bindparam("b_limit")))
        return self._rows(stmt, {"b_limit": limit})

    def close(self, impediment_id: int, values: Mapping[str, Any]) -> bool:
        stmt = self.tx.cache.get("impediment_close", lambda: award_impediments.update().where(
            _A.id == sa.bindparam("b_id"), _A.closed_on.is_(None)), CLOSURE)
        return self.tx.execute(stmt, {"b_id": impediment_id,
                                      **{k: values.get(k) for k in CLOSURE}}) == 1

    def live_dossiers(self, unit_id: int | None, user_id: int | None) -> list[int]:
        if unit_id is not None:
            stmt = self.tx.cache.get("impediment_dossiers_of_unit", lambda: sa.select(
                _I.id, _I.status).where(_I.workflow == "dossier",
                                        _I.unit_id == sa.bindparam("b_id")).order_by(_I.id))
            return [int(r[0]) for r in self.tx.fetchall(stmt, {"b_id": unit_id})
                    if r[1] in LIVE]
        if user_id is None:
            return []
        # a person nominated (nominee_user_id in the dossier's data): few dossiers run at once
        stmt = self.tx.cache.get("impediment_dossiers", lambda: sa.select(
            _I.id, _I.status, _I.data).where(_I.workflow == "dossier").order_by(_I.id))
        return [int(r[0]) for r in self.tx.fetchall(stmt, {})
                if r[1] in LIVE and isinstance(r[2], dict)
                and r[2].get("nominee_user_id") == user_id]

    def username(self, user_id: int) -> str | None:
        stmt = self.tx.cache.get("impediment_username", lambda: sa.select(
            users.c.username).where(users.c.id == sa.bindparam("b_id")))
        row = self.tx.fetchone(stmt, {"b_id": user_id})
        return str(row[0]) if row else None

    def clusters_of_unit(self, unit_id: int) -> list[tuple[int, int]]:
        m, c = cluster_members.c, clusters.c
        stmt = self.tx.cache.get("impediment_clusters_of_unit", lambda: sa.select(
            m.cluster_id, c.year).join_from(cluster_members, clusters, m.cluster_id == c.id)
            .where(m.unit_id == sa.bindparam("b_id")).order_by(m.cluster_id))
        return [(int(r[0]), int(r[1])) for r in self.tx.fetchall(stmt, {"b_id": unit_id})]

    def unit_of_user(self, user_id: int) -> tuple[bool, int | None]:
        stmt = self.tx.cache.get("impediment_unit_of_user", lambda: sa.select(
            users.c.unit_id).where(users.c.id == sa.bindparam("b_id")))
        row = self.tx.fetchone(stmt, {"b_id": user_id})
        return (False, None) if row is None else (True, row[0])

    def unit_exists(self, unit_id: int) -> bool:
        stmt = self.tx.cache.get("impediment_unit_exists", lambda: sa.select(units.c.id).where(
            units.c.id == sa.bindparam("b_id")))
        return self.tx.fetchone(stmt, {"b_id": unit_id}) is not None
