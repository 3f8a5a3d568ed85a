"""queue: per-service numbering (first number, last number, increment; wraps past the last) and carry-over

Revision ID: 0005_queue
Revises: 0004_queue
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_queue'
down_revision = '0004_queue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('queue_service') as batch:
        batch.add_column(sa.Column('first_number', sa.Integer(), server_default='1', nullable=False))
        batch.add_column(sa.Column('last_number', sa.Integer(), server_default='999', nullable=False))
        batch.add_column(sa.Column('number_step', sa.Integer(), server_default='1', nullable=False))
        batch.add_column(sa.Column('carry_over', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('queue_service') as batch:
        batch.drop_column('carry_over')
        batch.drop_column('number_step')
        batch.drop_column('last_number')
        batch.drop_column('first_number')
