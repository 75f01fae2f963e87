"""Vectorised column checks: raw object columns in, typed values plus per-row error reasons out.

Each parser returns (values, reasons): ``reasons`` is an object Series holding None for good or blank
cells and a short English reason for bad ones. Blank cells become None (required-ness is checked by the
caller).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from geo.vocabulary import VocabularyError

TRUE_WORDS = {"1", "true", "yes", "y", "ya", "t", "x", "benar", "ada", "sudah"}
FALSE_WORDS = {"0", "false", "no", "n", "tidak", "f", "belum", "tidak_ada", "none"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
CLEAN_MARK = "noblindspot_clean"


def cleaned(raw: pd.Series) -> pd.Series:
    """Trimmed text per cell, None for blanks (object dtype, never NaN); cheap on an already clean column."""
    if raw.attrs.get(CLEAN_MARK):
        return raw
    raw = raw.astype(object)
    if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
        arrow = raw.astype("string[pyarrow]").str.strip()
        blank = (arrow.str.len() == 0).fillna(True).to_numpy(bool)
        quoted = arrow.str.startswith("'").fillna(False).to_numpy(bool)
        values = arrow.astype(object).where(~blank, None)
        for idx in np.flatnonzero(quoted).tolist():
            values.iat[idx] = _clean_text(values.iat[idx])
    else:
        values = raw.map(_clean_text).astype(object)
        values = values.where(values.notna(), None)
    values.attrs[CLEAN_MARK] = True
    return values


def _objects(values: pd.Series) -> pd.Series:
    values = values.astype(object)
    return values.where(values.notna(), None)


def text(raw: pd.Series, max_len: int | None = None) -> tuple[pd.Series, pd.Series]:
    values = cleaned(raw)
    reasons = pd.Series(None, index=raw.index, dtype=object)
    if max_len is not None:
        long = values.map(lambda v: v is not None and len(v) > max_len).astype(bool)
        reasons[long] = f"longer than {max_len} characters"
    return values, _objects(reasons)


def _clean_text(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    out = str(value).strip()
    # An export neutralised this cell with a leading apostrophe; take it back off.
    if len(out) > 1 and out[0] == "'" and out[1] in FORMULA_START:
        out = out[1:]
    return out or None


def number(raw: pd.Series, low: float | None = None, high: float | None = None, *, decimal_comma: bool = False,
           integer: bool = False, low_exclusive: bool = False) -> tuple[pd.Series, pd.Series]:
    as_text = cleaned(raw)
    blank = as_text.isna()
    if decimal_comma:
        as_text = as_text.map(lambda v: v.replace(",", ".") if isinstance(v, str) and
                              re.fullmatch(r"[+-]?\d*,\d+", v) else v)
    values = pd.to_numeric(as_text, errors="coerce").astype(float)
    reasons = pd.Series(None, index=raw.index, dtype=object)
    reasons[~blank & values.isna()] = "not a number"
    finite = values.notna()
    if integer:
        reasons[finite & (values != np.floor(values))] = "not a whole number"
    if low is not None:
        below = finite & ((values <= low) if low_exclusive else (values < low))
        reasons[below & reasons.isna()] = _range_text(low, high, low_exclusive)
    if high is not None:
        reasons[finite & (values > high) & reasons.isna()] = _range_text(low, high, low_exclusive)
    return values.where(reasons.isna()), _objects(reasons)


def _range_text(low, high, low_exclusive) -> str:
    if high is None:
        return f"must be {'greater than' if low_exclusive else 'at least'} {low:g}"
    if low is None:
        return f"must be at most {high:g}"
    if low_exclusive:
        return f"must be greater than {low:g} and at most {high:g}"
    return f"must be between {low:g} and {high:g}"


def _by_distinct(raw: pd.Series, parse) -> pd.Series:
    """Apply ``parse`` once per distinct cell value (registry columns repeat a handful of values)."""
    values = raw.astype(object)
    lookup = {}
    for value in values.dropna().unique():
        lookup[value] = parse(value)
    mapped = values.map(lookup).astype(object)
    return mapped.where(values.notna(), None)


def _parse_bool(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    word = _clean_text(value)
    if word is None:
        return None
    word = word.lower().replace(" ", "_")
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return "?"


def boolean(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    parsed = _by_distinct(raw, _parse_bool)
    bad = parsed.map(lambda v: isinstance(v, str)).astype(bool)
    reasons = pd.Series(np.where(bad, "not yes/no (use true/false, ya/tidak, 1/0)", None),  # type: ignore[call-overload]  # pandas-stubs: None
                        index=raw.index, dtype=object)  # type: ignore[arg-type]  # pandas-stubs: object dtype
    return _objects(parsed.where(~bad, None)), _objects(reasons)


def enum(raw: pd.Series, enum_cls) -> tuple[pd.Series, pd.Series]:
    texts = cleaned(raw)
    lookup: dict[str, tuple[str | None, str | None]] = {}
    for value in texts.dropna().unique():
        try:
            lookup[value] = (enum_cls.parse(value).value, None)
        except VocabularyError as exc:
            lookup[value] = (None, str(exc))
    values = texts.map({k: v[0] for k, v in lookup.items()}).astype(object)
    reasons = texts.map({k: v[1] for k, v in lookup.items()}).astype(object)
    return values.where(values.notna(), None), reasons.where(reasons.notna(), None)


def dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    parsed = _by_distinct(raw, _parse_date)
    reasons = parsed.map(lambda v: "not a date (use YYYY-MM-DD or DD/MM/YYYY)" if isinstance(v, str) else None)
    return _objects(parsed.map(lambda v: None if isinstance(v, str) else v)), _objects(reasons)


def _parse_date(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    cleaned = str(value).strip()
    if not cleaned:
        return None
    try:
        return date.fromisoformat(cleaned[:10]) if len(cleaned) >= 10 and cleaned[4] == "-" else _dmy(cleaned)
    except ValueError:
        return "?"


def _dmy(cleaned: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(cleaned)


def timestamps(raw: pd.Series, timezone: str) -> tuple[pd.Series, pd.Series]:
    zone = ZoneInfo(timezone)

    def parse(value):
        if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
            return None
        try:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
        except ValueError:
            return "?"
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    parsed = raw.map(parse)
    reasons = parsed.map(lambda v: "not a date and time (use ISO 8601, e.g. 2024-05-01T07:00+07:00)"
                         if isinstance(v, str) else None)
    return _objects(parsed.map(lambda v: None if isinstance(v, str) else v)), _objects(reasons)


def neutralise(value) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    if value is None:
        return ""
    out = str(value)
    return "'" + out if out.startswith(FORMULA_START) else out
