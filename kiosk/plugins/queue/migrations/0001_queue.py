"""queue tables

Revision ID: 0001_queue
Revises: 
"""
from alembic import op
import sqlalchemy as sa
import kiosk.api.storage


revision = '0001_queue'
down_revision = None
branch_labels = ('queue',)
depends_on = '0002_core'


def upgrade() -> None:
    op.create_table('queue_counter',
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('normal_since_priority', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_queue_counter'))
    )
    op.create_table('queue_day_number',
    sa.Column('business_day', sa.String(length=10), nullable=False),
    sa.Column('letter', sa.String(length=1), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('business_day', 'letter', name=op.f('pk_queue_day_number'))
    )
    op.create_table('queue_service',
    sa.Column('code', sa.String(length=1), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('hours', sa.String(length=80), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=False),
    sa.Column('minutes_per_person', sa.Integer(), nullable=False),
    sa.Column('target_minutes', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_queue_service'))
    )
    op.create_table('queue_ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.String(length=10), nullable=False),
    sa.Column('letter', sa.String(length=1), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('service_code', sa.String(length=1), nullable=False),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('arrived_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('called_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_called_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('missed_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('call_count', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('estimate_min', sa.Integer(), nullable=False),
    sa.Column('estimate_max', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=True),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('token_sealed', sa.String(length=64), nullable=True),
    sa.Column('terminal', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['service_code'], ['queue_service.code'], name=op.f('fk_queue_ticket_service_code_queue_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_ticket')),
    sa.UniqueConstraint('business_day', 'letter', 'number', name='uq_queue_ticket_day_letter_number'),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_queue_ticket_idempotency_key'))
    )
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.create_index('ix_queue_ticket_waiting', ['business_day', 'state', 'service_code', 'priority', 'arrived_at'], unique=False)

    op.create_table('queue_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['queue_ticket.id'], name=op.f('fk_queue_event_ticket_id_queue_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_event'))
    )
    with op.batch_alter_table('queue_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_event_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('queue_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_event_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_queue_event_at'))

    op.drop_table('queue_event')
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_ticket_waiting')

    op.drop_table('queue_ticket')
    op.drop_table('queue_service')
    op.drop_table('queue_day_number')
    op.drop_table('queue_counter')
