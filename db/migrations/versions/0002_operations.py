"""operations: incidents, footage requests and their history, sign-in control on app_user

Hand-edited from autogenerate; no model imports, plain sa types only.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 16:20:53.828114
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('event_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'dispatched', 'closed', name='incident_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('dispatched_to_post_id', sa.Integer(), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dispatched_by', sa.String(length=80), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['camera.id'], name=op.f('fk_incident_camera_id_camera'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['dispatched_to_post_id'], ['post.id'], name=op.f('fk_incident_dispatched_to_post_id_post'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('code', name=op.f('uq_incident_code'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_event_time'), ['event_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_status'), ['status'], unique=False)

    op.create_table('footage_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('polsek_post_id', sa.Integer(), nullable=True),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('requested', 'owner_contacted', 'received', 'reviewed', 'unavailable', name='footage_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['camera.id'], name=op.f('fk_footage_request_camera_id_camera'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_footage_request_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['owner.id'], name=op.f('fk_footage_request_owner_id_owner'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['polsek_post_id'], ['post.id'], name=op.f('fk_footage_request_polsek_post_id_post'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_footage_request')),
    sa.UniqueConstraint('incident_id', 'camera_id', name='uq_footage_request_incident_camera')
    )
    with op.batch_alter_table('footage_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_footage_request_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_footage_request_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_footage_request_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_footage_request_polsek_post_id'), ['polsek_post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_footage_request_status'), ['status'], unique=False)

    op.create_table('footage_request_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('from_status', sa.Enum('requested', 'owner_contacted', 'received', 'reviewed', 'unavailable', name='footage_event_from', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('to_status', sa.Enum('requested', 'owner_contacted', 'received', 'reviewed', 'unavailable', name='footage_event_to', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['footage_request.id'], name=op.f('fk_footage_request_event_request_id_footage_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_footage_request_event'))
    )
    with op.batch_alter_table('footage_request_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_footage_request_event_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_attempts')

    with op.batch_alter_table('footage_request_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_footage_request_event_request_id'))

    op.drop_table('footage_request_event')
    with op.batch_alter_table('footage_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_footage_request_status'))
        batch_op.drop_index(batch_op.f('ix_footage_request_polsek_post_id'))
        batch_op.drop_index(batch_op.f('ix_footage_request_owner_id'))
        batch_op.drop_index(batch_op.f('ix_footage_request_incident_id'))
        batch_op.drop_index(batch_op.f('ix_footage_request_deadline'))

    op.drop_table('footage_request')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_status'))
        batch_op.drop_index(batch_op.f('ix_incident_event_time'))
        batch_op.drop_index(batch_op.f('ix_incident_category'))

    op.drop_table('incident')
