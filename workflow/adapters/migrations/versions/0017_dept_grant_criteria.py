"""department data: a role grant may name the criteria it is held for

Revision ID: 0017_dept_grant_criteria
Revises: 0016_imped_award_impediments
Create Date: 2026-11-29 21:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017_dept_grant_criteria'
down_revision = '0016_imped_award_impediments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('role_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('criteria', sa.String(length=400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('role_assignments', schema=None) as batch_op:
        batch_op.drop_column('criteria')
