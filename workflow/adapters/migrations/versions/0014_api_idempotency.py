"""api_idempotency: the answers of API requests sent with an Idempotency-Key, per user

Revision ID: 0014_api_idempotency
Revises: 0013_imp_unit_kind
Create Date: 2026-11-29 17:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0014_api_idempotency'
down_revision = '0013_imp_unit_kind'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_idempotency',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'key', name='uq_api_idempotency_user_key'),
    )
    with op.batch_alter_table('api_idempotency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_idempotency_created_at'), ['created_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('api_idempotency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_idempotency_created_at'))
    op.drop_table('api_idempotency')
