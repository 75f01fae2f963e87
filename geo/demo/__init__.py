"""The deterministic demo West Jakarta: synthetic districts, 19,942 cameras, posts, units on duty.

``generate_demo`` is pure (no database, no files, no clock unless ``now`` is left out): the same seed
and ``now`` always give identical frames. Writing them to a database is db.io.demo_loader's job.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.demo.boundaries import DistrictLayout, build_layout, districts_frame
from geo.demo.cameras import KecamatanLabels, StreamTarget, build_cameras
from geo.demo.facts import CONNECTED_PER_KECAMATAN, DEFAULT_CAMERAS, KECAMATAN
from geo.demo.placement import PlacementError, cameras_per_kecamatan, kecamatan_area
from geo.demo.posts import build_duty_units, build_posts
from geo.demo.priority import build_priority, road_lines_metric
from geo.demo.projection import geometry_to_lonlat

DEFAULT_SEED = 2020


@dataclass(frozen=True)
class DemoData:
    """The demo as frames in EPSG:4326; enum columns hold the geo.vocabulary values.

    ``cameras`` also carries ``kecamatan_code``, the kecamatan the generator placed each camera in (the
    database sets a camera's district by spatial join instead). Consent dates and duty shifts are
    anchored to ``generated_at``.
    """
    districts: gpd.GeoDataFrame
    owners: pd.DataFrame
    cameras: pd.DataFrame
    posts: pd.DataFrame
    duty_units: pd.DataFrame
    priority: gpd.GeoDataFrame
    seed: int
    generated_at: datetime


def generate_demo(seed: int = DEFAULT_SEED, cameras: int = DEFAULT_CAMERAS, *, now: datetime | None = None,
                  stream_host: str = "127.0.0.1", stream_port: int = 8554,
                  connected_per_kecamatan: int = CONNECTED_PER_KECAMATAN) -> DemoData:
    """Build the demo. Raises PlacementError when ``cameras`` cannot hold the connected quota.

    ``now`` (default: the current time) anchors consent dates and the shifts on duty; the same seed,
    camera count and ``now`` give identical frames. Connected cameras stream from
    rtsp://demo:<password>@<stream_host>:<stream_port>/<code>, one password per seed.
    """
    if int(seed) < 0:
        raise ValueError(f"seed {seed} is negative; use 0 or more")
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    streams = _stream_target(seed, stream_host, stream_port)
    layout = build_layout(_rng(seed, "districts"))
    districts = districts_frame(layout)
    areas = _placement_areas(layout)
    populations = np.array([k.population for k in KECAMATAN])
    counts = cameras_per_kecamatan(cameras, populations, connected_per_kecamatan)
    labels = KecamatanLabels(np.array([k.code for k in KECAMATAN], dtype=object),
                             np.array([k.name for k in KECAMATAN], dtype=object))
    camera_frame, owners = build_cameras(areas, labels, counts, connected_per_kecamatan, now.date(), streams,
                                         _rng(seed, "cameras"))
    kecamatan_lonlat = list(districts.loc[districts["level"] == "kecamatan"].geometry)
    posts = build_posts(kecamatan_lonlat)
    units = build_duty_units(posts, geometry_to_lonlat(layout.outline), now, _rng(seed, "duty"))
    return DemoData(districts, owners, camera_frame, posts, units, build_priority(layout.outline), seed, now)


def _rng(seed: int, part: str) -> np.random.Generator:
    """An independent stream per part, so changing one part never reshuffles another."""
    return np.random.default_rng([seed, sum(part.encode()) * 131 + len(part)])


def _stream_target(seed: int, host: str, port: int) -> StreamTarget:
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"stream port {port} is out of range; use 1-65535")
    token = _rng(seed, "stream").integers(0, 16, 16)
    return StreamTarget(host=host, port=int(port), password="".join(f"{v:x}" for v in token))


def _placement_areas(layout: DistrictLayout) -> list:
    roads = road_lines_metric(layout.outline)
    return [kecamatan_area(fact.name, fact.population, cell, subcells, people, roads)
            for fact, cell, subcells, people in zip(KECAMATAN, layout.kecamatan, layout.kelurahan,
                                                    layout.kelurahan_population, strict=True)]


__all__ = ["DEFAULT_CAMERAS", "DEFAULT_SEED", "DemoData", "PlacementError", "generate_demo"]
