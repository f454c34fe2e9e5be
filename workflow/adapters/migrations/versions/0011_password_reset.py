"""users: a password set by an admin must be changed at the next sign-in

Revision ID: 0011_password_reset
Revises: 0010_rate_limits
Create Date: 2026-11-29 11:25:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011_password_reset'
down_revision = '0010_rate_limits'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
