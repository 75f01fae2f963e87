"""feed evidence: when a feed last ran, and what the latest camera check heard (map health)

Written by hand; no model imports, plain sa types only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 18:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feed') as batch:
        batch.add_column(sa.Column('ran_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('answered', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('feed') as batch:
        batch.drop_column('answered')
        batch.drop_column('checked_at')
        batch.drop_column('ran_at')
