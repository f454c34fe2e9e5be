"""The Alembic migrations build exactly the schema the code declares."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from workflow.adapters.tables import metadata
from workflow.bootstrap import Services


def test_migrations_match_the_declared_tables(services: Services) -> None:
    with services.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)

    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(services: Services) -> None:
    if services.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with services.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_postgresql_leaves_room_on_each_page_of_the_instances(services: Services) -> None:
    """Every step rewrites its instance: with room on the page (fill factor 70, as declared),
    PostgreSQL keeps the new row version there without touching the table's indexes."""
    declared = metadata.tables["workflow_instances"].dialect_options["postgresql"]["with"]
    assert declared == {"fillfactor": 70}
    if services.engine.dialect.name != "postgresql":
        return  # SQLite has no fill factor
    with services.engine.connect() as conn:
        options = conn.exec_driver_sql(
            "SELECT reloptions FROM pg_class WHERE relname = 'workflow_instances'").scalar()
    assert options == ["fillfactor=70"]
