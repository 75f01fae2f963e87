"""The demo's camera registry: placement, owners, kinds and optics, connection and consent.

All columns are built with numpy over the whole registry at once, so 200,000 cameras take seconds.
Enum columns hold the enum values from geo.vocabulary.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.demo.facts import STREETS
from geo.demo.owners import OWNER_CLASSES, draw_owner_classes, group_owners, owners_frame
from geo.demo.placement import KecamatanArea, Placement, place_cameras
from geo.demo.projection import lonlat_to_metric
from geo.vocabulary import CameraKind, Connection, ConsentLevel

CAMERA_COLUMNS = ["code", "name", "lon", "lat", "address", "owner_code", "kind", "bearing_deg", "fov_deg",
                  "range_m", "height_m", "bearing_adjustable", "connection", "consent", "consent_signed_on",
                  "consent_expires_on", "dvr_retention_days", "sticker_installed", "stream_url", "notes",
                  "registered_by", "kecamatan_code"]
KINDS = (CameraKind.FIXED, CameraKind.DOME, CameraKind.PTZ)
# Kind shares per owner class (rows: OWNER_CLASSES order; columns: KINDS order).
KIND_SHARES = np.array([[0.45, 0.25, 0.30], [0.55, 0.35, 0.10], [0.70, 0.25, 0.05], [0.62, 0.36, 0.02]])
# Optics per kind: (fov choices, range min/max m, height min/max m).
FIXED_FOV_CHOICES = np.array([60.0, 70.0, 80.0, 85.0, 90.0, 100.0])
RANGE_M = {CameraKind.FIXED: (20.0, 40.0), CameraKind.DOME: (10.0, 20.0), CameraKind.PTZ: (40.0, 80.0)}
HEIGHT_M = {CameraKind.FIXED: (2.5, 5.0), CameraKind.DOME: (2.5, 4.0), CameraKind.PTZ: (5.0, 9.0)}
FIXED_ADJUSTABLE_SHARE = 0.8
ROADSIDE_AIM_SIGMA_DEG = 15.0
# Which cameras the command centre connected: weights per owner class (government first).
CONNECT_WEIGHTS = np.array([4.0, 3.0, 1.5, 0.5])
CONSENT_LEVELS = (ConsentLevel.REGISTRY_ONLY, ConsentLevel.ON_REQUEST, ConsentLevel.LIVE)
CONSENT_SHARES = [0.30, 0.55, 0.15]
REGISTERED_RETENTION_DAYS = np.array([7, 7, 10, 14, 14, 14, 21, 30, 30])
CONNECTED_RETENTION_DAYS = np.array([30, 60, 90])
STICKER_SHARE = 0.75
CONNECTED_NOTE = "Live di command centre Polres (demo)"


@dataclass(frozen=True)
class StreamTarget:
    """Where connected demo cameras stream from: the relay's camera simulator."""
    host: str = "127.0.0.1"
    port: int = 8554
    user: str = "demo"
    password: str = "demo"

    def url(self, code: str) -> str:
        return f"rtsp://{self.user}:{self.password}@{self.host}:{self.port}/{code}"


@dataclass(frozen=True)
class KecamatanLabels:
    codes: np.ndarray
    names: np.ndarray


def build_cameras(areas: list[KecamatanArea], labels: KecamatanLabels, counts: np.ndarray, quota: int,
                  today: date, stream: StreamTarget,
                  rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cameras frame and the owners frame, codes JB-000001 ... in kecamatan order."""
    placed = place_cameras(areas, counts, rng)
    n = len(placed.lon)
    kecamatan_names = labels.names[placed.kecamatan_index]
    on_road = np.not_equal(placed.road_name, None)  # type: ignore[call-overload]  # numpy stubs reject None as an object-array operand
    owner_class = draw_owner_classes(on_road, rng)
    kind = _draw_kinds(owner_class, rng)
    codes = "JB-" + np.char.zfill(np.arange(1, n + 1).astype(str), 6).astype(object)
    street, number = _streets(placed, kecamatan_names, rng)
    address = street + " No. " + number + ", " + kecamatan_names.astype(object) + ", Jakarta Barat"
    x, y = lonlat_to_metric(placed.lon, placed.lat)
    owner_of, owner_list = group_owners(owner_class, placed.kecamatan_index, x, y, rng)
    owners = owners_frame(owner_list, kecamatan_names, address, rng)
    connected = _choose_connected(placed.kecamatan_index, owner_class, quota, rng)
    frame = pd.DataFrame({"code": codes, "name": "CCTV " + street + " " + number,
                          "lon": placed.lon, "lat": placed.lat, "address": address,
                          "owner_code": owners["code"].to_numpy(object)[owner_of],
                          "kind": np.array([k.value for k in KINDS], dtype=object)[kind]})
    frame = frame.assign(**_optics(kind, placed.road_bearing, rng))
    frame = frame.assign(**_registration(connected, today, rng))
    stream_url = np.full(n, None, dtype=object)
    stream_url[connected] = [stream.url(c) for c in codes[connected]]
    frame["stream_url"] = stream_url
    frame["notes"] = np.where(connected, CONNECTED_NOTE, None)  # type: ignore[call-overload]  # numpy stubs reject None as an object-array operand
    frame["registered_by"] = "Polsek " + kecamatan_names.astype(object)
    frame["kecamatan_code"] = labels.codes[placed.kecamatan_index]
    return frame[CAMERA_COLUMNS], owners


def _draw_kinds(owner_class: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cumulative = np.cumsum(KIND_SHARES, axis=1)[owner_class]
    return np.minimum((rng.random(len(owner_class))[:, None] > cumulative).sum(axis=1), len(KINDS) - 1)


def _streets(placed: Placement, kecamatan_names: np.ndarray, rng: np.random.Generator):
    """A street per camera (the road a roadside camera stands on) and a house number."""
    n = len(placed.lon)
    street = np.empty(n, dtype=object)
    pick = rng.integers(0, 1 << 30, size=n)
    for name, options in STREETS.items():
        where = kecamatan_names == name
        street[where] = np.asarray(options, dtype=object)[pick[where] % len(options)]
    roadside = np.not_equal(placed.road_name, None)  # type: ignore[call-overload]  # numpy stubs reject None as an object-array operand
    street[roadside] = placed.road_name[roadside]
    number = rng.integers(1, 250, size=n).astype(str).astype(object)
    return street, number


def _optics(kind: np.ndarray, road_bearing: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Field of view, range, height per kind; fixed cameras on a main road look along it."""
    n = len(kind)
    fixed = kind == KINDS.index(CameraKind.FIXED)
    ptz = kind == KINDS.index(CameraKind.PTZ)
    u_range, u_height = rng.random(n), rng.random(n)
    range_m = np.empty(n)
    height_m = np.empty(n)
    for index, camera_kind in enumerate(KINDS):
        where = kind == index
        lo, hi = RANGE_M[camera_kind]
        range_m[where] = np.round(lo + (hi - lo) * u_range[where])
        lo, hi = HEIGHT_M[camera_kind]
        height_m[where] = np.round(lo + (hi - lo) * u_height[where], 1)
    fov = np.where(fixed, FIXED_FOV_CHOICES[rng.integers(0, len(FIXED_FOV_CHOICES), n)], 360.0)
    along_road = road_bearing + rng.choice([0.0, 180.0], n) + rng.normal(0.0, ROADSIDE_AIM_SIGMA_DEG, n)
    aim = np.where(np.isnan(road_bearing), rng.integers(0, 360, n), np.round(along_road) % 360)
    bearing = np.where(fixed, aim, 0.0).astype(float)
    adjustable = np.where(fixed, rng.random(n) < FIXED_ADJUSTABLE_SHARE, ptz)
    return {"bearing_deg": bearing, "fov_deg": fov, "range_m": range_m, "height_m": height_m,
            "bearing_adjustable": adjustable.astype(bool)}


def _choose_connected(kecamatan_index: np.ndarray, owner_class: np.ndarray, quota: int,
                      rng: np.random.Generator) -> np.ndarray:
    """Exactly ``quota`` connected cameras in each kecamatan, favouring government and companies."""
    connected = np.zeros(len(kecamatan_index), dtype=bool)
    for k in np.unique(kecamatan_index):
        members = np.flatnonzero(kecamatan_index == k)
        weights = CONNECT_WEIGHTS[owner_class[members]]
        chosen = rng.choice(members, size=quota, replace=False, p=weights / weights.sum())
        connected[chosen] = True
    return connected


def _registration(connected: np.ndarray, today: date, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Connection, consent level and dates, DVR retention and sticker per camera.

    Connected cameras have live consent signed within the last two years for three years, so it is
    valid today; the others run for one to three years and were signed (or last renewed) within their
    term plus three months, so about one in eight has lapsed and a few hundred come up for renewal
    each month, as in a programme whose owners renew when asked.
    """
    n = len(connected)
    consent_index = rng.choice(len(CONSENT_LEVELS), size=n, p=CONSENT_SHARES)
    consent_index[connected] = CONSENT_LEVELS.index(ConsentLevel.LIVE)
    term_days = np.where(connected, 1095, rng.choice([365, 730, 1095], size=n))
    days_ago = np.where(connected, rng.integers(30, 700, n), 30 + (rng.random(n) * (term_days + 60)).astype(int))
    signed = np.datetime64(today, "D") - days_ago.astype("timedelta64[D]")
    expires = signed + term_days.astype("timedelta64[D]")
    retention = np.where(connected, rng.choice(CONNECTED_RETENTION_DAYS, size=n),
                         rng.choice(REGISTERED_RETENTION_DAYS, size=n))
    sticker = connected | (rng.random(n) < STICKER_SHARE)
    connection = np.where(connected, Connection.CONNECTED.value, Connection.REGISTERED.value)
    return {"connection": connection.astype(object),
            "consent": np.array([c.value for c in CONSENT_LEVELS], dtype=object)[consent_index],
            "consent_signed_on": signed.astype(object), "consent_expires_on": expires.astype(object),
            "dvr_retention_days": retention.astype(int), "sticker_installed": sticker}


__all__ = ["CAMERA_COLUMNS", "OWNER_CLASSES", "KecamatanLabels", "StreamTarget", "build_cameras"]
