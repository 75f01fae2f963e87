"""Read-side repositories: take a Session, return GeoDataFrames for geo/ and the dashboard.

They never commit. Stream URLs (secrets) are never selected here.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from db.models import Camera, DataVersion, District, DutyUnit, Layer, Owner, Post, utcnow
from geo.vocabulary import DistrictLevel

WGS84 = "EPSG:4326"
REGISTRY = "registry"  # cameras, owners, posts, districts
LAYERS = "layers"      # priority / building layers

CAMERA_COLUMNS = ["id", "code", "name", "lon", "lat", "address", "kind", "bearing_deg", "fov_deg", "range_m",
                  "height_m", "bearing_adjustable", "connection", "consent", "consent_signed_on",
                  "consent_expires_on", "dvr_retention_days", "sticker_installed", "notes", "registered_by",
                  "created_at", "updated_at"]


def bump_version(session: Session, name: str = REGISTRY) -> None:
    """Record that a dataset changed, so caches keyed on data_version() recompute."""
    values = {"name": name, "version": 1, "changed_at": utcnow()}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(DataVersion).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=["name"],
                                      set_={"version": DataVersion.version + 1, "changed_at": utcnow()})
    session.execute(stmt)


def data_version(session: Session, *names: str) -> tuple[int, ...]:
    names = names or (REGISTRY,)
    rows = dict(session.execute(select(DataVersion.name, DataVersion.version)
                                .where(DataVersion.name.in_(names))).all())
    return tuple(rows.get(n, 0) for n in names)


def data_fingerprint(session: Session, *names: str) -> tuple:
    """A cache key for derived data that survives processes and databases.

    Besides the version counters it carries which database this is and when each dataset last
    changed, so a recreated database (counters back at 1) or a second database sharing the same
    data directory never hits another's cached results.
    """
    names = names or (REGISTRY,)
    rows = {name: (version, changed.isoformat()) for name, version, changed in session.execute(
        select(DataVersion.name, DataVersion.version, DataVersion.changed_at).where(DataVersion.name.in_(names)))}
    bind = session.get_bind()
    url = bind.engine.url if isinstance(bind, Connection) else bind.url
    database = url.render_as_string(hide_password=True)
    return (database, *tuple(rows.get(n, (0, "")) for n in names))


def _result_frame(result) -> pd.DataFrame:
    """A DataFrame from a Result; plain tuples spare pandas its per-row attribute probing."""
    columns = list(result.keys())
    return pd.DataFrame([tuple(row) for row in result], columns=columns)


def _enum_values(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for col in columns:
        if col in frame:
            frame[col] = frame[col].map(lambda v: getattr(v, "value", v))
    return frame


def cameras_frame(session: Session) -> gpd.GeoDataFrame:
    """Every camera with its owner and district, as points in WGS 84 (no stream URL)."""
    parent = aliased(District)
    stmt = (select(*[getattr(Camera, c) for c in CAMERA_COLUMNS],
                   (Camera.stream_url.is_not(None)).label("has_stream"),
                   Owner.code.label("owner_code"), Owner.name.label("owner_name"),
                   Owner.owner_class.label("owner_class"), Owner.phone.label("owner_phone"),
                   Owner.email.label("owner_email"),
                   District.code.label("district_code"), District.name.label("district_name"),
                   parent.code.label("kecamatan_code"), parent.name.label("kecamatan_name"))
            .outerjoin(Owner, Camera.owner_id == Owner.id)
            .outerjoin(District, Camera.district_id == District.id)
            .outerjoin(parent, District.parent_id == parent.id)
            .order_by(Camera.id))
    frame = _result_frame(session.execute(stmt))
    frame = _enum_values(frame, ["kind", "connection", "consent", "owner_class"])
    # A camera assigned directly to a kecamatan has no parent: its kecamatan is its district.
    if len(frame):
        direct = frame["kecamatan_code"].isna()
        frame.loc[direct, "kecamatan_code"] = frame.loc[direct, "district_code"]
        frame.loc[direct, "kecamatan_name"] = frame.loc[direct, "district_name"]
    geometry = shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float)) if len(frame) else []
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)


def districts_frame(session: Session, level: DistrictLevel | str | None = None) -> gpd.GeoDataFrame:
    parent = aliased(District)
    stmt = (select(District.id, District.code, District.name, District.level, District.population,
                   District.area_km2, District.synthetic, District.source, District.geometry_wkb,
                   parent.code.label("parent_code"), parent.name.label("parent_name"))
            .outerjoin(parent, District.parent_id == parent.id).order_by(District.code))
    if level is not None:
        stmt = stmt.where(District.level == DistrictLevel.parse(level))
    frame = _result_frame(session.execute(stmt))
    frame = _enum_values(frame, ["level"])
    geometry = shapely.from_wkb(frame.pop("geometry_wkb").to_numpy()) if len(frame) else []
    if not len(frame):
        frame = frame.drop(columns=["geometry_wkb"], errors="ignore")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)


def posts_frame(session: Session) -> gpd.GeoDataFrame:
    stmt = (select(Post.id, Post.code, Post.kind, Post.name, Post.address, Post.lon, Post.lat, Post.personnel,
                   District.code.label("district_code"), District.name.label("district_name"))
            .outerjoin(District, Post.district_id == District.id).order_by(Post.code))
    frame = _enum_values(_result_frame(session.execute(stmt)), ["kind"])
    geometry = shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float)) if len(frame) else []
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)


def duty_units_frame(session: Session) -> gpd.GeoDataFrame:
    stmt = (select(DutyUnit.id, DutyUnit.callsign, DutyUnit.headcount, DutyUnit.shift_start, DutyUnit.shift_end,
                   DutyUnit.last_lon, DutyUnit.last_lat, DutyUnit.last_seen_at,
                   Post.code.label("post_code"), Post.name.label("post_name"))
            .outerjoin(Post, DutyUnit.post_id == Post.id).order_by(DutyUnit.callsign))
    frame = _result_frame(session.execute(stmt))
    if len(frame):
        lon = frame["last_lon"].astype(float).to_numpy()
        lat = frame["last_lat"].astype(float).to_numpy()
        geometry = shapely.points(lon, lat)
        geometry[pd.isna(lon) | pd.isna(lat)] = None
    else:
        geometry = []
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)


def layer_frame(session: Session, layer: str) -> gpd.GeoDataFrame:
    frame = _result_frame(session.execute(select(Layer.id, Layer.name, Layer.weight, Layer.geometry_wkb)
                                         .where(Layer.layer == layer).order_by(Layer.id)))
    geometry = shapely.from_wkb(frame.pop("geometry_wkb").to_numpy()) if len(frame) else []
    if not len(frame):
        frame = frame.drop(columns=["geometry_wkb"], errors="ignore")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)


def touch(session: Session, model, ids: list[int]) -> None:
    """Mark rows updated (used by writers that change rows through Core statements)."""
    if ids:
        session.execute(update(model).where(model.id.in_(ids)).values(updated_at=utcnow()))


def camera_detail(session: Session, code: str) -> dict | None:
    """One camera for its card, with its owner's name, class and contacts (never the stream URL)."""
    wanted = [getattr(Camera, c) for c in CAMERA_COLUMNS]
    stmt = (select(*wanted, Camera.stream_url.is_not(None).label("has_stream"), Owner.name.label("owner_name"),
                   Owner.owner_class.label("owner_class"), Owner.phone.label("owner_phone"),
                   Owner.email.label("owner_email"), Owner.address.label("owner_address"))
            .outerjoin(Owner, Camera.owner_id == Owner.id).where(Camera.code == code))
    row = session.execute(stmt).mappings().first()
    if row is None:
        return None
    return {k: getattr(v, "value", v) for k, v in row.items()}
