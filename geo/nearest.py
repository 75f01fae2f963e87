"""Nearest Polsek / security post, the Polsek whose jurisdiction holds a point, personnel ratios.

Distances are straight lines in the point's UTM zone (metres), not travel distances.
A Polsek's jurisdiction is taken to be the kecamatan its station stands in (in Jakarta each
kecamatan has one Polsek); ``jurisdiction`` returns the kecamatan even when no Polsek is recorded
there (West Jakarta's Kembangan and Kalideres in the reference data).

Public functions
----------------
nearest_posts(posts, lon, lat, kind=None, k=1) -> DataFrame (posts columns + distance_m), nearest first.
    kind: "polsek", "polres", "security_post" (Indonesian labels accepted) or None for any.
nearest_polsek(posts, lon, lat) / nearest_security_post(posts, lon, lat) -> dict | None
jurisdiction(posts, districts, lon, lat) -> dict with district_code, district_name, polsek_code,
    polsek_name, polsek_distance_m (None values when nothing applies); districts = kecamatan frame.
personnel_ratios(posts, districts) -> DataFrame: code, name, officers, area_km2, population,
    officers_per_km2, residents_per_officer; a final row with code "region" sums everything.
ratio_figures(officers, area_km2, population) -> dict (officers_per_km2, residents_per_officer)
"""
from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.assign import assign_points
from geo.crs import to_metric, utm_epsg
from geo.vocabulary import PostKind


class PostQueryError(ValueError):
    """A nearest-post or ratio query that cannot be answered as asked."""


def _kind_mask(posts: pd.DataFrame, kind: str | PostKind | None) -> np.ndarray:
    if kind is None:
        return np.ones(len(posts), bool)
    wanted = PostKind.parse(getattr(kind, "value", kind)).value
    labels = posts["kind"].map(lambda v: PostKind.parse(getattr(v, "value", v)).value)
    return (labels == wanted).to_numpy()


def _post_lonlat(posts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "lon" in posts and "lat" in posts:
        return posts["lon"].to_numpy(float), posts["lat"].to_numpy(float)
    geoms = posts.geometry.to_crs(4326).values
    return shapely.get_x(geoms), shapely.get_y(geoms)


def nearest_posts(posts: pd.DataFrame, lon: float, lat: float, kind=None, k: int = 1) -> pd.DataFrame:
    if k < 1:
        raise PostQueryError("k must be 1 or more")
    epsg = utm_epsg(lon, lat)
    chosen = posts[_kind_mask(posts, kind)] if len(posts) else posts
    if not len(chosen):
        return pd.DataFrame(columns=[*[c for c in posts.columns if c != "geometry"], "distance_m"])
    px, py = to_metric(*_post_lonlat(chosen), epsg)
    x, y = to_metric(lon, lat, epsg)
    dist = np.hypot(px - x, py - y)
    out = pd.DataFrame(chosen.drop(columns=["geometry"], errors="ignore")).assign(distance_m=np.round(dist, 1))
    return out.sort_values("distance_m", kind="stable").head(k).reset_index(drop=True)


def _first(frame: pd.DataFrame) -> dict | None:
    return frame.iloc[0].to_dict() if len(frame) else None


def nearest_polsek(posts: pd.DataFrame, lon: float, lat: float) -> dict | None:
    return _first(nearest_posts(posts, lon, lat, PostKind.POLSEK))


def nearest_security_post(posts: pd.DataFrame, lon: float, lat: float) -> dict | None:
    return _first(nearest_posts(posts, lon, lat, PostKind.SECURITY_POST))


def _containing(districts: gpd.GeoDataFrame, lon, lat) -> np.ndarray:
    """Index (position) of the district holding each point, -1 when none.

    The one district assignment of the product (geo.assign.assign_points, as the map's figures and
    the coverage grid use it): a post on a shared border counts in exactly one district, never none.
    """
    frame = districts.to_crs(4326)
    if "level" not in frame:
        frame = frame.assign(level="kecamatan")
    frame = frame.assign(code=np.arange(len(frame)))   # positions as codes: unique even if codes repeat
    where = assign_points(np.atleast_1d(lon), np.atleast_1d(lat), frame)
    return np.array([-1 if w is None else int(w) for w in where], dtype=int)


def jurisdiction(posts: pd.DataFrame, districts: gpd.GeoDataFrame, lon: float, lat: float) -> dict:
    answer: dict[str, Any] = {"district_code": None, "district_name": None, "polsek_code": None, "polsek_name": None,
                              "polsek_distance_m": None}
    where = _containing(districts, lon, lat)[0]
    if where < 0:
        return answer
    district = districts.iloc[where]
    answer["district_code"], answer["district_name"] = district.get("code"), district.get("name")
    polsek = posts[_kind_mask(posts, PostKind.POLSEK)] if len(posts) else posts
    if len(polsek):
        inside = _containing(districts, *_post_lonlat(polsek)) == where
        if inside.any():
            station = nearest_posts(polsek[inside], lon, lat).iloc[0]
            answer.update(polsek_code=station.get("code"), polsek_name=station.get("name"),
                          polsek_distance_m=float(station["distance_m"]))
    return answer


def ratio_figures(officers: float, area_km2: float, population: float | None) -> dict:
    per_km2 = officers / area_km2 if area_km2 and area_km2 > 0 else float("nan")
    per_officer = population / officers if officers and population and population > 0 else float("nan")
    return {"officers_per_km2": per_km2, "residents_per_officer": per_officer}


def personnel_ratios(posts: pd.DataFrame, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    n = len(districts)
    officers: np.ndarray = np.zeros(n)
    if len(posts):
        where = _containing(districts, *_post_lonlat(posts))
        staff = pd.to_numeric(posts["personnel"], errors="coerce").fillna(0).to_numpy(float)
        officers = np.bincount(where[where >= 0], weights=staff[where >= 0], minlength=n)
    area = (pd.to_numeric(districts["area_km2"], errors="coerce").to_numpy(float)
            if "area_km2" in districts else np.full(n, np.nan))
    if not np.isfinite(area).all():
        epsg = utm_epsg(*shapely.centroid(shapely.union_all(districts.to_crs(4326).geometry.values)).coords[0])
        area = np.where(np.isfinite(area), area, districts.to_crs(epsg).area.to_numpy() / 1e6)
    population = (pd.to_numeric(districts["population"], errors="coerce").to_numpy(float)
                  if "population" in districts else np.full(n, np.nan))
    table = pd.DataFrame({"code": districts["code"].to_numpy() if "code" in districts else np.arange(n),
                          "name": districts["name"].to_numpy() if "name" in districts else None,
                          "officers": officers, "area_km2": area, "population": population})
    total = {"code": "region", "name": None, "officers": officers.sum(), "area_km2": np.nansum(area),
             "population": np.nansum(population) if np.isfinite(population).any() else np.nan}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    figures = [ratio_figures(o, a, p) for o, a, p in table[["officers", "area_km2", "population"]].to_numpy()]
    return pd.concat([table, pd.DataFrame(figures)], axis=1)
