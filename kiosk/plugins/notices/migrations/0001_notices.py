"""notices tables

Revision ID: 0001_notices
Revises:
"""
from alembic import op
import sqlalchemy as sa
import kiosk.api.storage


revision = '0001_notices'
down_revision = None
branch_labels = ('notices',)
depends_on = '0002_core'


def upgrade() -> None:
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('start_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('season', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('content_by', sa.String(length=64), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_board_state_start', ['board', 'state', 'start_at'], unique=False)

    op.create_table('notice_image',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('mime', sa.String(length=20), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_notice_image_notice_id_notice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_id', name=op.f('pk_notice_image'))
    )
    op.create_table('notice_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_notice_revision_notice_id_notice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_revision'))
    )
    with op.batch_alter_table('notice_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_revision_notice_id'), ['notice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notice_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_revision_notice_id'))

    op.drop_table('notice_revision')
    op.drop_table('notice_image')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_board_state_start')

    op.drop_table('notice')
