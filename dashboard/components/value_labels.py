"""Words for stored values in the tables commanders and operators read: no enum value reaches the screen raw.

The registry and the workflows store English identifiers (``on_request``, ``registered``, ``requested``);
the tables show them in the user's language, and an empty value as a dash, never ``None`` or ``nan``.
The map's filters use the same words.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from dashboard.i18n import _, format_number
from geo.demo.facts import APPROXIMATE_SUFFIX

EMPTY = "–"   # what every table shows where nothing is known (i18n.format_number says the same)


def is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def text(value: object) -> str:
    """A free-text value (a name, a code) as shown in a table: itself, or a dash when empty."""
    return EMPTY if is_empty(value) else str(value)


def post_name(value: object) -> str:
    """A post's name; the demo's mark for an estimated position ("(perkiraan lokasi)") in the reader's words."""
    name = text(value)
    if name.endswith(APPROXIMATE_SUFFIX):
        return name[: -len(APPROXIMATE_SUFFIX)] + _("(approximate location)")
    return name


def number(value: object, decimals: int = 0) -> str:
    """A number in the reader's format (1.234 in Indonesian), or a dash when unknown."""
    return EMPTY if is_empty(value) else format_number(float(value), decimals)  # type: ignore[arg-type]


def _lookup(labels: dict[str, str], value: object) -> str:
    if is_empty(value):
        return EMPTY
    key = str(getattr(value, "value", value))
    return labels.get(key, key)


def consent_label(value: object) -> str:
    return _lookup({"registry_only": _("Registry only"), "on_request": _("Footage on request"),
                    "live": _("Live viewing allowed")}, value)


def connection_label(value: object) -> str:
    return _lookup({"connected": _("Connected"), "registered": _("Registered only")}, value)


def footage_status_label(value: object) -> str:
    return _lookup({"requested": _("Requested"), "owner_contacted": _("Owner contacted"),
                    "received": _("Received"), "reviewed": _("Reviewed"), "unavailable": _("Unavailable")}, value)


def district_names(pairs: Iterable[tuple[object, object]]) -> dict[str, str]:
    """District code -> name, for showing a planner's district codes as the names commanders know."""
    return {str(code): str(name) for code, name in pairs if not is_empty(code) and not is_empty(name)}


def district_label(code: object, names: dict[str, str]) -> str:
    return EMPTY if is_empty(code) else names.get(str(code), str(code))
