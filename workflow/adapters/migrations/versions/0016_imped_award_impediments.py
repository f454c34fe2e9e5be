"""impediments to an award (Decree 152/2025 art. 4(4)): discipline, investigation, complaint

Revision ID: 0016_imped_award_impediments
Revises: 0015_adm_token_expiry
Create Date: 2026-11-29 20:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016_imped_award_impediments'
down_revision = '0015_adm_token_expiry'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'award_impediments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('reference', sa.String(length=200), nullable=False),
        sa.Column('reference_date', sa.Date(), nullable=True),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.String(length=100), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.Column('closure_reference', sa.String(length=200), nullable=True),
        sa.Column('closure_note', sa.Text(), nullable=True),
        sa.Column('closed_by', sa.String(length=100), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('(unit_id IS NULL) <> (user_id IS NULL)',
                           name=op.f('ck_award_impediments_one_subject')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                                name=op.f('fk_award_impediments_unit_id_units')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_award_impediments_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_award_impediments')),
    )
    with op.batch_alter_table('award_impediments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_impediments_unit_id'), ['unit_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_award_impediments_user_id'), ['user_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('award_impediments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_impediments_user_id'))
        batch_op.drop_index(batch_op.f('ix_award_impediments_unit_id'))
    op.drop_table('award_impediments')
