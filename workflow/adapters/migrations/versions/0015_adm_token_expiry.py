"""administration: API tokens expire, people have a unit, the admin changes' history

Revision ID: 0015_adm_token_expiry
Revises: 0014_api_idempotency
Create Date: 2026-11-29 18:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015_adm_token_expiry'
down_revision = '0014_api_idempotency'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_unit_id_units'), 'units',
                                    ['unit_id'], ['id'])
    op.create_table(
        'admin_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=100), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_admin_changes_actor_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_admin_changes_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_changes')),
    )
    with op.batch_alter_table('admin_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_changes_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_changes_actor_id'), ['actor_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_admin_changes_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('admin_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_changes_user_id'))
        batch_op.drop_index(batch_op.f('ix_admin_changes_actor_id'))
        batch_op.drop_index(batch_op.f('ix_admin_changes_at'))
    op.drop_table('admin_changes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_unit_id_units'), type_='foreignkey')
        batch_op.drop_column('unit_id')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
