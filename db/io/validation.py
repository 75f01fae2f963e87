"""Validate a raw registry table row by row (vectorised), collecting every problem.

Nothing raises on a bad row: each problem becomes a report line (line, column, value, reason) and the
row is left out of the typed frame the writers take. Missing required columns are a file error.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from db.io import checks
from db.io.columns import CAMERAS, DUTY_UNITS, OWNERS, POSTS
from db.io.osm import DirectionError, parse_direction
from db.io.readers import RawTable, RegistryFileError
from db.io.stream_url import StreamURLError, redact_stream_url, validate_stream_url
from db.models import utcnow
from geo.codes import code_problem, look_alike_key
from geo.consent import live_consent, local_today
from geo.vocabulary import CameraKind, Connection, ConsentLevel, OwnerClass, PostKind

REPORT_COLUMNS = ["line", "column", "value", "reason"]
CAMERA_SURVEILLANCE_TYPES = {"camera", "alpr", "anpr"}


@dataclass(frozen=True)
class Region:
    """Where registry points may lie: a polygon (or box) in WGS 84 and how to name it to users."""

    geometry: object
    label: str

    @classmethod
    def from_bbox(cls, bbox: tuple[float, float, float, float], label: str) -> Region:
        return cls(shapely.box(*bbox), f"{label} ({bbox[0]:g}..{bbox[2]:g} E, {bbox[1]:g}..{bbox[3]:g})")

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        shapely.prepare(self.geometry)
        return shapely.intersects_xy(self.geometry, lon, lat)


@dataclass
class ValidationContext:
    region: Region | None = None            # None: no region check (--allow-outside)
    timezone: str = "Asia/Jakarta"
    known_owner_codes: set[str] = field(default_factory=set)
    known_post_codes: set[str] = field(default_factory=set)
    known_camera_codes: set[str] = field(default_factory=set)


@dataclass
class ValidationResult:
    frame: pd.DataFrame                     # valid rows, typed, writer column names
    errors: pd.DataFrame                    # REPORT_COLUMNS, one line per problem
    total: int
    owners: pd.DataFrame | None = None      # owners named by camera rows, to upsert first

    @property
    def rejected(self) -> int:
        return int(self.errors["line"].nunique()) if len(self.errors) else 0

    @property
    def ok(self) -> bool:
        return not len(self.errors)


class _Problems:
    def __init__(self, raw: RawTable):
        self.raw = raw
        self.bad = np.zeros(len(raw), dtype=bool)
        self.parts: list[pd.DataFrame] = []

    def add(self, column: str, reasons: pd.Series, values: pd.Series | None = None) -> None:
        mask = reasons.notna().to_numpy()
        if not mask.any():
            return
        if values is None:
            values = self.raw.frame[column] if column in self.raw.frame else pd.Series("", index=reasons.index)
        shown = values[mask].map(lambda v: "" if v is None else str(v))
        if column == "stream_url":
            shown = shown.map(redact_stream_url)
        self.parts.append(pd.DataFrame({"line": self.raw.lines[mask], "column": self.raw.header(column),
                                        "value": shown.map(checks.neutralise).to_numpy(),
                                        "reason": reasons[mask].to_numpy()}))
        self.bad |= mask

    def add_mask(self, column: str, mask: np.ndarray, reason: str, values: pd.Series | None = None) -> None:
        reasons = pd.Series(np.where(mask, reason, None),  # type: ignore[call-overload]  # pandas-stubs: None
                            index=self.raw.frame.index, dtype=object)  # type: ignore[arg-type]  # object dtype
        self.add(column, reasons, values)

    def report(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=REPORT_COLUMNS)
        return pd.concat(self.parts, ignore_index=True).sort_values("line", kind="stable").reset_index(drop=True)


def validate(raw: RawTable, kind: str, context: ValidationContext) -> ValidationResult:
    validators = {CAMERAS: _cameras, OWNERS: _owners, POSTS: _posts, DUTY_UNITS: _duty_units}
    problems = _Problems(raw)
    if "__extra_fields" in raw.frame:
        problems.add_mask("", raw.frame["__extra_fields"].to_numpy(bool),
                          "more fields than the header has (a separator inside an unquoted value?)",
                          pd.Series("", index=raw.frame.index))
    raw.frame = pd.DataFrame({c: checks.cleaned(raw.frame[c]) if not c.startswith("__") else raw.frame[c]
                              for c in raw.frame.columns}, index=raw.frame.index)
    raw.frame.attrs[checks.CLEAN_MARK] = True  # columns taken from the frame inherit the mark
    typed, owners = validators[kind](raw, context, problems)
    keep = ~problems.bad
    frame = pd.DataFrame({c: v for c, v in typed.items()})[keep].reset_index(drop=True)
    if owners is not None:
        owners = owners[owners["code"].isin(set(frame.get("owner_code", pd.Series(dtype=object)).dropna()))]
    return ValidationResult(frame=frame, errors=problems.report(), total=len(raw), owners=owners)


# --- shared column steps ---------------------------------------------------------------------------------

def _column(raw: RawTable, name: str) -> pd.Series:
    if name in raw.frame:
        return raw.frame[name]
    return pd.Series(None, index=raw.frame.index, dtype=object)


def _require_columns(raw: RawTable, kind: str, groups: list[tuple[str, ...]]) -> None:
    for group in groups:
        if not any(c in raw.frame for c in group):
            found = ", ".join(map(str, raw.frame.columns)) or "none"
            raise RegistryFileError(f"{raw.source.name}: no '{group[0]}' column for {kind} (understood columns: "
                                    f"{found}); see docs/import-format.md for names and aliases")


def _text(raw, problems, typed, name, max_len, required=False, present_only=True):
    if present_only and name not in raw.frame and not required:
        return None
    values, reasons = checks.text(_column(raw, name), max_len)
    problems.add(name, reasons)
    if required:
        problems.add_mask(name, values.isna().to_numpy(), "required but empty")
    typed[name] = values
    return values


def _number(raw, problems, typed, name, low=None, high=None, required=False, **kw):
    if name not in raw.frame and not required:
        return None
    values, reasons = checks.number(_column(raw, name), low, high, decimal_comma=raw.decimal_comma, **kw)
    problems.add(name, reasons)
    if required:
        blank = checks.cleaned(_column(raw, name)).isna().to_numpy()
        problems.add_mask(name, blank, "required but empty")
    typed[name] = values
    return values


def _parsed(raw, problems, typed, name, parser, *args, required=False):
    if name not in raw.frame and not required:
        return None
    values, reasons = parser(_column(raw, name), *args)
    problems.add(name, reasons)
    if required:
        problems.add_mask(name, values.isna().to_numpy() & reasons.isna().to_numpy(), "required but empty")
    typed[name] = values
    return values


def _unique(raw, problems, name, values: pd.Series) -> None:
    dup = values.notna() & values.duplicated(keep=False)
    if not dup.any():
        return
    lines = pd.Series(raw.lines, index=values.index)[dup].groupby(values[dup]).agg(
        lambda s: ", ".join(str(x) for x in s.iloc[:5]))
    reasons = values[dup].map(lambda v: f"{name} '{v}' appears more than once (lines {lines[v]})")
    problems.add(name, reasons.reindex(values.index))


def _camera_codes(raw, problems, code: pd.Series, known: set[str]) -> None:
    """Codes the relay can serve (geo/codes.py), and none that only case, width or an invisible
    character tells apart from another code of the file or from a registered camera."""
    unusable = code.map(lambda v: code_problem(v) if isinstance(v, str) else None)
    problems.add("code", ("'" + code + "' " + unusable).where(unusable.notna(), None).astype(object))
    lines = pd.Series(raw.lines, index=code.index)
    first: dict[str, int] = {}           # look-alike key -> the row that first used it
    reasons = pd.Series(None, index=code.index, dtype=object)
    registered = {look_alike_key(c): c for c in known}
    for idx in code.index[code.notna()]:
        value = code[idx]
        key = look_alike_key(value)
        twin_idx = first.setdefault(key, int(idx))
        twin = code[twin_idx]
        if twin != value:
            reasons[idx] = (f"code '{value}' looks the same as '{twin}' (line {lines[twin_idx]}); codes must "
                            "differ by more than case, width or invisible characters")
        elif key in registered and registered[key] != value:
            reasons[idx] = (f"code '{value}' looks the same as the registered camera '{registered[key]}'; write "
                            f"'{registered[key]}' to update that camera, or choose another code")
    problems.add("code", reasons)


def _coordinates(raw, problems, typed, context, lon_name="lon", lat_name="lat", required=True):
    if raw.geometry_types is not None:      # a spatial file: each record is a position, so a Point
        kinds = pd.Series(raw.geometry_types.to_numpy(), index=raw.frame.index, dtype=object)
        wrong = kinds.notna() & (kinds != "Point")
        problems.add_mask("geometry", wrong.to_numpy(bool), "the feature is not a point; give each record's "
                          "position as a Point (a line or an area cannot say where a camera or a post is)",
                          kinds.where(wrong, ""))
    lon = _number(raw, problems, typed, lon_name, -180, 180, required=required)
    lat = _number(raw, problems, typed, lat_name, -90, 90, required=required)
    if lon is None or lat is None or context.region is None:
        return
    both = (lon.notna() & lat.notna()).to_numpy()
    x, y = lon.to_numpy(float), lat.to_numpy(float)
    inside = np.zeros(len(x), dtype=bool)
    inside[both] = context.region.contains(x[both], y[both])
    shown = pd.Series([f"{a} {b}" for a, b in zip(_column(raw, lon_name), _column(raw, lat_name), strict=True)],
                      index=raw.frame.index)
    raw_x = checks.number(_column(raw, lon_name), decimal_comma=raw.decimal_comma)[0].to_numpy(float)
    raw_y = checks.number(_column(raw, lat_name), decimal_comma=raw.decimal_comma)[0].to_numpy(float)
    numeric = ~np.isnan(raw_x) & ~np.isnan(raw_y) & ~inside
    swapped = np.zeros(len(x), dtype=bool)
    swapped[numeric] = context.region.contains(raw_y[numeric], raw_x[numeric])
    problems.add_mask(f"{lon_name}/{lat_name}", swapped, "lon and lat look swapped", shown)
    problems.add_mask(f"{lon_name}/{lat_name}", both & ~inside & ~swapped,
                      f"outside the region {context.region.label}; check the coordinates or use --allow-outside",
                      shown)


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:64] or "owner"


def _slugs(names: pd.Series) -> pd.Series:
    unique = {n: slug(n) for n in names.dropna().unique()}
    return names.map(unique).astype(object)


# --- record kinds ------------------------------------------------------------------------------------------

def _cameras(raw: RawTable, context: ValidationContext, problems: _Problems):
    _require_columns(raw, "cameras", [("code",), ("lon",), ("lat",)])
    typed: dict[str, pd.Series] = {}
    code = _text(raw, problems, typed, "code", 64, required=True)
    _unique(raw, problems, "code", code)
    _camera_codes(raw, problems, code, context.known_camera_codes)
    name = _text(raw, problems, typed, "name", 200, present_only=False)
    typed["name"] = name.where(name.notna(), code)
    _coordinates(raw, problems, typed, context)
    _text(raw, problems, typed, "address", 300)
    _direction(raw, problems, typed)
    _number(raw, problems, typed, "range_m", 1, 500)
    _number(raw, problems, typed, "height_m", 0, 200)
    for flag in ("bearing_adjustable", "sticker_installed"):
        _parsed(raw, problems, typed, flag, checks.boolean)
    for column, enum_cls in (("kind", CameraKind), ("connection", Connection), ("consent", ConsentLevel)):
        _parsed(raw, problems, typed, column, checks.enum, enum_cls)
    signed = _parsed(raw, problems, typed, "consent_signed_on", checks.dates)
    expires = _parsed(raw, problems, typed, "consent_expires_on", checks.dates)
    if signed is not None and expires is not None:
        before = [s is not None and e is not None and e < s for s, e in zip(signed, expires, strict=True)]
        problems.add_mask("consent_expires_on", np.asarray(before, dtype=bool), "expires before it was signed")
    _connected_needs_live_consent(raw, problems, typed, context)
    retention = _number(raw, problems, typed, "dvr_retention_days", 0, 3650, integer=True, low_exclusive=True)
    if retention is not None:
        typed["dvr_retention_days"] = retention.map(lambda v: None if pd.isna(v) else int(v)).astype(object)
    _stream_urls(raw, problems, typed)
    _text(raw, problems, typed, "notes", 4000)
    _text(raw, problems, typed, "registered_by", 120)
    _surveillance_type(raw, problems)
    owners = _camera_owners(raw, context, problems, typed)
    return typed, owners


def _connected_needs_live_consent(raw: RawTable, problems: _Problems, typed: dict[str, pd.Series],
                                  context: ValidationContext) -> None:
    """A camera marked connected (watched live) needs the owner's live, unexpired consent (geo/consent.py)."""
    connection = typed.get("connection")
    if connection is None:
        return
    n = len(raw.frame)
    consent = typed.get("consent", pd.Series([None] * n, index=raw.frame.index))
    expires = typed.get("consent_expires_on", pd.Series([None] * n, index=raw.frame.index))
    today = local_today(utcnow(), context.timezone)
    reasons = [live_consent(level, end, today).reason if link == Connection.CONNECTED else None
               for link, level, end in zip(connection, consent, expires, strict=True)]
    words = pd.Series([None if r is None else f"connected, but {r}; or set connection to registered"
                       for r in reasons], index=raw.frame.index, dtype=object)
    problems.add("connection", words)


def _direction(raw, problems, typed) -> None:
    if "bearing_deg" not in raw.frame:
        _number(raw, problems, typed, "fov_deg", 1, 360)
        return
    cleaned = checks.cleaned(_column(raw, "bearing_deg"))
    numeric = pd.to_numeric(cleaned.map(lambda v: v.replace(",", ".") if raw.decimal_comma and v else v),
                            errors="coerce")
    words = cleaned.notna() & numeric.isna()
    span = pd.Series(None, index=cleaned.index, dtype=object)
    bearing_text = cleaned.copy()
    for idx in cleaned.index[words]:
        try:
            bearing, fov = parse_direction(cleaned[idx])
        except DirectionError:
            continue  # left as text: the number check below reports it
        bearing_text[idx], span[idx] = repr(bearing), fov
    values, reasons = checks.number(bearing_text, 0, 360)
    problems.add("bearing_deg", reasons)
    typed["bearing_deg"] = values
    if "fov_deg" in raw.frame:
        fov_raw = checks.cleaned(_column(raw, "fov_deg"))
        fov_raw = fov_raw.where(fov_raw.notna(), span)
    else:
        fov_raw = span
    if "fov_deg" in raw.frame or span.notna().any():
        fov_values, fov_reasons = checks.number(fov_raw, 1, 360, decimal_comma=raw.decimal_comma)
        problems.add("fov_deg", fov_reasons, fov_raw)
        typed["fov_deg"] = fov_values


def _stream_urls(raw, problems, typed) -> None:
    if "stream_url" not in raw.frame:
        return
    values, _ = checks.text(_column(raw, "stream_url"))
    reasons = pd.Series(None, index=values.index, dtype=object)
    for idx in values.index[values.notna()]:
        try:
            values[idx] = validate_stream_url(values[idx])
        except StreamURLError as exc:
            reasons[idx] = str(exc)
    problems.add("stream_url", reasons)
    typed["stream_url"] = values


def _surveillance_type(raw, problems) -> None:
    if "surveillance_type" not in raw.frame:
        return
    kinds = checks.cleaned(_column(raw, "surveillance_type"))
    not_camera = kinds.notna() & ~kinds.str.lower().isin(CAMERA_SURVEILLANCE_TYPES).astype(bool)
    problems.add_mask("surveillance_type", not_camera.to_numpy(bool), "not a camera (surveillance:type)")


def _camera_owners(raw, context, problems, typed) -> pd.DataFrame | None:
    owner_columns = ("owner", "owner_code", "owner_class", "owner_phone", "owner_email")
    if not any(c in raw.frame for c in owner_columns):
        return None
    local: dict[str, pd.Series] = {}
    name = _text(raw, problems, local, "owner", 200, present_only=False)
    code = _text(raw, problems, local, "owner_code", 64, present_only=False)
    code = code.where(code.notna(), _slugs(name))
    owner_class, reasons = checks.enum(_column(raw, "owner_class"), OwnerClass)
    problems.add("owner_class", reasons)
    phone = _text(raw, problems, local, "owner_phone", 40, present_only=False)
    email = _text(raw, problems, local, "owner_email", 200, present_only=False)
    unknown = code.notna() & owner_class.isna() & reasons.isna() & ~code.isin(context.known_owner_codes)
    problems.add_mask("owner_class", unknown.to_numpy(bool),
                      "owner is not registered yet: give its owner_class (government, company, housing, private)",
                      code)
    classes = pd.DataFrame({"code": code, "cls": owner_class}).dropna()
    mixed = classes.groupby("code")["cls"].nunique()
    conflicting = code.isin(set(mixed[mixed > 1].index))
    problems.add_mask("owner_class", conflicting.to_numpy(bool), "the same owner has different classes in this file",
                      owner_class)
    typed["owner_code"] = code
    owners = pd.DataFrame({"code": code, "name": name.where(name.notna(), code), "owner_class": owner_class,
                           "phone": phone, "email": email})
    owners = owners[owners["code"].notna() & owners["owner_class"].notna() & ~problems.bad]
    owners = owners.drop_duplicates("code").reset_index(drop=True)
    contact = {"phone": "owner_phone", "email": "owner_email"}
    return owners[[c for c in owners.columns if c not in contact or contact[c] in raw.frame]]


def _owners(raw: RawTable, context: ValidationContext, problems: _Problems):
    _require_columns(raw, "owners", [("name",), ("owner_class",)])
    typed: dict[str, pd.Series] = {}
    name = _text(raw, problems, typed, "name", 200, required=True)
    code = _text(raw, problems, typed, "code", 64, present_only=False)
    typed["code"] = code.where(code.notna(), _slugs(name))
    _unique(raw, problems, "code", typed["code"])
    _parsed(raw, problems, typed, "owner_class", checks.enum, OwnerClass, required=True)
    _text(raw, problems, typed, "phone", 40)
    email = _text(raw, problems, typed, "email", 200)
    if email is not None:
        problems.add_mask("email", (email.notna() & ~email.fillna("").str.contains("@")).to_numpy(bool),
                          "not an e-mail address")
    _text(raw, problems, typed, "address", 300)
    return typed, None


def _posts(raw: RawTable, context: ValidationContext, problems: _Problems):
    _require_columns(raw, "posts", [("name",), ("kind",), ("lon",), ("lat",)])
    typed: dict[str, pd.Series] = {}
    name = _text(raw, problems, typed, "name", 200, required=True)
    code = _text(raw, problems, typed, "code", 64, present_only=False)
    typed["code"] = code.where(code.notna(), _slugs(name))
    _unique(raw, problems, "code", typed["code"])
    _parsed(raw, problems, typed, "kind", checks.enum, PostKind, required=True)
    _text(raw, problems, typed, "address", 300)
    _coordinates(raw, problems, typed, context)
    personnel = _number(raw, problems, typed, "personnel", 0, 100_000, integer=True)
    if personnel is not None:
        typed["personnel"] = personnel.map(lambda v: None if pd.isna(v) else int(v)).astype(object)
    return typed, None


def _duty_units(raw: RawTable, context: ValidationContext, problems: _Problems):
    _require_columns(raw, "duty units", [("callsign",), ("post_code",)])
    typed: dict[str, pd.Series] = {}
    callsign = _text(raw, problems, typed, "callsign", 64, required=True)
    _unique(raw, problems, "callsign", callsign)
    post = _text(raw, problems, typed, "post_code", 64, required=True)
    problems.add_mask("post_code", (post.notna() & ~post.isin(context.known_post_codes)).to_numpy(bool),
                      "no post with this code: import posts first")
    headcount = _number(raw, problems, typed, "headcount", 1, 10_000, integer=True)
    if headcount is not None:
        typed["headcount"] = headcount.map(lambda v: None if pd.isna(v) else int(v)).astype(object)
    start = _parsed(raw, problems, typed, "shift_start", checks.timestamps, context.timezone)
    end = _parsed(raw, problems, typed, "shift_end", checks.timestamps, context.timezone)
    if start is not None and end is not None:
        inverted = [s is not None and e is not None and e <= s for s, e in zip(start, end, strict=True)]
        problems.add_mask("shift_end", np.asarray(inverted, dtype=bool), "shift ends before it starts")
    _coordinates(raw, problems, typed, context, "last_lon", "last_lat", required=False)
    _parsed(raw, problems, typed, "last_seen_at", checks.timestamps, context.timezone)
    return typed, None
