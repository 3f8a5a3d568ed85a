"""daily run

Revision ID: 0002_core
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa
import kiosk.db


revision = '0002_core'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('daily_run',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('last_day', sa.String(length=10), nullable=False),
    sa.Column('at', kiosk.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_daily_run'))
    )


def downgrade() -> None:
    op.drop_table('daily_run')
