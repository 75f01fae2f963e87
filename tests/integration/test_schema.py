from datetime import UTC, datetime

import pytest
import shapely
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, StatementError

from db.migrate import SchemaOutOfDate, current_revision, downgrade, ensure_current, head_revision, upgrade
from db.models import Camera, District, Owner
from db.repositories import bump_version, cameras_frame, data_version, districts_frame
from geo.vocabulary import Connection, DistrictLevel, OwnerClass

EXPECTED_TABLES = {"district", "owner", "camera", "post", "duty_unit", "app_user", "audit_event", "feed",
                   "relay_node", "layer_feature", "data_version"}


def test_migrations_create_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert EXPECTED_TABLES <= tables
    assert current_revision(engine) == head_revision()
    ensure_current(engine)


def test_downgrade_to_base_and_back(database_url, engine):
    downgrade(database_url, "base")
    engine.dispose()
    assert not (EXPECTED_TABLES & set(inspect(engine).get_table_names()))
    with pytest.raises(SchemaOutOfDate, match="noblindspot db upgrade"):
        ensure_current(engine)
    upgrade(database_url)
    engine.dispose()
    assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())


def _district(code="3173010", level=DistrictLevel.KECAMATAN):
    poly = shapely.box(106.70, -6.20, 106.75, -6.15)
    return District(code=code, name="Kembangan", level=level, population=1000, area_km2=30.0,
                    geometry_wkb=shapely.to_wkb(poly))


def test_camera_roundtrip_with_owner_district_and_aware_times(session_factory):
    with session_factory.begin() as s:
        d = _district()
        o = Owner(code="O1", name="Pemkot", owner_class=OwnerClass.GOVERNMENT)
        s.add_all([d, o])
        s.flush()
        s.add(Camera(code="C1", name="Gate", lon=106.72, lat=-6.18, district_id=d.id, owner_id=o.id,
                     stream_url="rtsp://user:secret@10.0.0.1/stream", connection=Connection.CONNECTED))
        bump_version(s)
    with session_factory() as s:
        cam = s.scalar(select(Camera).where(Camera.code == "C1"))
        assert cam.created_at.tzinfo is not None
        assert cam.owner.owner_class is OwnerClass.GOVERNMENT
        frame = cameras_frame(s)
        assert list(frame["code"]) == ["C1"]
        assert frame.loc[0, "owner_class"] == "government"
        assert frame.loc[0, "kecamatan_code"] == "3173010"
        assert "stream_url" not in frame.columns and bool(frame.loc[0, "has_stream"])
        assert frame.crs.to_epsg() == 4326
        assert data_version(s) == (1,)
        dframe = districts_frame(s, "kecamatan")
        assert dframe.geometry.iloc[0].equals(shapely.box(106.70, -6.20, 106.75, -6.15))


def test_data_version_increments(session_factory):
    for _ in range(3):
        with session_factory.begin() as s:
            bump_version(s)
    with session_factory() as s:
        assert data_version(s) == (3,)
        assert data_version(s, "registry", "layers") == (3, 0)


def test_unique_camera_code_enforced(session_factory):
    with pytest.raises(IntegrityError):
        with session_factory.begin() as s:
            s.add_all([Camera(code="DUP", name="a", lon=106.7, lat=-6.1),
                       Camera(code="DUP", name="b", lon=106.7, lat=-6.1)])
    with session_factory() as s:
        assert s.scalar(select(Camera).where(Camera.code == "DUP")) is None


def test_naive_datetime_refused(session_factory):
    with pytest.raises(StatementError, match="naive datetime"):
        with session_factory.begin() as s:
            s.add(Camera(code="X", name="x", lon=106.7, lat=-6.1, created_at=datetime(2024, 1, 1)))


def test_enum_check_constraint_rejects_unknown_value(engine):
    from sqlalchemy import text
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO owner (code, name, owner_class, updated_at) "
                              "VALUES ('o', 'n', 'martian', :t)"), {"t": datetime.now(UTC)})
