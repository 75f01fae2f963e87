"""The monthly transparency report's tables, computed from the audit ledger (no hand-curated counts).

Input: one row per live view (Polsek of the camera, purpose, camera) and one row per footage
request (Polsek, status, hours from request to receipt). Output: one row per Polsek and purpose
group with live views, distinct cameras viewed, footage requests sent, received, unavailable and
the average hours to receipt, plus a total row.

Small numbers could point at a person or a household, so a published cell from 1 to 9 reads
``<10`` (``SUPPRESS_BELOW``); zero stays 0 (nothing happened is not a disclosure), and an average
over fewer than 10 receipts is not shown. Purposes are grouped: every incident is "case" (case
codes never appear), each listed reason is its own group.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

SUPPRESS_BELOW = 10
CASE = "case"
NO_POLSEK = ""          # a camera outside every Polsek's kecamatan
COUNT_COLUMNS = ("live_views", "cameras_viewed", "requests_sent", "received", "unavailable")


def purpose_group(audit_value: str | None) -> str:
    """``case:INC-...`` -> ``case``; ``reason:patrol_monitoring`` -> ``patrol_monitoring``; none -> ``unstated``."""
    if not audit_value or ":" not in audit_value:
        return "unstated"
    kind, _, value = audit_value.partition(":")
    return CASE if kind == "case" else value


def shown_count(n: int) -> str:
    return "<10" if 0 < n < SUPPRESS_BELOW else str(int(n))


def shown_average(total_hours: float, receipts: int) -> str:
    return f"{total_hours / receipts:.1f}" if receipts >= SUPPRESS_BELOW else "–"


@dataclass(frozen=True)
class Tables:
    rows: pd.DataFrame        # polsek, purpose, the counts, hours_total, receipts (raw, unpublished)

    def published(self) -> pd.DataFrame:
        """The rows as printed: suppressed counts and averages, a total row last."""
        out = self.rows.copy()
        total = {"polsek": "total", "purpose": "", **{c: int(self.rows[c].sum()) for c in COUNT_COLUMNS},
                 "hours_total": float(self.rows["hours_total"].sum()), "receipts": int(self.rows["receipts"].sum())}
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
        printed = out[["polsek", "purpose"]].copy()
        for column in COUNT_COLUMNS:
            printed[column] = [shown_count(int(v)) for v in out[column]]
        printed["avg_hours_to_receipt"] = [shown_average(h, int(r)) for h, r in zip(out["hours_total"],
                                                                                 out["receipts"], strict=True)]
        return printed


def tabulate(views: pd.DataFrame, requests: pd.DataFrame) -> Tables:
    """``views``: polsek, purpose (audit value), camera. ``requests``: polsek, purpose, status,
    hours_to_receipt (NaN until received)."""
    keys = ["polsek", "purpose"]
    v = views.assign(purpose=views["purpose"].map(purpose_group))
    seen = (v.groupby(keys).agg(live_views=("camera", "size"), cameras_viewed=("camera", "nunique")).reset_index()
            if len(v) else pd.DataFrame(columns=[*keys, "live_views", "cameras_viewed"]))
    r = requests.assign(purpose=requests["purpose"].map(purpose_group))
    if len(r):
        asked = r.groupby(keys).agg(requests_sent=("status", "size"),
                                    received=("hours_to_receipt", "count"),
                                    unavailable=("status", lambda s: int((s == "unavailable").sum())),
                                    hours_total=("hours_to_receipt", "sum")).reset_index()
        asked["receipts"] = asked["received"]
    else:
        asked = pd.DataFrame(columns=[*keys, "requests_sent", "received", "unavailable", "hours_total", "receipts"])
    joined = seen.merge(asked, on=keys, how="outer")
    joined[[c for c in joined.columns if c not in keys]] = joined[[c for c in joined.columns
                                                                   if c not in keys]].fillna(0)
    for column in (*COUNT_COLUMNS, "receipts"):
        joined[column] = joined[column].astype(int)
    joined["hours_total"] = joined["hours_total"].astype(float)
    return Tables(joined.sort_values(keys, kind="stable").reset_index(drop=True))
