"""The deterministic demo West Jakarta: its districts, 19,942 cameras, posts, units on duty.

By default the districts are the real ones (BPS 2020 via OCHA HDX, shipped simplified in geo/demo/data/,
see geography.py) and Polres and the Polsek stand at their published points; ``geography="synthetic"``
draws Voronoi districts around the kecamatan centres instead (boundaries.py), for other regions and
scale tests. ``generate_demo`` is pure apart from reading those shipped files (no database, no clock
unless ``now`` is left out): the same seed and ``now`` always give identical frames. Writing them to a
database is db.io.demo_loader's job.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.demo.boundaries import DistrictLayout, build_layout, districts_frame
from geo.demo.cameras import KecamatanLabels, StreamTarget, build_cameras
from geo.demo.facts import CONNECTED_PER_KECAMATAN, DEFAULT_CAMERAS, KECAMATAN
from geo.demo.geography import PolicePoint, west_jakarta
from geo.demo.placement import PlacementError, cameras_per_kecamatan, kecamatan_area
from geo.demo.posts import build_duty_units, build_posts
from geo.demo.priority import build_priority, road_lines_metric

DEFAULT_SEED = 2020
Geography = Literal["real", "synthetic"]
GEOGRAPHIES: tuple[Geography, ...] = ("real", "synthetic")


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
                  connected_per_kecamatan: int = CONNECTED_PER_KECAMATAN,
                  geography: Geography = "real") -> DemoData:
    """Build the demo. Raises PlacementError when ``cameras`` cannot hold the connected quota.

    ``geography`` is "real" (the BPS boundaries and the published police points) or "synthetic".

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
    layout, districts, police = _geography(geography, seed)
    areas = _placement_areas(layout)
    populations = np.array([k.population for k in KECAMATAN])
    counts = cameras_per_kecamatan(cameras, populations, connected_per_kecamatan)
    labels = KecamatanLabels(np.array([k.code for k in KECAMATAN], dtype=object),
                             np.array([k.name for k in KECAMATAN], dtype=object))
    camera_frame, owners = build_cameras(areas, labels, counts, connected_per_kecamatan, now.date(), streams,
                                         _rng(seed, "cameras"))
    kecamatan = districts.loc[districts["level"] == "kecamatan"]
    posts = build_posts(list(kecamatan.geometry), police)
    units = build_duty_units(posts, dict(zip(kecamatan["code"], kecamatan.geometry, strict=True)), now,
                             _rng(seed, "duty"))
    return DemoData(districts, owners, camera_frame, posts, units, build_priority(layout.outline), seed, now)


def _geography(geography: Geography, seed: int) -> tuple[DistrictLayout, gpd.GeoDataFrame,
                                                         tuple[PolicePoint, ...] | None]:
    if geography == "real":
        real = west_jakarta()
        return real.layout, real.districts, real.police
    if geography == "synthetic":
        layout = build_layout(_rng(seed, "districts"))
        return layout, districts_frame(layout), None
    raise ValueError(f"geography {geography!r} is unknown; use one of {', '.join(GEOGRAPHIES)}")


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


__all__ = ["DEFAULT_CAMERAS", "DEFAULT_SEED", "GEOGRAPHIES", "DemoData", "Geography", "PlacementError",
           "generate_demo"]
