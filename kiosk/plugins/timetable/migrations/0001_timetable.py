"""timetable tables

Revision ID: 0001_timetable
Revises: 
"""
from alembic import op
import sqlalchemy as sa
import kiosk.api.storage


revision = '0001_timetable'
down_revision = None
branch_labels = ('timetable',)
depends_on = '0002_core'


def upgrade() -> None:
    op.create_table('tt_room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('place', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tt_room')),
    sa.UniqueConstraint('name', name=op.f('uq_tt_room_name'))
    )
    op.create_table('tt_teacher',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tt_teacher')),
    sa.UniqueConstraint('name', name=op.f('uq_tt_teacher_name'))
    )
    op.create_table('tt_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('season', sa.String(length=40), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tt_term')),
    sa.UniqueConstraint('name', name=op.f('uq_tt_term_name'))
    )
    op.create_table('tt_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('organizer', sa.String(length=40), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('bring', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['tt_room.id'], name=op.f('fk_tt_course_room_id_tt_room')),
    sa.ForeignKeyConstraint(['teacher_id'], ['tt_teacher.id'], name=op.f('fk_tt_course_teacher_id_tt_teacher')),
    sa.ForeignKeyConstraint(['term_id'], ['tt_term.id'], name=op.f('fk_tt_course_term_id_tt_term')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tt_course'))
    )
    with op.batch_alter_table('tt_course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tt_course_term_id'), ['term_id'], unique=False)

    op.create_table('tt_makeup_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('follows_weekday', sa.Integer(), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['term_id'], ['tt_term.id'], name=op.f('fk_tt_makeup_day_term_id_tt_term')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tt_makeup_day')),
    sa.UniqueConstraint('term_id', 'day', name='uq_tt_makeup_term_day')
    )
    op.create_table('tt_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('surname', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('created_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('promoted_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=True),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('terminal', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['tt_course.id'], name=op.f('fk_tt_signup_course_id_tt_course')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tt_signup')),
    sa.UniqueConstraint('course_id', 'phone', name='uq_tt_signup_course_phone'),
    sa.UniqueConstraint('course_id', 'seq', name='uq_tt_signup_course_seq')
    )
    with op.batch_alter_table('tt_signup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tt_signup_course_id'), ['course_id'], unique=False)

    op.create_table('tt_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start', sa.String(length=5), nullable=False),
    sa.Column('end', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['tt_course.id'], name=op.f('fk_tt_slot_course_id_tt_course')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tt_slot'))
    )
    with op.batch_alter_table('tt_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tt_slot_course_id'), ['course_id'], unique=False)

    op.create_table('tt_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['signup_id'], ['tt_signup.id'], name=op.f('fk_tt_attendance_signup_id_tt_signup')),
    sa.ForeignKeyConstraint(['slot_id'], ['tt_slot.id'], name=op.f('fk_tt_attendance_slot_id_tt_slot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tt_attendance')),
    sa.UniqueConstraint('signup_id', 'slot_id', 'day', name='uq_tt_attendance')
    )
    with op.batch_alter_table('tt_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tt_attendance_signup_id'), ['signup_id'], unique=False)

    op.create_table('tt_session_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('new_day', sa.Date(), nullable=True),
    sa.Column('new_start', sa.String(length=5), nullable=True),
    sa.Column('new_end', sa.String(length=5), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['slot_id'], ['tt_slot.id'], name=op.f('fk_tt_session_change_slot_id_tt_slot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tt_session_change')),
    sa.UniqueConstraint('slot_id', 'day', name='uq_tt_change_slot_day')
    )
    with op.batch_alter_table('tt_session_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tt_session_change_slot_id'), ['slot_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tt_session_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tt_session_change_slot_id'))

    op.drop_table('tt_session_change')
    with op.batch_alter_table('tt_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tt_attendance_signup_id'))

    op.drop_table('tt_attendance')
    with op.batch_alter_table('tt_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tt_slot_course_id'))

    op.drop_table('tt_slot')
    with op.batch_alter_table('tt_signup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tt_signup_course_id'))

    op.drop_table('tt_signup')
    op.drop_table('tt_makeup_day')
    with op.batch_alter_table('tt_course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tt_course_term_id'))

    op.drop_table('tt_course')
    op.drop_table('tt_term')
    op.drop_table('tt_teacher')
    op.drop_table('tt_room')
