"""objections: the council office's judgement (admissible or not, with a reason, by whom, when)

Revision ID: 0012_public_objection_judgement
Revises: 0011_password_reset
Create Date: 2026-11-29 15:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012_public_objection_judgement'
down_revision = '0011_password_reset'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admissible', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('judged_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('judged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_column('judged_at')
        batch_op.drop_column('judged_by')
        batch_op.drop_column('reason')
        batch_op.drop_column('admissible')
