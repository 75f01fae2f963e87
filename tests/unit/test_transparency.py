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


def test_a_single_hidden_cell_gets_a_complementary_suppression():
    from geo.transparency import COMPLEMENT, protected_column

    # 55 total, one cell of 5: without the complement 55 - 50 would give it away
    assert protected_column([50, 5]) == [COMPLEMENT, "<10"]
    # the smallest shown cell is the one hidden with it; zeros stay (they are no disclosure)
    assert protected_column([120, 0, 4, 30, 12]) == ["120", "0", "<10", "30", COMPLEMENT]
    # two hidden cells already protect each other; nothing to hide beside a lone small cell
    assert protected_column([40, 3, 7]) == ["40", "<10", "<10"]
    assert protected_column([0, 6]) == ["0", "<10"]


def test_published_totals_never_give_a_suppressed_cell_away():
    from geo.transparency import SUPPRESS_BELOW, published_counts

    rows = pd.DataFrame({"polsek": ["A", "B", "C"], "purpose": ["case"] * 3, "n": [25, 7, 0]})
    printed = published_counts(rows, ["polsek", "purpose"], ("n",))
    shown = list(printed["n"])
    assert shown[-1] == "32"                                        # the total stays exact
    exact = [int(v) for v in shown[:-1] if v.isdigit()]
    # what a reader can subtract is the sum of at least two hidden cells, never one small cell
    assert 32 - sum(exact) >= SUPPRESS_BELOW


def test_consent_changes_are_counted_per_polsek_and_kind():
    changes = pd.DataFrame({"polsek": ["Polsek A"] * 12 + ["Polsek B"] * 2,
                            "kind": ["lowered"] * 11 + ["raised"] + ["extended"] * 2})
    tables = tabulate(pd.DataFrame(columns=["polsek", "purpose", "camera"]),
                      pd.DataFrame(columns=["polsek", "purpose", "status", "hours_to_receipt"]), changes)
    raw = tables.consent.set_index("polsek")
    assert raw.loc["Polsek A", "lowered"] == 11 and raw.loc["Polsek A", "raised"] == 1
    assert raw.loc["Polsek B", "extended"] == 2 and raw.loc["Polsek B", "shortened"] == 0
    printed = tables.published_consent().set_index("polsek")
    assert printed.loc["Polsek A", "lowered"] == "11" and printed.loc["Polsek A", "raised"] == "<10"
    assert printed.loc["total", "lowered"] == "11" and printed.loc["total", "extended"] == "<10"
