"""Export the camera registry to CSV, GeoJSON or GeoPackage (chosen by the file extension).

Stream URLs are never written (only a has_stream flag). CSV cells that a spreadsheet would run as a
formula (starting with = + - @, tab or CR) get a leading apostrophe; the importer takes it back off,
so export -> import is a no-op. Rows end in CRLF (RFC 4180), so a cell holding a CR or LF is quoted and
stays one cell (with LF rows, a lone CR went out unquoted and split the row, its tail a live formula).
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy.orm import Session

from db.io import checks
from db.repositories import cameras_frame

EXPORT_COLUMNS = ["code", "name", "lon", "lat", "address", "owner_code", "owner", "owner_class", "kind",
                  "bearing_deg", "fov_deg", "range_m", "height_m", "bearing_adjustable", "connection", "consent",
                  "consent_signed_on", "consent_expires_on", "dvr_retention_days", "sticker_installed",
                  "has_stream", "notes", "registered_by", "district_code", "district_name", "kecamatan_name"]
TEXT_COLUMNS = ["code", "name", "address", "owner_code", "owner", "notes", "registered_by", "district_code",
                "district_name", "kecamatan_name"]
FORMATS = {".csv": "csv", ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}


class ExportFormatError(ValueError):
    """The export file's extension names no supported format."""


def export_frame(session: Session) -> gpd.GeoDataFrame:
    cameras = cameras_frame(session).rename(columns={"owner_name": "owner"})
    frame = cameras[[*EXPORT_COLUMNS, "geometry"]].copy()
    for column in ("consent_signed_on", "consent_expires_on"):
        frame[column] = frame[column].map(lambda d: d.isoformat() if d is not None and not pd.isna(d) else None)
    frame["dvr_retention_days"] = frame["dvr_retention_days"].astype("Int64")
    return frame


def export_cameras(session: Session, path: str | Path) -> int:
    """Write every camera to ``path``; returns the number written."""
    path = Path(path)
    driver = FORMATS.get(path.suffix.lower())
    if driver is None:
        raise ExportFormatError(f"cannot export to '{path.suffix or path.name}': use .csv, .geojson or .gpkg")
    frame = export_frame(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    if driver == "csv":
        table = pd.DataFrame(frame.drop(columns="geometry"))
        for column in TEXT_COLUMNS:
            table[column] = table[column].map(lambda v: None if v is None or pd.isna(v) else checks.neutralise(v))
        table.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    else:
        if path.exists():
            path.unlink()
        frame.to_file(path, driver=driver, layer="cameras" if driver == "GPKG" else None)
    return len(frame)
