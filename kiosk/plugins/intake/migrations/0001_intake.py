"""intake tables

Revision ID: 0001_intake
Revises: 
"""
from alembic import op
import sqlalchemy as sa
import kiosk.api.storage


revision = '0001_intake'
down_revision = None
branch_labels = ('intake',)
depends_on = '0002_core'


def upgrade() -> None:
    op.create_table('intake_api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_intake_api_key_key_hash'))
    )
    op.create_table('intake_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('problem', sa.String(length=60), nullable=False),
    sa.Column('building', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=True),
    sa.Column('team_code', sa.String(length=16), nullable=True),
    sa.Column('filed_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('paused_on', sa.Date(), nullable=True),
    sa.Column('resolved_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('supervision', sa.String(length=12), nullable=False),
    sa.Column('merged_into', sa.String(length=20), nullable=True),
    sa.Column('public_summary', sa.Text(), nullable=False),
    sa.Column('public_response', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('surname', sa.String(length=8), nullable=True),
    sa.Column('title', sa.String(length=4), nullable=False),
    sa.Column('name_public', sa.Boolean(), nullable=False),
    sa.Column('flat', sa.String(length=12), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('erased_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=80), nullable=True),
    sa.Column('token_sealed', sa.String(length=64), nullable=True),
    sa.Column('terminal', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_case')),
    sa.UniqueConstraint('case_no', name=op.f('uq_intake_case_case_no')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_intake_case_idempotency_key'))
    )
    with op.batch_alter_table('intake_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_case_building'), ['building'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_case_category'), ['category'], unique=False)
        batch_op.create_index('ix_intake_case_open', ['state', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_case_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_case_team_code'), ['team_code'], unique=False)

    op.create_table('intake_day_counter',
    sa.Column('day', sa.String(length=8), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_intake_day_counter'))
    )
    op.create_table('intake_team',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('leader', sa.String(length=40), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_intake_team'))
    )
    op.create_table('intake_building',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('team_code', sa.String(length=16), nullable=True),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_code'], ['intake_team.code'], name=op.f('fk_intake_building_team_code_intake_team')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_intake_building'))
    )
    op.create_table('intake_case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['intake_case.id'], name=op.f('fk_intake_case_event_case_id_intake_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_case_event'))
    )
    with op.batch_alter_table('intake_case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_case_event_case_id'), ['case_id'], unique=False)

    op.create_table('intake_case_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['intake_case.id'], name=op.f('fk_intake_case_rating_case_id_intake_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_case_rating'))
    )
    with op.batch_alter_table('intake_case_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_case_rating_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('intake_case_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_case_rating_case_id'))

    op.drop_table('intake_case_rating')
    with op.batch_alter_table('intake_case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_case_event_case_id'))

    op.drop_table('intake_case_event')
    op.drop_table('intake_building')
    op.drop_table('intake_team')
    op.drop_table('intake_day_counter')
    with op.batch_alter_table('intake_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_case_team_code'))
        batch_op.drop_index(batch_op.f('ix_intake_case_state'))
        batch_op.drop_index('ix_intake_case_open')
        batch_op.drop_index(batch_op.f('ix_intake_case_category'))
        batch_op.drop_index(batch_op.f('ix_intake_case_building'))

    op.drop_table('intake_case')
    op.drop_table('intake_api_key')
