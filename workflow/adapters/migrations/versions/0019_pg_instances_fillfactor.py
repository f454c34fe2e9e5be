"""PostgreSQL: room on each page of workflow_instances for a row's next versions

Every step rewrites its instance's row. PostgreSQL keeps the new version on the same page when
there is room and no indexed column changed (a HOT update): no new entry in any of the table's
five indexes, and the old version is pruned when the page is next read. Pages packed full (the
default fill factor, 100) leave no room, so each step also wrote five index entries and the
indexes kept growing. At 70 % a page keeps room for several updates of each of its rows.
SQLite has no such setting: nothing to do there.

Revision ID: 0019_pg_instances_fillfactor
Revises: 0018_ballots_sealed
Create Date: 2026-11-30 01:00:00
"""

from alembic import op


revision = '0019_pg_instances_fillfactor'
down_revision = '0018_ballots_sealed'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE workflow_instances SET (fillfactor = 70)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE workflow_instances RESET (fillfactor)")
