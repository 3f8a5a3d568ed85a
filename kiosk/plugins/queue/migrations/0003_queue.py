"""queue appointments, remote tickets, chained return, rating alerts

Revision ID: 0003_queue
Revises: 0002_queue
"""
from alembic import op
import sqlalchemy as sa
import kiosk.api.storage


revision = '0003_queue'
down_revision = '0002_queue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('queue_appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('service_code', sa.String(length=1), nullable=False),
    sa.Column('slot_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['service_code'], ['queue_service.code'], name=op.f('fk_queue_appointment_service_code_queue_service')),
    sa.ForeignKeyConstraint(['ticket_id'], ['queue_ticket.id'], name=op.f('fk_queue_appointment_ticket_id_queue_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_appointment')),
    sa.UniqueConstraint('business_day', 'code', name='uq_queue_appointment_day_code')
    )
    with op.batch_alter_table('queue_counter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('normal_since_appointment', sa.Integer(), server_default='1000', nullable=False))

    with op.batch_alter_table('queue_rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handled_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('handled_by', sa.String(length=64), server_default='', nullable=False))

    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=8), server_default='walkin', nullable=False))
        batch_op.add_column(sa.Column('activation_code', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('pushbacks', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('return_to', sa.String(length=1), nullable=True))
        batch_op.create_unique_constraint('uq_queue_ticket_day_activation_code', ['business_day', 'activation_code'])



def downgrade() -> None:
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.drop_constraint('uq_queue_ticket_day_activation_code', type_='unique')
        batch_op.drop_column('return_to')
        batch_op.drop_column('pushbacks')
        batch_op.drop_column('activation_code')
        batch_op.drop_column('source')

    with op.batch_alter_table('queue_rating', schema=None) as batch_op:
        batch_op.drop_column('handled_by')
        batch_op.drop_column('handled_at')

    with op.batch_alter_table('queue_counter', schema=None) as batch_op:
        batch_op.drop_column('normal_since_appointment')

    op.drop_table('queue_appointment')
