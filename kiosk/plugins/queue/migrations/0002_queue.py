"""queue ratings

Revision ID: 0002_queue
Revises: 0001_queue
"""
from alembic import op
import sqlalchemy as sa
import kiosk.api.storage


revision = '0002_queue'
down_revision = '0001_queue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('queue_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['queue_ticket.id'], name=op.f('fk_queue_rating_ticket_id_queue_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_rating')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_queue_rating_ticket_id'))
    )


def downgrade() -> None:
    op.drop_table('queue_rating')
