"""officer identity: the rank (pangkat) and NRP an officer signs official letters with

Hand-written; no model imports, plain sa types only. Both columns are optional: an account without
them signs with its name only, as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 21:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rank', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('nrp', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('nrp')
        batch_op.drop_column('rank')
