"""intake: indexes for the report, the 公示 list and the supervisor's reopened list

Revision ID: 0002_intake
Revises: 0001_intake
"""
from alembic import op


revision = '0002_intake'
down_revision = '0001_intake'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_intake_case_filed_on', 'intake_case', ['filed_on'], unique=False)
    op.create_index('ix_intake_case_published_at', 'intake_case', ['published_at'], unique=False)
    op.create_index('ix_intake_case_reopen_count', 'intake_case', ['reopen_count'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_intake_case_reopen_count', table_name='intake_case')
    op.drop_index('ix_intake_case_published_at', table_name='intake_case')
    op.drop_index('ix_intake_case_filed_on', table_name='intake_case')
