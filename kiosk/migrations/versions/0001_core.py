"""core tables

Revision ID: 0001_core
Revises: 
"""
from alembic import op
import sqlalchemy as sa
import kiosk.db


revision = '0001_core'
down_revision = None
branch_labels = ('core',)
depends_on = None


def upgrade() -> None:
    op.create_table('plugin_error',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plugin', sa.String(length=64), nullable=False),
    sa.Column('hook', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('at', kiosk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('terminal', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plugin_error'))
    )
    with op.batch_alter_table('plugin_error', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plugin_error_plugin'), ['plugin'], unique=False)

    op.create_table('plugin_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('season', sa.String(length=64), nullable=False),
    sa.Column('plugin', sa.String(length=64), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('changed_at', kiosk.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plugin_override'))
    )
    with op.batch_alter_table('plugin_override', schema=None) as batch_op:
        batch_op.create_index('ix_plugin_override_season_plugin', ['season', 'plugin', 'id'], unique=False)

    op.create_table('receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plugin', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=128), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('created_at', kiosk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', kiosk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', kiosk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('printed_at', kiosk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('print_error', sa.Text(), nullable=True),
    sa.Column('terminal', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt'))
    )
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipt_plugin'), ['plugin'], unique=False)
        batch_op.create_index('ix_receipt_plugin_subject', ['plugin', 'subject'], unique=False)

    op.create_table('staff_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', kiosk.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_user')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_user_username'))
    )
    op.create_table('receipt_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', kiosk.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipt.id'], name=op.f('fk_receipt_token_receipt_id_receipt'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_receipt_token_token_hash'))
    )
    with op.batch_alter_table('receipt_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipt_token_receipt_id'), ['receipt_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('receipt_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipt_token_receipt_id'))

    op.drop_table('receipt_token')
    op.drop_table('staff_user')
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.drop_index('ix_receipt_plugin_subject')
        batch_op.drop_index(batch_op.f('ix_receipt_plugin'))

    op.drop_table('receipt')
    with op.batch_alter_table('plugin_override', schema=None) as batch_op:
        batch_op.drop_index('ix_plugin_override_season_plugin')

    op.drop_table('plugin_override')
    with op.batch_alter_table('plugin_error', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plugin_error_plugin'))

    op.drop_table('plugin_error')
