"""Bulk writers: validated frames in, rows upserted by code, nothing committed.

Each writer takes an open Session (the caller owns the transaction), compares the incoming rows with
what is stored, inserts the new ones and updates the changed ones with Core executemany statements in
chunks (no per-row ORM objects), and bumps the data version when anything changed.

Columns absent from a frame are left as they are on existing rows and get their defaults on new ones,
so a file without a stream_url column never wipes stored stream URLs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Integer, Table, bindparam, delete, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from db.models import Camera, District, DutyUnit, Layer, Owner, Post, utcnow
from db.repositories import LAYERS, REGISTRY, bump_version, districts_frame
from geo.assign import assign_points


def _table(model) -> Table:
    """A mapped class's Table (its __table__ is typed as a FromClause)."""
    return cast(Table, model.__table__)

CHUNK_ROWS = 10_000
Progress = Callable[[int, int], None]

OWNER_FIELDS = ["name", "owner_class", "phone", "email", "address"]
CAMERA_FIELDS = ["name", "lon", "lat", "address", "kind", "bearing_deg", "fov_deg", "range_m", "height_m",
                 "bearing_adjustable", "connection", "consent", "consent_signed_on", "consent_expires_on",
                 "dvr_retention_days", "sticker_installed", "stream_url", "notes", "registered_by"]
POST_FIELDS = ["kind", "name", "address", "lon", "lat", "personnel"]
DUTY_UNIT_FIELDS = ["headcount", "shift_start", "shift_end", "last_lon", "last_lat", "last_seen_at"]
DISTRICT_FIELDS = ["name", "level", "population", "area_km2", "synthetic", "source"]


class UnknownReference(LookupError):
    """A row names an owner, post or parent district that does not exist."""


@dataclass(frozen=True)
class WriteSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    def __add__(self, other: WriteSummary) -> WriteSummary:
        return WriteSummary(self.added + other.added, self.updated + other.updated,
                            self.unchanged + other.unchanged)


# --- public writers -------------------------------------------------------------------------------

def upsert_owners(session: Session, df: pd.DataFrame) -> WriteSummary:
    frame = _present(df, "code", OWNER_FIELDS)
    summary = _upsert(session, _table(Owner), "code", frame)
    return _bump_if_changed(session, summary)


def upsert_cameras(session: Session, df: pd.DataFrame, progress: Progress | None = None, *,
                   with_districts: bool = False) -> WriteSummary:
    """Upsert cameras by code. ``with_districts``: set district_id by spatial join as rows are written
    (the importer does; callers that run assign_districts() afterwards need not)."""
    frame = _present(df, "code", [*CAMERA_FIELDS, "owner_code"])
    if "owner_code" in frame:
        frame["owner_id"] = _resolve(session, _table(Owner), "code", frame.pop("owner_code"), "owner")
    if with_districts:
        frame = _with_districts(session, frame)
    summary = _upsert(session, _table(Camera), "code", frame, progress=progress)
    return _bump_if_changed(session, summary)


def upsert_posts(session: Session, df: pd.DataFrame, *, with_districts: bool = False) -> WriteSummary:
    frame = _present(df, "code", POST_FIELDS)
    if with_districts:
        frame = _with_districts(session, frame)
    return _bump_if_changed(session, _upsert(session, _table(Post), "code", frame))


def _with_districts(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    """Add district_id by spatial join when the rows carry coordinates and districts exist.

    Rows are assigned as they are written, so an import needs no separate assignment pass.
    """
    if "lon" not in frame or "lat" not in frame:
        return frame
    districts = districts_frame(session)
    if not len(districts):
        return frame
    code_to_id = dict(zip(districts["code"], districts["id"], strict=True))
    codes = assign_points(pd.to_numeric(frame["lon"]).to_numpy(float), pd.to_numeric(frame["lat"]).to_numpy(float),
                          districts)
    frame["district_id"] = pd.Series([code_to_id.get(c) if c is not None else None for c in codes],
                                     index=frame.index, dtype=object)
    return frame


def upsert_duty_units(session: Session, df: pd.DataFrame) -> WriteSummary:
    frame = _present(df, "callsign", [*DUTY_UNIT_FIELDS, "post_code"])
    if "post_code" in frame:
        frame["post_id"] = _resolve(session, _table(Post), "code", frame.pop("post_code"), "post")
    return _bump_if_changed(session, _upsert(session, _table(DutyUnit), "callsign", frame))


def upsert_districts(session: Session, gdf: gpd.GeoDataFrame) -> WriteSummary:
    """Upsert districts by code; parents may be stored already or come in the same frame."""
    frame = _present(gdf, "code", DISTRICT_FIELDS)
    frame["geometry_wkb"] = list(shapely.to_wkb(np.asarray(gdf.geometry.values), hex=False))
    parents = gdf["parent_code"] if "parent_code" in gdf else pd.Series(None, index=gdf.index, dtype=object)
    frame["parent_code"] = _nullable(parents.reset_index(drop=True))
    table = _table(District)
    summary = WriteSummary()
    pending = frame
    # Parents before children: each pass writes the rows whose parent is stored (or who have none).
    while len(pending):
        stored_codes = set(session.execute(select(table.c.code)).scalars())
        ready = pending["parent_code"].map(lambda c, known=stored_codes: c is None or str(c) in known).to_numpy(bool)
        if not ready.any():
            missing = sorted({str(c) for c in pending["parent_code"]})
            raise UnknownReference(f"unknown parent district code(s): {', '.join(missing[:5])}; "
                                   "import the parent level first")
        batch = pending[ready].reset_index(drop=True)
        batch["parent_id"] = _resolve(session, table, "code", batch.pop("parent_code"), "parent district")
        summary = summary + _upsert(session, table, "code", batch)
        pending = pending[~ready]
    return _bump_if_changed(session, summary)


def replace_layer(session: Session, layer: str, gdf: gpd.GeoDataFrame) -> WriteSummary:
    """Replace every feature of one named layer; unchanged (and not rewritten) when identical."""
    table = _table(Layer)
    names = _nullable(gdf["name"].reset_index(drop=True)) if "name" in gdf else [None] * len(gdf)
    weights = gdf["weight"].fillna(1.0).astype(float).tolist() if "weight" in gdf else [1.0] * len(gdf)
    wkbs = list(shapely.to_wkb(np.asarray(gdf.geometry.values), hex=False))
    incoming = [{"layer": layer, "name": n, "weight": w, "geometry_wkb": g}
                for n, w, g in zip(list(names), weights, wkbs, strict=True)]
    stored = session.execute(select(table.c.name, table.c.weight, table.c.geometry_wkb)
                             .where(table.c.layer == layer).order_by(table.c.id)).all()
    if [(r["name"], r["weight"], r["geometry_wkb"]) for r in incoming] == [tuple(s) for s in stored]:
        return WriteSummary(unchanged=len(incoming))
    session.execute(delete(table).where(table.c.layer == layer))
    for start in range(0, len(incoming), CHUNK_ROWS):
        session.execute(table.insert(), incoming[start:start + CHUNK_ROWS])
    bump_version(session, LAYERS)
    return WriteSummary(added=len(incoming))


def assign_districts(session: Session) -> int:
    """Set camera and post districts by spatial join to the finest level; returns rows changed."""
    districts = districts_frame(session)
    code_to_id = dict(zip(districts["code"], districts["id"], strict=True)) if len(districts) else {}
    changed = sum(int(_assign_table(session, _table(model), districts, code_to_id)) for model in (Camera, Post))
    if changed:
        bump_version(session, REGISTRY)
    return changed


# --- the shared upsert ------------------------------------------------------------------------------

def _upsert(session: Session, table: Table, key: str, frame: pd.DataFrame,
            progress: Progress | None = None) -> WriteSummary:
    """Insert new keys, update changed rows, count the rest; ``frame`` uses the table's column names."""
    total = len(frame)
    if frame[key].duplicated().any():
        raise ValueError(f"duplicate {key} values in the frame; validate it first")
    fields = [c for c in frame.columns if c != key]
    frame = _fill_defaults(frame.reset_index(drop=True), table)
    stored = _stored(session, table, key, fields)
    merged = frame.merge(stored, on=key, how="left", suffixes=("", "__stored"))
    is_new = merged["__id"].isna().to_numpy()
    same = np.ones(len(merged), dtype=bool)
    for field in fields:
        same &= _same(merged[field], merged[field + "__stored"])
    is_changed = ~is_new & ~same
    done = 0
    done = _insert_rows(session, table, frame.loc[is_new, [key, *fields]], progress, done, total)
    updates = frame.loc[is_changed, fields].copy()
    updates["__id"] = merged.loc[is_changed, "__id"].astype(int).to_numpy()
    done = _update_rows(session, table, updates, progress, done, total)
    if progress is not None:
        progress(total, total)
    added, updated = int(is_new.sum()), int(is_changed.sum())
    return WriteSummary(added, updated, total - added - updated)


def _insert_rows(session, table, frame, progress, done, total) -> int:
    """Insert new rows through the driver: COPY on PostgreSQL, executemany on SQLite.

    Values go through each column type's own bind processor (per column, not per row), so stored
    values are exactly what the ORM would have written.
    """
    if not len(frame):
        return done
    connection = session.connection()
    dialect = connection.dialect
    defaults = _missing_defaults(table, frame.columns)
    columns = list(frame.columns) + list(defaults)
    values = [_bound(table.c[c], frame[c], dialect) for c in frame.columns]
    values += [[_bound(table.c[c], pd.Series([v], dtype=object), dialect)[0]] * len(frame)
               for c, v in defaults.items()]
    rows = list(zip(*values, strict=True))
    quoted = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    name = dialect.identifier_preparer.format_table(table)
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start:start + CHUNK_ROWS]
        if dialect.name == "postgresql":
            cursor = connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row(row)
        else:
            placeholders = ", ".join("?" for _ in columns)
            connection.exec_driver_sql(f"INSERT INTO {name} ({quoted}) VALUES ({placeholders})", chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return done


def _missing_defaults(table: Table, present) -> dict:
    """Python-side defaults (scalars and callables like utcnow) for columns the frame lacks."""
    out = {}
    for column in table.c:
        if column.name in present or column.primary_key or column.default is None:
            continue
        default = column.default
        if isinstance(default, ScalarElementColumnDefault):
            out[column.name] = _plain(default.arg)
        elif isinstance(default, CallableColumnDefault):
            out[column.name] = default.arg(None)  # type: ignore[arg-type]  # wrapped to take a context; ours ignore it
    return out


def _bound(column, series: pd.Series, dialect) -> list:
    """Driver-ready values for one column: None for missing, the type's bind processor applied once per
    distinct value (enum labels, dates and the shared timestamp repeat a lot)."""
    to_int = isinstance(column.type, Integer)  # ids mapped through pandas may arrive as 1.0
    processor = column.type._cached_bind_processor(dialect)
    memo: dict = {}
    out: list = []
    for value in series.tolist():
        if value is None or value != value:
            out.append(None)
            continue
        try:
            out.append(memo[value])
        except (KeyError, TypeError):
            bound = int(value) if to_int else value
            bound = processor(bound) if processor is not None else bound
            try:
                memo[value] = bound
            except TypeError:
                pass
            out.append(bound)
    return out


def _update_rows(session, table, frame, progress, done, total) -> int:
    if not len(frame):
        return done
    if "updated_at" in table.c:
        frame = frame.assign(updated_at=utcnow())
    fields = [c for c in frame.columns if c != "__id"]
    stmt = (table.update().where(table.c.id == bindparam("b___id"))
            .values({f: bindparam("b_" + f) for f in fields}))
    records = [{"b_" + k: v for k, v in r.items()} for r in _records(frame)]
    for start in range(0, len(records), CHUNK_ROWS):
        session.execute(stmt, records[start:start + CHUNK_ROWS])
        done += len(records[start:start + CHUNK_ROWS])
        if progress is not None:
            progress(done, total)
    return done


def _assign_table(session: Session, table: Table, districts: gpd.GeoDataFrame, code_to_id: dict) -> int:
    rows = session.execute(select(table.c.id, table.c.lon, table.c.lat, table.c.district_id)).all()
    if not rows:
        return 0
    ids, lon, lat, current = (np.asarray(col, dtype=object) for col in zip(*rows, strict=True))
    codes = assign_points(lon.astype(float), lat.astype(float), districts)
    wanted = np.array([code_to_id.get(c) if c is not None else None for c in codes], dtype=object)
    differs = np.array([w != c for w, c in zip(wanted, current, strict=True)], dtype=bool)
    changed = 0
    # Group by target district: one UPDATE .. WHERE id IN (...) per district and chunk, fast on both backends.
    targets = pd.Series(ids[differs]).groupby(pd.Series(wanted[differs], dtype=object), dropna=False)
    for district_id, group in targets:
        district_id = None if pd.isna(district_id) else int(district_id)
        id_list = [int(i) for i in group]
        for start in range(0, len(id_list), CHUNK_ROWS // 2):
            chunk = id_list[start:start + CHUNK_ROWS // 2]
            values: dict[str, Any] = {"district_id": district_id}
            if "updated_at" in table.c:  # a derived field: keep the row's own updated_at
                values["updated_at"] = table.c.updated_at
            session.execute(table.update().where(table.c.id.in_(chunk)).values(values))
            changed += len(chunk)
    return changed


# --- helpers ------------------------------------------------------------------------------------------

def _present(df: pd.DataFrame, key: str, fields: list[str]) -> pd.DataFrame:
    if key not in df:
        raise KeyError(f"the frame has no '{key}' column")
    columns = [key] + [f for f in fields if f in df.columns]
    frame = pd.DataFrame({c: _nullable(df[c].reset_index(drop=True)) for c in columns})
    frame[key] = frame[key].astype(str)
    return frame


def _nullable(series: pd.Series) -> pd.Series:
    """Object dtype with None for every missing value (NaN, NaT, pd.NA)."""
    values = series.astype(object)
    return values.where(values.notna(), None)


def _stored(session: Session, table: Table, key: str, fields: list[str]) -> pd.DataFrame:
    # Plain tuples: pandas probes each Row with hasattr(), which is slow on SQLAlchemy rows.
    rows = [tuple(r) for r in session.execute(select(table.c.id, table.c[key], *[table.c[f] for f in fields]))]
    stored = pd.DataFrame(rows, columns=["__id", key] + [f + "__stored" for f in fields], dtype=object)
    stored[key] = stored[key].astype(str)
    return stored


def _same(incoming: pd.Series, stored: pd.Series) -> np.ndarray:
    a = incoming.to_numpy(dtype=object)
    b = stored.to_numpy(dtype=object)
    a_null, b_null = pd.isna(a), pd.isna(b)
    equal = np.asarray(a == b, dtype=bool) if len(a) else np.zeros(0, dtype=bool)
    return (a_null & b_null) | (~a_null & ~b_null & equal)


def _plain(value):
    """Enum members compare by value; numpy scalars as Python ones."""
    value = getattr(value, "value", value)
    return value.item() if isinstance(value, np.generic) else value


def _fill_defaults(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    for name in frame.columns:
        column = table.c.get(name)
        if column is None or column.nullable or not isinstance(column.default, ScalarElementColumnDefault):
            continue
        default = _plain(column.default.arg)
        frame[name] = frame[name].map(lambda v, d=default: d if v is None else v)
    return frame


def _records(frame: pd.DataFrame) -> list[dict]:
    plain = frame.astype(object)
    plain = plain.where(plain.notna(), None)
    return plain.to_dict("records")


def _resolve(session: Session, table: Table, key: str, codes: pd.Series, what: str,
             missing_ok: bool = False) -> pd.Series:
    """Map codes to row ids; None stays None; unknown codes raise UnknownReference unless missing_ok."""
    codes = _nullable(codes.reset_index(drop=True))
    wanted = {str(c) for c in codes if c is not None}
    known = dict(session.execute(select(table.c[key], table.c.id)).all()) if wanted else {}
    unknown = sorted(wanted - set(known))
    if unknown and not missing_ok:
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise UnknownReference(f"unknown {what} code(s): {shown}; import them first")
    return codes.map(lambda c: known.get(str(c)) if c is not None else None)


def _bump_if_changed(session: Session, summary: WriteSummary) -> WriteSummary:
    if summary.changed:
        bump_version(session, REGISTRY)
    return summary
