"""geo/transparency.py: the report's tables and the small-number rule."""
from __future__ import annotations

import math

import pandas as pd

from geo.transparency import purpose_group, shown_average, shown_count, tabulate


def test_purposes_group_cases_and_keep_reasons():
    assert purpose_group("case:INC-2026-0012") == "case"
    assert purpose_group("reason:patrol_monitoring") == "patrol_monitoring"
    assert purpose_group(None) == purpose_group("garbled") == "unstated"


def test_one_to_nine_is_suppressed_zero_and_ten_are_not():
    assert [shown_count(n) for n in (0, 1, 9, 10, 1234)] == ["0", "<10", "<10", "10", "1234"]
    assert shown_average(90.0, 9) == "–" and shown_average(125.0, 10) == "12.5"


def test_tables_count_views_cameras_and_requests_per_polsek_and_purpose():
    views = pd.DataFrame({"polsek": ["Polsek A"] * 12 + ["Polsek B"] * 3,
                          "purpose": ["reason:patrol_monitoring"] * 11 + ["case:INC-1"] + ["case:INC-2"] * 3,
                          "camera": [f"C{i % 4}" for i in range(12)] + ["C9"] * 3})
    requests = pd.DataFrame({"polsek": ["Polsek B"] * 12, "purpose": ["case:INC-2"] * 12,
                             "status": ["received"] * 10 + ["unavailable", "requested"],
                             "hours_to_receipt": [10.0] * 10 + [math.nan, math.nan]})
    rows = tabulate(views, requests).rows.set_index(["polsek", "purpose"])
    assert rows.loc[("Polsek A", "patrol_monitoring"), "live_views"] == 11
    assert rows.loc[("Polsek A", "patrol_monitoring"), "cameras_viewed"] == 4
    assert rows.loc[("Polsek A", "case"), "live_views"] == 1
    b = rows.loc[("Polsek B", "case")]
    assert (b.live_views, b.cameras_viewed, b.requests_sent, b.received, b.unavailable) == (3, 1, 12, 10, 1)
    printed = tabulate(views, requests).published().set_index(["polsek", "purpose"])
    assert printed.loc[("Polsek A", "patrol_monitoring"), "live_views"] == "11"
    assert printed.loc[("Polsek A", "case"), "live_views"] == "<10"
    assert printed.loc[("Polsek B", "case"), "avg_hours_to_receipt"] == "10.0"
    total = printed.loc[("total", "")]
    assert (total.live_views, total.requests_sent, total.received) == ("15", "12", "10")


def test_an_empty_month_is_a_table_of_zeros():
    empty = tabulate(pd.DataFrame(columns=["polsek", "purpose", "camera"]),
                     pd.DataFrame(columns=["polsek", "purpose", "status", "hours_to_receipt"])).published()
    assert list(empty["polsek"]) == ["total"] and empty.iloc[0]["live_views"] == "0"
