"""Read registry files into a raw table: canonical column names, values as found, user line numbers.

CSV is read with the csv module (UTF-8 with or without BOM, cp1252 then latin-1 fallback, ``,`` ``;``
or tab detected from the header) so each row keeps the line number the user sees (header = line 1).
Everything else goes through geopandas/pyogrio (GeoJSON, GeoPackage, zipped Shapefile, any OGR
format); a spatial file's "line" is its feature number. Point geometry supplies lon/lat.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from db.io.columns import CAMERAS, map_headers
from db.io.osm import is_osm, osm_to_camera_columns

BOM = b"\xef\xbb\xbf"
DELIMITERS = (",", ";", "\t")
WGS84 = "EPSG:4326"


class RegistryFileError(ValueError):
    """The file cannot be read as a registry file; the message says what to do."""


@dataclass
class RawTable:
    frame: pd.DataFrame            # canonical columns, object dtype, values as found (text or typed)
    lines: np.ndarray              # per row: the line (CSV) or feature number the user sees
    source: Path
    is_csv: bool = False
    decimal_comma: bool = False    # `;`-separated CSV: "106,7363" means 106.7363
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    geometry_types: pd.Series | None = None  # per row, for spatial files
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> the file's own header

    def header(self, column: str) -> str:
        return self.headers.get(column, column)

    def __len__(self) -> int:
        return len(self.frame)


def read_table(path: str | Path, kind: str, layer: str | None = None) -> RawTable:
    """Read one registry file of the given record kind (cameras, owners, posts, duty-units)."""
    path = Path(path)
    if not path.exists():
        raise RegistryFileError(f"{path}: no such file")
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return _read_csv(path, kind)
    return _read_spatial(path, kind, layer)


# --- CSV ----------------------------------------------------------------------------------------------

def mixed_encoding_lines(data: bytes) -> tuple[int, int] | None:
    """(a line that is UTF-8, a line that is not), both with non-ASCII text, when a file mixes the two
    (rows pasted from two programs); None otherwise. Decoding such a file as cp1252 stores mojibake."""
    utf8 = other = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other = other or number
        else:
            utf8 = utf8 or number
        if utf8 and other:
            return utf8, other
    return None


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(BOM):
        return data[len(BOM):].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = mixed_encoding_lines(data)
    if mixed:
        raise RegistryFileError(f"the file mixes text encodings: line {mixed[0]} is UTF-8, line {mixed[1]} is not "
                                "(rows pasted from different programs?); open it in a spreadsheet or editor and "
                                "save it again as UTF-8")
    for encoding in ("cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise RegistryFileError("unreadable text encoding")  # latin-1 decodes anything; kept for clarity


def sniff_delimiter(header_line: str) -> str:
    counts = {d: len(next(csv.reader([header_line], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def _read_csv(path: Path, kind: str) -> RawTable:
    try:
        text, encoding = decode(path.read_bytes())
    except RegistryFileError as exc:
        raise RegistryFileError(f"{path}: {exc}") from None
    except UnicodeDecodeError:
        raise RegistryFileError(f"{path}: starts with a UTF-8 BOM but is not UTF-8; save it as UTF-8") from None
    if not text.strip():
        raise RegistryFileError(f"{path}: the file is empty; it needs a header line and rows")
    delimiter = sniff_delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        rows, lines, extra = _csv_rows(reader, len(header))
    except csv.Error as exc:     # a cell over csv.field_size_limit() (131,072 characters), a NUL byte ...
        raise RegistryFileError(f"{path}: line {reader.line_num}: {exc}; a registry cell holds at most "
                                f"{csv.field_size_limit():,} characters (look for an unclosed quote there)") from None
    frame = pd.DataFrame(rows, columns=[str(h) for h in header], dtype=object) if rows else \
        pd.DataFrame(columns=[str(h) for h in header], dtype=object)
    table = _canonical(frame, kind, path, np.asarray(lines, dtype=int))
    table.is_csv, table.encoding, table.decimal_comma = True, encoding, delimiter == ";"
    if extra:
        table.frame["__extra_fields"] = np.isin(table.lines, extra)
    return table


def _csv_rows(reader, width: int) -> tuple[list, list[int], list[int]]:
    """Rows padded or cut to the header's width, each one's first line, and lines with extra fields."""
    rows: list = []
    lines: list[int] = []
    extra: list[int] = []
    previous_end = reader.line_num
    for record in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if len(record) == width and any(record):  # the common case, kept cheap
            rows.append(record)
            lines.append(start)
            continue
        if not record or not any(cell.strip() for cell in record):
            continue
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            extra.append(start)
        rows.append((record + [""] * width)[:width])
        lines.append(start)
    return rows, lines, extra


# --- spatial files ---------------------------------------------------------------------------------------

MAX_UNZIPPED_BYTES = 512 * 1024**2     # a registry archive expands to at most this ...
MAX_ZIP_RATIO = 100                     # ... and no member expands more than 100-fold (shapefiles: 2-10x)


def check_archive(path: Path) -> None:
    """Refuse a zip that would expand past MAX_UNZIPPED_BYTES, or a member compressed more than
    MAX_ZIP_RATIO times (a zip bomb), before GDAL reads a byte of it."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise RegistryFileError(f"{path}: not a readable zip archive ({exc}); zip the shapefile's files again") \
            from None
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED_BYTES:
        raise RegistryFileError(f"{path}: expands to {total / 1024**2:,.0f} MB, over the "
                                f"{MAX_UNZIPPED_BYTES // 1024**2} MB a registry archive may hold; split it or "
                                "import a GeoPackage")
    for member in members:
        if member.file_size > 1024**2 and member.file_size > MAX_ZIP_RATIO * max(1, member.compress_size):
            fold = member.file_size // max(1, member.compress_size)
            raise RegistryFileError(f"{path}: '{member.filename[:80]}' expands {fold:,}-fold (over {MAX_ZIP_RATIO}"
                                    "-fold), which no registry file does; it is refused unread")


def read_spatial_frame(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    if path.suffix.lower() == ".zip":
        check_archive(path)
    try:
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:
        raise RegistryFileError(f"{path}: cannot read it as CSV or a spatial file ({type(exc).__name__}: "
                                f"{str(exc)[:200]}); use CSV, GeoJSON, GeoPackage or a zipped Shapefile") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.active_geometry_name is None:
        # e.g. a zip holding a CSV, or a GeoPackage table without geometry: GDAL reads rows, no places
        raise RegistryFileError(f"{path}: holds a table without map positions; import a CSV file itself "
                                "(unzipped), or a GeoJSON, GeoPackage or zipped Shapefile")
    if gdf.crs is not None and not gdf.crs.equals(WGS84):
        gdf = gdf.to_crs(WGS84)
    return gdf


def _read_spatial(path: Path, kind: str, layer: str | None) -> RawTable:
    gdf = read_spatial_frame(path, layer)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    frame = frame.where(frame.notna(), None)
    geom_types = gdf.geometry.geom_type.astype(object).reset_index(drop=True)
    points = (geom_types == "Point").to_numpy()
    x = np.full(len(gdf), np.nan)
    y = np.full(len(gdf), np.nan)
    if points.any():   # .x on the whole column raises at the first line or polygon: take the points only
        shapes = gdf.geometry.to_numpy()[points]
        x[points] = shapely.get_x(shapes)
        y[points] = shapely.get_y(shapes)
    frame = frame.reset_index(drop=True)
    osm = kind == CAMERAS and is_osm(list(frame.columns))
    if osm:
        frame = frame.assign(lon=x, lat=y)
        frame = osm_to_camera_columns(frame)
    table = _canonical(frame, kind, path, np.arange(1, len(frame) + 1))
    for axis, values in (("lon", x), ("lat", y)):
        lon_lat = "last_" + axis if "last_lon" in _wanted(kind) else axis
        if lon_lat not in table.frame or table.frame[lon_lat].isna().all():
            table.frame[lon_lat] = pd.Series(values, dtype=object).where(~np.isnan(values), None)
    table.geometry_types = geom_types
    return table


# --- shared --------------------------------------------------------------------------------------------

def _wanted(kind: str) -> list[str]:
    from db.io.columns import CANONICAL
    return CANONICAL[kind]


def _canonical(frame: pd.DataFrame, kind: str, path: Path, lines: np.ndarray) -> RawTable:
    mapped, ignored = map_headers(list(frame.columns), kind)
    renamed = frame[list(mapped)].rename(columns=mapped).astype(object)
    return RawTable(frame=renamed.reset_index(drop=True), lines=lines, source=path, ignored_columns=ignored,
                    headers={target: original for original, target in mapped.items()})
