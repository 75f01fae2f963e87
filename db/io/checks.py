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


def text(raw: pd.Series, max_len: int | None = None) -> tuple[pd.Series, pd.Series]:
    values = raw.map(_clean_text)
    reasons = pd.Series(None, index=raw.index, dtype=object)
    if max_len is not None:
        long = values.map(lambda v: v is not None and len(v) > max_len).astype(bool)
        reasons[long] = f"longer than {max_len} characters"
    return values, reasons


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
    cleaned = raw.map(_clean_text)
    blank = cleaned.isna()
    as_text = cleaned.astype(object)
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
    return values.where(reasons.isna()), reasons


def _range_text(low, high, low_exclusive) -> str:
    if high is None:
        return f"must be {'greater than' if low_exclusive else 'at least'} {low:g}"
    return f"must be between {low:g} and {high:g}"


def boolean(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    def parse(v):
        if v is None or isinstance(v, bool):
            return v
        word = str(v).strip().lower().replace(" ", "_")
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        return "?"
    cleaned = raw.map(lambda v: _clean_text(v) if not isinstance(v, bool) else v)
    parsed = cleaned.map(parse)
    reasons = pd.Series(None, index=raw.index, dtype=object)
    bad = parsed.map(lambda v: v == "?" if isinstance(v, str) else False).astype(bool)
    reasons[bad] = "not yes/no (use true/false, ya/tidak, 1/0)"
    return parsed.where(~bad, None), reasons


def enum(raw: pd.Series, enum_cls) -> tuple[pd.Series, pd.Series]:
    cleaned = raw.map(_clean_text)
    lookup: dict[str, tuple[str | None, str | None]] = {}
    for value in cleaned.dropna().unique():
        try:
            lookup[value] = (enum_cls.parse(value).value, None)
        except VocabularyError as exc:
            lookup[value] = (None, str(exc))
    values = cleaned.map(lambda v: lookup[v][0] if v is not None else None)
    reasons = cleaned.map(lambda v: lookup[v][1] if v is not None else None)
    return values, reasons


def dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    parsed = raw.map(_parse_date)
    reasons = parsed.map(lambda v: "not a date (use YYYY-MM-DD or DD/MM/YYYY)" if v == "?" else None)
    return parsed.map(lambda v: None if v == "?" else v), reasons


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
    return parsed.map(lambda v: None if isinstance(v, str) else v), reasons


def neutralise(value) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    if value is None:
        return ""
    out = str(value)
    return "'" + out if out.startswith(FORMULA_START) else out
