"""units: their kind (loại đơn vị), given by the import of units

Revision ID: 0013_imp_unit_kind
Revises: 0012_public_objection_judgement
Create Date: 2026-11-29 17:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013_imp_unit_kind'
down_revision = '0012_public_objection_judgement'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('kind')
