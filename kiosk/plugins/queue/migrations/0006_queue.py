"""queue halls: several halls (服务大厅, 便民服务室…) in one installation

Every existing service and counter goes to the hall 'main', created here.

Revision ID: 0006_queue
Revises: 0004_queue
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_queue'
down_revision = '0005_queue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    hall = op.create_table('queue_hall',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_queue_hall'))
    )
    op.bulk_insert(hall, [{'code': 'main', 'name': '服务大厅', 'name_en': 'Service hall', 'sort': 0}])
    with op.batch_alter_table('queue_service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hall', sa.String(length=16), server_default='main', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_queue_service_hall_queue_hall'), 'queue_hall', ['hall'], ['code'])

    with op.batch_alter_table('queue_counter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hall', sa.String(length=16), server_default='main', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_queue_counter_hall_queue_hall'), 'queue_hall', ['hall'], ['code'])


def downgrade() -> None:
    with op.batch_alter_table('queue_counter', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_queue_counter_hall_queue_hall'), type_='foreignkey')
        batch_op.drop_column('hall')

    with op.batch_alter_table('queue_service', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_queue_service_hall_queue_hall'), type_='foreignkey')
        batch_op.drop_column('hall')

    op.drop_table('queue_hall')
