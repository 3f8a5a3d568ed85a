"""notices: the last approved version of a notice (the approver's diff)

Revision ID: 0002_notices
Revises: 0001_notices
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_notices'
down_revision = '0001_notices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notice') as batch:
        batch.add_column(sa.Column('approved_snapshot', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notice') as batch:
        batch.drop_column('approved_snapshot')
