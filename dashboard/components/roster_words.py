"""Why a roster or position file, or a personnel count, was refused, in the user's language
(db.roster.RosterError codes; the English text for a code this table does not know)."""
from __future__ import annotations

from dashboard.i18n import _
from db.roster import RosterError, RosterReport


def _what(value: object) -> str:
    return {"shift start": _("shift start"), "shift end": _("shift end"), "time": _("time"),
            "lon": _("longitude"), "lat": _("latitude"), "headcount": _("headcount")}.get(str(value), str(value))


def problem_text(problem: RosterError) -> str:
    p = problem.params
    texts = {
        "time_empty": lambda: _("{what} is empty; write it as YYYY-MM-DD HH:MM (WIB)", what=_what(p.get("what"))),
        "time_bad": lambda: _("{what} '{value}' is not a time; write it as YYYY-MM-DD HH:MM (WIB)",
                              what=_what(p.get("what")), value=p.get("value")),
        "callsign_bad": lambda: _("'{value}' is not a call sign: 1 to 64 letters, digits, spaces and . _ / -, "
                                  "starting with a letter or a digit", value=p.get("value")),
        "number_bad": lambda: _("{what} '{value}' is not a number", what=_what(p.get("what")), value=p.get("value")),
        "headcount_bad": lambda: _("headcount '{value}' must be a whole number from 1 to {max}",
                                   value=p.get("value"), max=p.get("max")),
        "columns_missing": lambda: _("missing columns: {missing}; the header must name {expected}",
                                     missing=p.get("missing"), expected=p.get("expected")),
        "too_many_rows": lambda: _("more than {max} rows; split the file", max=p.get("max")),
        "post_unknown": lambda: _("post '{post}' is not in the registry; import the posts first or fix the code",
                                  post=p.get("post")),
        "shift_inverted": lambda: _("the shift ends before it starts"),
        "shift_too_long": lambda: _("the shift is longer than 24 hours; split it"),
        "unit_twice": lambda: _("unit '{unit}' is already on line {line}", unit=p.get("unit"), line=p.get("line")),
        "no_rows": lambda: _("the file has a header but no rows"),
        "position_bad": lambda: _("({lon}, {lat}) is not a position: give longitude, then latitude, in degrees",
                                  lon=p.get("lon"), lat=p.get("lat")),
        "position_outside": lambda: _("({lon}, {lat}) is outside the region; check the order (lon, lat) and "
                                      "the numbers", lon=p.get("lon"), lat=p.get("lat")),
        "units_unknown": lambda: _("unknown units: {units}; import the roster first", units=p.get("units")),
        "personnel_bad": lambda: _("personnel must be a whole number from 0 to {max}", max=p.get("max")),
    }
    text = texts.get(problem.code)
    return text() if text else str(problem)


def report_text(report: RosterReport) -> str:
    """The refused file's problems, one per line, in the user's language."""
    lines = [_("{source}: {count} problem(s) in {rows} row(s); nothing was imported", source=report.source,
               count=len(report.problems), rows=report.rows)]
    lines += [_("  line {line}: {problem}", line=line, problem=problem_text(problem))
              for line, problem in report.problems]
    return "\n".join(lines)


def summary_text(report: RosterReport) -> str:
    return _("{source}: {rows} row(s): {added} added, {updated} updated, {unchanged} unchanged", source=report.source,
             rows=report.rows, added=report.added, updated=report.updated, unchanged=report.unchanged)
