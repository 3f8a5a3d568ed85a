"""help requests: the kiosk's "请工作人员帮助" button pages staff

Revision ID: 0005_core
Revises: 0004_core
"""
from alembic import op
import sqlalchemy as sa
import kiosk.db


revision = '0005_core'
down_revision = '0004_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('help_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terminal', sa.String(length=64), nullable=False),
    sa.Column('screen', sa.String(length=64), nullable=False),
    sa.Column('created_at', kiosk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('open_terminal', sa.String(length=64), nullable=True),
    sa.Column('done_at', kiosk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_request')),
    sa.UniqueConstraint('open_terminal', name=op.f('uq_help_request_open_terminal'))
    )
    op.create_index(op.f('ix_help_request_terminal'), 'help_request', ['terminal'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_help_request_terminal'), table_name='help_request')
    op.drop_table('help_request')
