"""ballots: the sealed ballot box, the counting keys and the committee's shares

Revision ID: 0018_ballots_sealed
Revises: 0017_dept_grant_criteria
Create Date: 2026-11-29 21:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018_ballots_sealed'
down_revision = '0017_dept_grant_criteria'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sealed_ballots',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('sealed', sa.Text(), nullable=False),
        sa.Column('receipt', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['workflow_instances.id'],
                                name=op.f('fk_sealed_ballots_session_id_workflow_instances')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_ballots')),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_sealed_ballots_session_round', 'sealed_ballots',
                    ['session_id', 'round'], unique=False)
    op.create_table(
        'counting_keys',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('public_n', sa.Text(), nullable=False),
        sa.Column('sealed_private', sa.Text(), nullable=True),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('committee', sa.JSON(), nullable=False),
        sa.Column('server_opener', sa.Text(), nullable=True),
        sa.Column('opened', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['session_id'], ['workflow_instances.id'],
                                name=op.f('fk_counting_keys_session_id_workflow_instances')),
        sa.PrimaryKeyConstraint('session_id', name=op.f('pk_counting_keys')),
    )
    op.create_table(
        'key_shares',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('wrapped', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['workflow_instances.id'],
                                name=op.f('fk_key_shares_session_id_workflow_instances')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_key_shares_user_id_users')),
        sa.PrimaryKeyConstraint('session_id', 'user_id', 'kind', name=op.f('pk_key_shares')),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table('key_shares')
    op.drop_table('counting_keys')
    op.drop_index('ix_sealed_ballots_session_round', table_name='sealed_ballots')
    op.drop_table('sealed_ballots')
