"""intake: Open311 keys move to the core's api_key table (scope open311); intake_api_key is dropped

Why here and not in the core's revision: only the intake branch knows its table exists. The keys'
hashes are copied as they are, so every key already handed out keeps working; a revoked key stays
revoked (revoked_at is the time of this upgrade, the old table kept no date).

Revision ID: 0003_intake
Revises: 0002_intake
"""
from alembic import op
import sqlalchemy as sa
import kiosk.api.storage
from kiosk.api import utcnow


revision = '0003_intake'
down_revision = '0002_intake'
branch_labels = None
depends_on = '0004_core'

_old = sa.table('intake_api_key', sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('key_hash', sa.String),
                sa.column('created_at', kiosk.api.storage.UTCDateTime(timezone=True)), sa.column('revoked', sa.Boolean))
_new = sa.table('api_key', sa.column('name', sa.String), sa.column('scopes', sa.String), sa.column('key_hash', sa.String),
                sa.column('created_at', kiosk.api.storage.UTCDateTime(timezone=True)), sa.column('created_by', sa.String),
                sa.column('revoked_at', kiosk.api.storage.UTCDateTime(timezone=True)))


def upgrade() -> None:
    conn = op.get_bind()
    now = utcnow()
    rows = conn.execute(sa.select(_old.c.name, _old.c.key_hash, _old.c.created_at, _old.c.revoked).order_by(_old.c.id)).all()
    if rows:
        op.bulk_insert(_new, [{"name": r.name, "scopes": "open311", "key_hash": r.key_hash, "created_at": r.created_at,
                               "created_by": "intake_api_key", "revoked_at": now if r.revoked else None} for r in rows])
    op.drop_table('intake_api_key')


def downgrade() -> None:
    op.create_table('intake_api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', kiosk.api.storage.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_intake_api_key_key_hash'))
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(_new.c.name, _new.c.key_hash, _new.c.created_at, _new.c.revoked_at, _new.c.scopes)).all()
    keep = [{"name": r.name, "key_hash": r.key_hash, "created_at": r.created_at, "revoked": r.revoked_at is not None}
            for r in rows if "open311" in r.scopes.split()]
    if keep:
        op.bulk_insert(_old, keep)
