"""rate and failure counters shared by every web worker

Revision ID: 0008_core
Revises: 0007_core
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_core'
down_revision = '0007_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_counter',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('window_start', sa.Float(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.Float(), nullable=True),
    sa.Column('expires', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_counter'))
    )
    op.create_index(op.f('ix_rate_counter_expires'), 'rate_counter', ['expires'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_rate_counter_expires'), table_name='rate_counter')
    op.drop_table('rate_counter')
