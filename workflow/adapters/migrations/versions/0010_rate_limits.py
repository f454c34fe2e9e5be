"""rate_limits: attempt counters shared by every process (sign-in failures, objections)

Revision ID: 0010_rate_limits
Revises: 0009
Create Date: 2026-11-29 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0010_rate_limits'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rate_limits',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('reset_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limits')),
    )
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limits_reset_at'), ['reset_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limits_reset_at'))
    op.drop_table('rate_limits')
