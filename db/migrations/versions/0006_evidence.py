"""evidence: upload links for owners to hand footage over, and every file received (accepted or refused)

Hand-edited from autogenerate; no model imports, plain sa types only. A link stores the SHA-256 of
its token, never the token.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 20:48:54
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('footage_upload_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_reason', sa.String(length=24), nullable=True),
    sa.Column('max_files', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['footage_request.id'], name=op.f('fk_footage_upload_link_request_id_footage_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_footage_upload_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_footage_upload_link_token_hash'))
    )
    with op.batch_alter_table('footage_upload_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_footage_upload_link_request_id'), ['request_id'], unique=False)

    op.create_table('evidence_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_path', sa.String(length=400), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('verdict', sa.Enum('accepted', 'refused', name='evidence_verdict', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('refusal_reason', sa.String(length=24), nullable=True),
    sa.Column('container', sa.String(length=80), nullable=True),
    sa.Column('video_codec', sa.String(length=40), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('media_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('media_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_from', sa.Text(), nullable=False),
    sa.Column('client_address', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['footage_upload_link.id'], name=op.f('fk_evidence_file_link_id_footage_upload_link'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['footage_request.id'], name=op.f('fk_evidence_file_request_id_footage_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_file'))
    )
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_file_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_file_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_file_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_file_verdict'), ['verdict'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_file_verdict'))
        batch_op.drop_index(batch_op.f('ix_evidence_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_evidence_file_request_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_file_link_id'))

    op.drop_table('evidence_file')
    with op.batch_alter_table('footage_upload_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_footage_upload_link_request_id'))

    op.drop_table('footage_upload_link')
