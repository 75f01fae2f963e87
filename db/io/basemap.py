"""The offline basemap file: built from an OpenStreetMap extract, or imported ready-made, and read back.

Building reads the extract with GDAL's OSM driver (through pyogrio, clipped to a bounding box while it
is read), turns it into the layers of geo.basemap and writes each layer with GDAL's PMTiles driver at
its own zoom range. GDAL writes one layer per dataset, so the layers are written one file each and
their tiles joined: a vector tile is a protobuf ``Tile`` whose only field is its repeated layers, so
two uncompressed tiles concatenated are one valid tile holding the layers of both. The joined archive
is written with the ``pmtiles`` package (protomaps), which also reads it back for serving.

Nothing here opens a network connection: the extract is a file the user downloaded once.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

ATTRIBUTION = "© OpenStreetMap contributors"
METRIC_CRS = "EPSG:3857"          # label placement only needs lengths good to a few per cent
OSM_COLUMNS = {"points": ["name", "place"], "lines": ["name", "highway", "railway", "waterway"],
               "multipolygons": ["name", "building", "natural", "landuse", "leisure"]}
OSM_WHERE = {"points": "place IS NOT NULL",
             "lines": "highway IS NOT NULL OR railway IS NOT NULL OR waterway IS NOT NULL",
             "multipolygons": "building IS NOT NULL OR natural IS NOT NULL OR landuse IS NOT NULL "
                              "OR leisure IS NOT NULL OR other_tags LIKE '%\"waterway\"%'"}


class BasemapError(Exception):
    """The extract or file cannot become the product's basemap (the message says why)."""


@dataclass(frozen=True)
class BasemapInfo:
    """What the map needs to know about a basemap file: where, which version, which zooms, which layers."""

    path: Path
    version: str                   # changes whenever the file does: part of the tile URLs (immutable caching)
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]
    layers: tuple[str, ...]
    gzipped: bool                  # tiles stored gzip-compressed (served with Content-Encoding: gzip)


def _read_osm(extract: Path, bbox: tuple[float, float, float, float] | None):
    import pyogrio  # type: ignore[import-untyped]  # pyogrio ships no type information

    frames = {}
    for layer, columns in OSM_COLUMNS.items():
        wanted = columns + (["other_tags"] if layer == "multipolygons" else [])
        try:
            frame = pyogrio.read_dataframe(extract, layer=layer, columns=wanted, where=OSM_WHERE[layer], bbox=bbox)
        except pyogrio.errors.DataSourceError as exc:
            raise BasemapError(f"{extract} is not an OpenStreetMap extract GDAL can read: {exc}") from None
        if layer == "multipolygons" and "waterway" not in frame:      # riverbank is in other_tags
            frame["waterway"] = frame["other_tags"].str.extract(r'"waterway"=>"([^"]*)"', expand=False)
        frames[layer] = frame
    return frames


def build_basemap(extract: Path, out: Path, bbox: tuple[float, float, float, float] | None = None) -> BasemapInfo:
    """Turn an OSM extract (.osm.pbf or .osm) into one PMTiles file at ``out`` (replaced atomically)."""
    import pyogrio

    from geo.basemap import LAYERS, basemap_layers

    if not extract.is_file():
        raise BasemapError(f"no such file: {extract}")
    osm = _read_osm(extract, bbox)
    layers = basemap_layers(osm["points"], osm["lines"], osm["multipolygons"], METRIC_CRS)
    if not any(len(frame) for frame in layers.values()):
        raise BasemapError(f"{extract} holds no roads, water, green areas, buildings or places"
                           + (f" inside {bbox}" if bbox else ""))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".basemap-") as scratch:
        parts = []
        for layer in LAYERS:
            frame = layers[layer.name]
            if not len(frame):
                continue
            part = Path(scratch) / f"{layer.name}.pmtiles"
            pyogrio.write_dataframe(frame, part, driver="PMTiles", layer=layer.name,
                                    dataset_options={"MINZOOM": layer.min_zoom, "MAXZOOM": layer.max_zoom},
                                    layer_options={"MINZOOM": layer.min_zoom, "MAXZOOM": layer.max_zoom})
            parts.append(part)
        joined = Path(scratch) / "joined.pmtiles"
        join_archives(parts, joined, name=extract.name)
        os.replace(joined, out)
    return read_info(out)


def _tiles(path: Path) -> Iterator[tuple[tuple[int, int, int], bytes]]:
    from pmtiles.reader import MmapSource, Reader, all_tiles
    from pmtiles.tile import Compression

    with path.open("rb") as handle:
        reader = Reader(MmapSource(handle))
        gzipped = reader.header()["tile_compression"] == Compression.GZIP
        for zxy, data in all_tiles(reader.get_bytes):
            yield zxy, gzip.decompress(data) if gzipped else data


def join_archives(parts: list[Path], out: Path, name: str) -> None:
    """One PMTiles file holding every layer of ``parts`` (each a PMTiles file of distinct layers)."""
    from pmtiles.reader import MmapSource, Reader
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    tiles: dict[int, list[bytes]] = defaultdict(list)
    vector_layers, bounds = [], []
    for part in parts:
        with part.open("rb") as handle:
            reader = Reader(MmapSource(handle))
            vector_layers += reader.metadata().get("vector_layers", [])
            head = reader.header()
            bounds.append((head["min_lon_e7"], head["min_lat_e7"], head["max_lon_e7"], head["max_lat_e7"]))
        for (z, x, y), data in _tiles(part):
            tiles[zxy_to_tileid(z, x, y)].append(data)
    west, south = min(b[0] for b in bounds), min(b[1] for b in bounds)
    east, north = max(b[2] for b in bounds), max(b[3] for b in bounds)
    zooms = [layer["minzoom"] for layer in vector_layers], [layer["maxzoom"] for layer in vector_layers]
    with out.open("wb") as handle:
        writer = Writer(handle)
        for tile_id in sorted(tiles):
            writer.write_tile(tile_id, gzip.compress(b"".join(tiles[tile_id]), mtime=0))
        header = {"tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
                  "min_lon_e7": west, "min_lat_e7": south, "max_lon_e7": east, "max_lat_e7": north,
                  "center_zoom": min(zooms[0]), "center_lon_e7": (west + east) // 2,
                  "center_lat_e7": (south + north) // 2}
        metadata = {"name": name, "attribution": ATTRIBUTION, "vector_layers": vector_layers,
                    "minzoom": min(zooms[0]), "maxzoom": max(zooms[1])}
        writer.finalize(header, metadata)


def import_basemap(source: Path, out: Path) -> BasemapInfo:
    """Take a ready-made vector basemap (.pmtiles, or .mbtiles converted to PMTiles) as the product's."""
    from pmtiles.convert import mbtiles_to_pmtiles

    if not source.is_file():
        raise BasemapError(f"no such file: {source}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".basemap-") as scratch:
        staged = Path(scratch) / "imported.pmtiles"
        suffix = source.suffix.lower()
        if suffix == ".pmtiles":
            shutil.copyfile(source, staged)
        elif suffix == ".mbtiles":
            _check_mbtiles(source)
            mbtiles_to_pmtiles(str(source), str(staged), maxzoom=None)
        else:
            raise BasemapError(f"{source.name}: a basemap to import is a .pmtiles or .mbtiles file")
        read_info(staged)               # refuses a raster or damaged file before it replaces the current one
        os.replace(staged, out)
    return read_info(out)


def _check_mbtiles(source: Path) -> None:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as db:
            fmt = dict(db.execute("SELECT name, value FROM metadata").fetchall()).get("format")
    except sqlite3.DatabaseError as exc:
        raise BasemapError(f"{source.name} is not an MBTiles file: {exc}") from None
    if fmt != "pbf":
        raise BasemapError(f"{source.name} holds {fmt or 'unknown'} tiles; the map draws vector (pbf) tiles")


def read_info(path: Path) -> BasemapInfo:
    """The header facts of a PMTiles vector basemap; BasemapError when it is not one."""
    from pmtiles.reader import MmapSource, Reader
    from pmtiles.tile import Compression, TileType

    try:
        with path.open("rb") as handle:
            reader = Reader(MmapSource(handle))
            head, metadata = reader.header(), reader.metadata()
    except Exception as exc:        # the pmtiles reader raises whatever a bad file makes it raise
        raise BasemapError(f"{path.name} is not a PMTiles file: {exc}") from None
    if head.get("tile_type") != TileType.MVT:
        raise BasemapError(f"{path.name} holds {head.get('tile_type')} tiles; the map draws vector (MVT) tiles")
    if head.get("tile_compression") not in (Compression.GZIP, Compression.NONE):
        raise BasemapError(f"{path.name}: tiles compressed as {head.get('tile_compression')}; gzip or none are "
                           "served")
    if "vector_layers" not in metadata and isinstance(metadata.get("json"), str):   # kept as MBTiles keeps it
        metadata = {**metadata, **json.loads(metadata["json"])}
    stat = path.stat()
    version = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}:{path.resolve()}".encode()).hexdigest()[:12]
    layers = tuple(str(layer.get("id")) for layer in metadata.get("vector_layers", []))
    bounds = tuple(head[k] / 1e7 for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"))
    return BasemapInfo(path, version, int(head["min_zoom"]), int(head["max_zoom"]),
                       (bounds[0], bounds[1], bounds[2], bounds[3]), layers,
                       head["tile_compression"] == Compression.GZIP)


class TileArchive:
    """Tiles of one PMTiles file for serving, as stored (gzip-compressed MVT); reopened when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._opened: tuple[tuple[int, int], BasemapInfo, BinaryIO, Any] | None = None

    def _current(self) -> tuple[tuple[int, int], BasemapInfo, BinaryIO, Any]:
        from pmtiles.reader import MmapSource, Reader

        stat = self.path.stat()          # FileNotFoundError: no basemap
        key = (stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if self._opened is None or self._opened[0] != key:
                info = read_info(self.path)
                handle = self.path.open("rb")
                if self._opened is not None:
                    self._opened[2].close()
                self._opened = (key, info, handle, Reader(MmapSource(handle)))
            return self._opened

    def info(self) -> BasemapInfo | None:
        try:
            return self._current()[1]
        except (FileNotFoundError, BasemapError):
            return None

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The stored tile, or None where the archive has none (an empty tile)."""
        reader = self._current()[3]
        return reader.get(z, x, y)
