"""terminal heartbeat: one row per (terminal, role), overwritten by every beat

Revision ID: 0003_core
Revises: 0002_core
"""
from alembic import op
import sqlalchemy as sa
import kiosk.db


revision = '0003_core'
down_revision = '0002_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('terminal_heartbeat',
    sa.Column('terminal', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('hostname', sa.String(length=128), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', kiosk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_beat', kiosk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('interval_seconds', sa.Integer(), nullable=False),
    sa.Column('printer_state', sa.String(length=16), nullable=False),
    sa.Column('printer_detail', sa.Text(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('last_error_at', kiosk.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('terminal', 'role', name=op.f('pk_terminal_heartbeat'))
    )


def downgrade() -> None:
    op.drop_table('terminal_heartbeat')
