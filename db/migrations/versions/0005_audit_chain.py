"""audit hash chain: each event's previous hash and own hash, and the chain's head

Written by hand; no model imports. The events already in the table are chained here, in id order,
with db/audit_chain.py (pure functions, no models), so the chain covers the whole log from now on.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:35:00
"""
import sqlalchemy as sa
from alembic import op

from db.audit_chain import GENESIS, canonical_json, event_hash, iso_utc

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event') as batch:
        batch.add_column(sa.Column('prev_hash', sa.String(64), nullable=True))
        batch.add_column(sa.Column('hash', sa.String(64), nullable=True))
    head = op.create_table('audit_chain_head',
                           sa.Column('id', sa.Integer(), primary_key=True),
                           sa.Column('events', sa.BigInteger(), nullable=False),
                           sa.Column('last_id', sa.BigInteger(), nullable=True),
                           sa.Column('last_hash', sa.String(64), nullable=False))
    bind = op.get_bind()
    events = sa.table('audit_event', sa.column('id'), sa.column('at'), sa.column('actor'), sa.column('action'),
                      sa.column('target'), sa.column('detail', sa.JSON), sa.column('prev_hash'), sa.column('hash'))
    previous, last_id, count = GENESIS, None, 0
    rows = bind.execute(sa.select(events.c.id, events.c.at, events.c.actor, events.c.action, events.c.target,
                                  events.c.detail).order_by(events.c.id)).all()
    for row in rows:
        # the detail is written again in the canonical form the chain hashes (db/engine.py writes it so)
        detail = canonical_json(row.detail) if row.detail is not None else None
        digest = event_hash(previous, row.id, iso_utc(row.at), row.actor, row.action, row.target, detail)
        bind.execute(events.update().where(events.c.id == row.id)
                     .values(detail=row.detail, prev_hash=previous, hash=digest))
        previous, last_id, count = digest, row.id, count + 1
    op.bulk_insert(head, [{'id': 1, 'events': count, 'last_id': last_id, 'last_hash': previous}])


def downgrade() -> None:
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_column('hash')
        batch.drop_column('prev_hash')
