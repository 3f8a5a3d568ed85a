"""queue: an index for the recent service times behind the wait estimate

Revision ID: 0004_queue
Revises: 0003_queue
"""
from alembic import op


revision = '0004_queue'
down_revision = '0003_queue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_queue_ticket_served', 'queue_ticket', ['service_code', 'state', 'finished_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_queue_ticket_served', table_name='queue_ticket')
