"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 16:14:29.382139
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('role', sa.Enum('commander', 'operator', 'admin', 'briefing', name='role', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('data_version',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_version'))
    )
    op.create_table('district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.Enum('kecamatan', 'kelurahan', name='district_level', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('area_km2', sa.Float(), nullable=True),
    sa.Column('geometry_wkb', sa.LargeBinary(), nullable=False),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['district.id'], name=op.f('fk_district_parent_id_district'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district')),
    sa.UniqueConstraint('code', name=op.f('uq_district_code'))
    )
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_level'), ['level'], unique=False)

    op.create_table('layer_feature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('layer', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('geometry_wkb', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_layer_feature'))
    )
    with op.batch_alter_table('layer_feature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_layer_feature_layer'), ['layer'], unique=False)

    op.create_table('owner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner_class', sa.Enum('government', 'company', 'housing', 'private', name='owner_class', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_owner')),
    sa.UniqueConstraint('code', name=op.f('uq_owner_code'))
    )
    with op.batch_alter_table('owner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_owner_class'), ['owner_class'], unique=False)

    op.create_table('relay_node',
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('public_url', sa.String(length=300), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('node_id', name=op.f('pk_relay_node'))
    )
    op.create_table('camera',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('fixed', 'dome', 'ptz', name='camera_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('bearing_deg', sa.Float(), nullable=True),
    sa.Column('fov_deg', sa.Float(), nullable=True),
    sa.Column('range_m', sa.Float(), nullable=True),
    sa.Column('height_m', sa.Float(), nullable=True),
    sa.Column('bearing_adjustable', sa.Boolean(), nullable=False),
    sa.Column('connection', sa.Enum('connected', 'registered', name='connection', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('consent', sa.Enum('registry_only', 'on_request', 'live', name='consent_level', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('consent_signed_on', sa.Date(), nullable=True),
    sa.Column('consent_expires_on', sa.Date(), nullable=True),
    sa.Column('dvr_retention_days', sa.Integer(), nullable=True),
    sa.Column('sticker_installed', sa.Boolean(), nullable=False),
    sa.Column('stream_url', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('registered_by', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_camera_district_id_district'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['owner.id'], name=op.f('fk_camera_owner_id_owner'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_camera')),
    sa.UniqueConstraint('code', name=op.f('uq_camera_code'))
    )
    with op.batch_alter_table('camera', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_connection'), ['connection'], unique=False)
        batch_op.create_index(batch_op.f('ix_camera_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_camera_owner_id'), ['owner_id'], unique=False)

    op.create_table('post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('polres', 'polsek', 'security_post', name='post_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('personnel', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_post_district_id_district'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post')),
    sa.UniqueConstraint('code', name=op.f('uq_post_code'))
    )
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_kind'), ['kind'], unique=False)

    op.create_table('duty_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('callsign', sa.String(length=64), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('shift_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shift_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_lon', sa.Float(), nullable=True),
    sa.Column('last_lat', sa.Float(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_duty_unit_post_id_post'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_unit')),
    sa.UniqueConstraint('callsign', name=op.f('uq_duty_unit_callsign'))
    )
    with op.batch_alter_table('duty_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_unit_post_id'), ['post_id'], unique=False)

    op.create_table('feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('always_on', 'on_demand', 'off', name='feed_mode', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('profile', sa.String(length=40), nullable=False),
    sa.Column('audio', sa.String(length=16), nullable=False),
    sa.Column('state', sa.Enum('stopped', 'starting', 'running', 'stalled', 'backoff', 'failed', name='feed_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('state_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fps', sa.Float(), nullable=True),
    sa.Column('bitrate_kbps', sa.Float(), nullable=True),
    sa.Column('codec', sa.String(length=32), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('restarts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('node_id', sa.String(length=64), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['camera_id'], ['camera.id'], name=op.f('fk_feed_camera_id_camera'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed')),
    sa.UniqueConstraint('camera_id', name=op.f('uq_feed_camera_id'))
    )
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_node_id'), ['node_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_node_id'))

    op.drop_table('feed')
    with op.batch_alter_table('duty_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_unit_post_id'))

    op.drop_table('duty_unit')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_kind'))

    op.drop_table('post')
    with op.batch_alter_table('camera', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_owner_id'))
        batch_op.drop_index(batch_op.f('ix_camera_district_id'))
        batch_op.drop_index(batch_op.f('ix_camera_connection'))

    op.drop_table('camera')
    op.drop_table('relay_node')
    with op.batch_alter_table('owner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_owner_class'))

    op.drop_table('owner')
    with op.batch_alter_table('layer_feature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_layer_feature_layer'))

    op.drop_table('layer_feature')
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_level'))

    op.drop_table('district')
    op.drop_table('data_version')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    op.drop_table('app_user')
