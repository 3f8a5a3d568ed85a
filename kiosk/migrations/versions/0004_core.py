"""api keys: one table for every plugin's keys, each with its scopes (open311, tickets, counter)

Revision ID: 0004_core
Revises: 0003_core
"""
from alembic import op
import sqlalchemy as sa
import kiosk.db


revision = '0004_core'
down_revision = '0003_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', kiosk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', kiosk.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_key_key_hash'))
    )


def downgrade() -> None:
    op.drop_table('api_key')
