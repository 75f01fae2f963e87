"""Police posts and the units on duty now.

Personnel split (documented choice): the regular strength is about 1,300 officers, 500 at Polres
Metro Jakarta Barat and 800 across the 8 Polsek in proportion to population. The 8 holiday security
posts (pos pengamanan) hold 1,858 personnel in all (police with their TNI, Satpol PP and Dishub
partners), on top of the regular strength. Units on duty now: a Polsek works three 8-hour shifts
(06, 14, 22 WIB) so a third of its strength is out; a security post works two 12-hour shifts (07, 19
WIB) so half is. That on-duty strength is split into units (patrols, post teams) near their post.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import shapely
import shapely.ops

from geo.demo.boundaries import split_integer
from geo.demo.facts import (
    APPROXIMATE_SUFFIX,
    KECAMATAN,
    PLACES,
    POLRES_ADDRESS,
    POLRES_LONLAT,
    POLRES_NAME,
    POLRES_PERSONNEL,
    POLSEK_PERSONNEL_TOTAL,
    SECURITY_POST_PERSONNEL,
    SECURITY_POSTS,
    STREETS,
)
from geo.demo.geography import PolicePoint
from geo.demo.projection import lonlat_to_metric, metric_to_lonlat
from geo.vocabulary import PostKind

WIB = timezone(timedelta(hours=7), "WIB")   # Asia/Jakarta has no daylight saving time
# kecamatan_code: the kecamatan the post serves; location_approximate: not a published position (the
# name then ends in APPROXIMATE_SUFFIX, which is how the registry, with no column for it, keeps it).
POST_COLUMNS = ["code", "kind", "name", "address", "lon", "lat", "personnel", "kecamatan_code",
                "location_approximate"]
DUTY_UNIT_COLUMNS = ["callsign", "post_code", "headcount", "shift_start", "shift_end", "last_lon", "last_lat",
                     "last_seen_at"]
SHIFTS = {PostKind.POLSEK: (6, 8, 3), PostKind.SECURITY_POST: (7, 12, 2)}  # first hour, length, shifts/day
UNIT_SIZE = {PostKind.POLSEK: 8, PostKind.SECURITY_POST: 10}
PATROL_SPREAD_M = {PostKind.POLSEK: 500.0, PostKind.SECURITY_POST: 150.0}
LAST_SEEN_WITHIN_S = 20 * 60
_INSET_DEG = 0.0005                         # about 55 m


class PostsError(RuntimeError):
    """The hand-made post table does not add up (a bug in facts.py)."""


def build_posts(kecamatan_cells_lonlat: list[shapely.Polygon],
                police: tuple[PolicePoint, ...] | None = None) -> pd.DataFrame:
    """Polres, one Polsek per kecamatan, the 8 security posts; each inside its kecamatan cell.

    With ``police`` (the real West Jakarta) Polres and the Polsek stand at the given points, and a
    kecamatan without one gets its Polsek near its centre, marked approximate. Without it (synthetic
    boundaries) they stand at the programme's Polres address and the kecamatan centres.
    """
    by_name = {k.name: (k, cell) for k, cell in zip(KECAMATAN, kecamatan_cells_lonlat, strict=True)}
    polsek_personnel = split_integer(POLSEK_PERSONNEL_TOTAL, np.array([k.population for k in KECAMATAN]))
    if police is None:
        rows = _synthetic_police(by_name, polsek_personnel)
    else:
        rows = _real_police(by_name, polsek_personnel, police)
    places = {p.name: p for p in PLACES}
    for kecamatan, place_name, personnel in SECURITY_POSTS:
        fact, cell = by_name[kecamatan]
        place = places[place_name]
        rows.append((f"POSPAM-{fact.short}", PostKind.SECURITY_POST.value, f"Pos Pengamanan {place_name}",
                     f"{place_name}, {kecamatan}, Jakarta Barat", *_inside((place.lon, place.lat), cell),
                     personnel, fact.code, False))
    frame = pd.DataFrame(rows, columns=POST_COLUMNS)
    security = frame.loc[frame["kind"] == PostKind.SECURITY_POST.value, "personnel"].sum()
    if security != SECURITY_POST_PERSONNEL:
        raise PostsError(f"security posts hold {security} personnel, "
                         f"the programme says {SECURITY_POST_PERSONNEL}")
    return frame


def _synthetic_police(by_name: dict, polsek_personnel: np.ndarray) -> list[tuple]:
    palmerah = by_name["Palmerah"]
    rows = [("POLRES-JB", PostKind.POLRES.value, POLRES_NAME, POLRES_ADDRESS,
             *_inside(POLRES_LONLAT, palmerah[1]), POLRES_PERSONNEL, palmerah[0].code, False)]
    for (fact, cell), personnel in zip(by_name.values(), polsek_personnel, strict=True):
        address = f"{STREETS[fact.name][0]}, {fact.name}, Jakarta Barat"
        rows.append((f"POLSEK-{fact.short}", PostKind.POLSEK.value, f"Polsek {fact.name}", address,
                     *_inside((fact.lon, fact.lat), cell), int(personnel), fact.code, False))
    return rows


def _real_police(by_name: dict, polsek_personnel: np.ndarray, police: tuple[PolicePoint, ...]) -> list[tuple]:
    polres = [p for p in police if p.kind is PostKind.POLRES]
    polsek = {p.kecamatan: p for p in police if p.kind is PostKind.POLSEK}
    if len(polres) != 1 or not set(polsek) <= set(by_name):
        raise PostsError("the police points need one Polres and at most one Polsek per kecamatan")
    rows = [("POLRES-JB", PostKind.POLRES.value, _label(polres[0].name, polres[0].approximate), polres[0].address,
             *_published(polres[0], by_name), POLRES_PERSONNEL, by_name[polres[0].kecamatan][0].code,
             polres[0].approximate)]
    for (fact, cell), personnel in zip(by_name.values(), polsek_personnel, strict=True):
        point = polsek.get(fact.name)
        if point is None:
            lonlat = _inside(shapely.centroid(cell).coords[0], cell)
            rows.append((f"POLSEK-{fact.short}", PostKind.POLSEK.value, _label(f"Polsek {fact.name}", True),
                         f"{fact.name}, Jakarta Barat", *lonlat, int(personnel), fact.code, True))
        else:
            rows.append((f"POLSEK-{fact.short}", PostKind.POLSEK.value, _label(point.name, point.approximate),
                         point.address, *_published(point, by_name), int(personnel), fact.code, point.approximate))
    return rows


def _label(name: str, approximate: bool) -> str:
    return f"{name} {APPROXIMATE_SUFFIX}" if approximate else name


def _published(point: PolicePoint, by_name: dict) -> tuple[float, float]:
    """A published point as it is; one outside its own kecamatan is a mistake in the data."""
    if not by_name[point.kecamatan][1].contains(shapely.Point(point.lon, point.lat)):
        raise PostsError(f"{point.name} at {point.lon}, {point.lat} is outside kecamatan {point.kecamatan}")
    return point.lon, point.lat


def _inside(lonlat: tuple[float, float], cell: shapely.Polygon) -> tuple[float, float]:
    """The point itself when it lies inside the cell, else the nearest point a little inside it.

    A hand-placed place can fall just across a (synthetic or simplified) border.
    """
    point = shapely.Point(lonlat)
    if cell.contains(point):
        return float(lonlat[0]), float(lonlat[1])
    inset = shapely.buffer(cell, -_INSET_DEG)
    nearest = shapely.ops.nearest_points(inset, point)[0]
    return round(nearest.x, 7), round(nearest.y, 7)


def on_duty_strength(kind: PostKind, personnel: int) -> int:
    return personnel // SHIFTS[kind][2]


def current_shift(kind: PostKind, now: datetime) -> tuple[datetime, datetime]:
    """The shift of a post kind that covers ``now``, as aware UTC datetimes."""
    first_hour, length, _ = SHIFTS[kind]
    local = now.astimezone(WIB)
    day_start = local.replace(hour=first_hour, minute=0, second=0, microsecond=0)
    if local < day_start:
        day_start -= timedelta(days=1)
    elapsed = int((local - day_start) // timedelta(hours=length))
    start = day_start + timedelta(hours=length * elapsed)
    return start.astimezone(UTC), (start + timedelta(hours=length)).astimezone(UTC)


def build_duty_units(posts: pd.DataFrame, kecamatan_lonlat: dict[str, shapely.Polygon], now: datetime,
                     rng: np.random.Generator) -> pd.DataFrame:
    """Several units per Polsek and security post, headcounts adding up to the post's on-duty strength.

    A unit patrols inside the kecamatan its post serves (``kecamatan_lonlat`` by kecamatan code).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rows = []
    post: Any    # a row namedtuple; pandas-stubs types its fields as any scalar
    for post in posts.itertuples(index=False):
        kind = PostKind(post.kind)
        if kind not in SHIFTS:
            continue
        strength = on_duty_strength(kind, int(post.personnel))
        units = int(np.clip(np.ceil(strength / UNIT_SIZE[kind]), 3, 15))
        headcounts = split_integer(strength, np.ones(units))
        start, end = current_shift(kind, now)
        area = kecamatan_lonlat[post.kecamatan_code]
        lon, lat = _positions_near(post.lon, post.lat, units, PATROL_SPREAD_M[kind], area, rng)
        seen = rng.integers(0, LAST_SEEN_WITHIN_S, units)
        prefix = "SEK" if kind is PostKind.POLSEK else "PAM"
        short = post.code.split("-", 1)[1]
        for i in range(units):
            rows.append((f"{prefix}-{short}-{i + 1:02d}", post.code, int(headcounts[i]), start, end,
                         float(lon[i]), float(lat[i]), now - timedelta(seconds=int(seen[i]))))
    frame = pd.DataFrame(rows, columns=DUTY_UNIT_COLUMNS)
    for column in ("shift_start", "shift_end", "last_seen_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _positions_near(lon: float, lat: float, count: int, spread_m: float, area: shapely.Polygon,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around the post; one that falls outside ``area`` stands at the post instead."""
    x, y = lonlat_to_metric([lon], [lat])
    px = x[0] + rng.normal(0.0, spread_m, count)
    py = y[0] + rng.normal(0.0, spread_m, count)
    plon, plat = metric_to_lonlat(px, py)
    plon, plat = np.round(plon, 7), np.round(plat, 7)
    outside = ~shapely.contains_xy(area, plon, plat)
    plon[outside], plat[outside] = lon, lat
    return plon, plat

