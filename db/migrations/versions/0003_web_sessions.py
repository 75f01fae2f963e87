"""web sessions: dashboard sign-ins that survive a reload (token hash, user, times)

Written by hand; no model imports, plain sa types only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 13:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('signed_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_session_token_hash'))
    )
    op.create_index(op.f('ix_web_session_username'), 'web_session', ['username'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_web_session_username'), table_name='web_session')
    op.drop_table('web_session')
