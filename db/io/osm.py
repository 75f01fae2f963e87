"""OpenStreetMap surveillance tags -> registry camera columns.

``camera:direction`` is a compass bearing (0 = north, clockwise), a compass word (N, ENE, ...) or a
range ``from-to`` the camera can turn through clockwise; a range becomes its centre bearing and its
span as the field of view. ``camera:angle`` is the tilt below the horizon (OSM), used with ``height``
to estimate the ground range when none is given.
"""
from __future__ import annotations

import math
import re

import pandas as pd

COMPASS = ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"]
COMPASS_DEG = {word: i * 22.5 for i, word in enumerate(COMPASS)}
OSM_MARKERS = {"man_made", "surveillance", "surveillance:type", "camera:direction", "camera:type", "@id"}
OPERATOR_TYPE_CLASS = {"government": "government", "public": "government", "private": "private",
                       "business": "company", "commercial": "company", "corporate": "company",
                       "community": "housing", "religious": "private", "ngo": "company"}
MAX_RANGE_M = 500.0


class DirectionError(ValueError):
    """A direction is neither degrees, a compass word nor a range of those."""


def is_osm(columns: list[str]) -> bool:
    return bool(OSM_MARKERS & {str(c) for c in columns})


def _degrees(text: str) -> float:
    word = text.strip().upper()
    if word in COMPASS_DEG:
        return COMPASS_DEG[word]
    try:
        value = float(word)
    except ValueError:
        raise DirectionError(f"'{text}' is not a bearing in degrees or a compass word (N, NE, ...)") from None
    if not 0 <= value <= 360:
        raise DirectionError(f"bearing {text} is outside 0-360")
    return value % 360


def parse_direction(text: str) -> tuple[float, float | None]:
    """(bearing, field of view or None) from an OSM ``camera:direction`` value."""
    first = str(text).split(";")[0].strip()
    match = re.fullmatch(r"\s*([^-\s]+)\s*-\s*([^-\s]+)\s*", first)
    if not match:
        return _degrees(first), None
    start, end = _degrees(match.group(1)), _degrees(match.group(2))
    span = (end - start) % 360
    if span == 0 or (match.group(1).strip(), match.group(2).strip()) in {("0", "359"), ("0", "360")}:
        return start, 360.0
    return (start + span / 2) % 360, span


def osm_to_camera_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename and derive OSM tags into the importer's camera columns (values stay text)."""
    out = pd.DataFrame(index=frame.index)
    def get(col):
        return frame[col] if col in frame else pd.Series(None, index=frame.index, dtype=object)
    osm_id = get("@id").fillna(get("id")).astype(object)
    out["code"] = get("ref").where(get("ref").notna() & (get("ref").astype(str).str.strip() != ""),
                                   osm_id.map(_osm_code))
    out["name"] = get("name")
    out["lon"], out["lat"] = get("lon"), get("lat")
    out["address"] = _address(frame)
    out["owner"] = get("operator")
    out["owner_class"] = get("operator:type").map(
        lambda v: OPERATOR_TYPE_CLASS.get(str(v).strip().lower(), v) if isinstance(v, str) else None)
    out["kind"] = get("camera:type")
    out["bearing_deg"] = get("camera:direction")
    out["height_m"] = get("height").map(lambda v: str(v).lower().replace("m", "").strip() if pd.notna(v) else None)
    out["range_m"] = [_range_from_tilt(h, a) for h, a in zip(out["height_m"], get("camera:angle"), strict=True)]
    out["surveillance_type"] = get("surveillance:type")
    out["consent"] = "registry_only"
    out["notes"] = [_notes(i, a, z)
                    for i, a, z in zip(osm_id, get("camera:angle"), get("surveillance:zone"), strict=True)]
    return out


def _osm_code(osm_id) -> str | None:
    if osm_id is None or (isinstance(osm_id, float) and math.isnan(osm_id)):
        return None
    return "osm-" + re.sub(r"[^0-9A-Za-z]+", "-", str(osm_id)).strip("-")


def _address(frame: pd.DataFrame) -> pd.Series:
    parts = [c for c in ("addr:street", "addr:housenumber", "addr:city") if c in frame]
    if not parts:
        return pd.Series(None, index=frame.index, dtype=object)
    joined = frame[parts].astype(object).apply(lambda r: " ".join(str(v) for v in r if pd.notna(v)), axis=1)
    return joined.where(joined != "", None)


def _range_from_tilt(height, tilt) -> str | None:
    try:
        h, a = float(height), float(tilt)
    except (TypeError, ValueError):
        return None
    if not (h > 0 and 0 < a < 90):
        return None
    return f"{min(MAX_RANGE_M, max(1.0, h / math.tan(math.radians(a)))):.1f}"


def _notes(osm_id, tilt, zone) -> str:
    bits = [f"OpenStreetMap {osm_id}" if pd.notna(osm_id) else "OpenStreetMap"]
    if pd.notna(tilt):
        bits.append(f"tilt {tilt} deg")
    if pd.notna(zone):
        bits.append(f"zone {zone}")
    return "; ".join(bits)
