"""The monthly transparency report's tables, computed from the audit ledger (no hand-curated counts).

Input: one row per live view (Polsek of the camera, purpose, camera) and one row per footage
request (Polsek, status, hours from request to receipt). Output: one row per Polsek and purpose
group with live views, distinct cameras viewed, footage requests sent, received, unavailable and
the average hours to receipt, plus a total row.

Small numbers could point at a person or a household, so a published cell from 1 to 9 reads
``<10`` (``SUPPRESS_BELOW``); zero stays 0 (nothing happened is not a disclosure), and an average
over fewer than 10 receipts is not shown. Purposes are grouped: every incident is "case" (case
codes never appear), each listed reason is its own group.

The total row is exact, so a column with a single suppressed cell would give that cell away by
subtraction (total minus the cells shown). Such a column gets a second, complementary suppression:
its smallest shown non-zero cell reads ``≥10`` (``COMPLEMENT``), so only the sum of the two hidden
cells can be worked out. A consent-change table (per Polsek: raised, lowered, extended, shortened)
follows the same rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

SUPPRESS_BELOW = 10
COMPLEMENT = "≥10"
CASE = "case"
NO_POLSEK = ""          # a camera outside every Polsek's kecamatan
COUNT_COLUMNS = ("live_views", "cameras_viewed", "requests_sent", "received", "unavailable")
CONSENT_COLUMNS = ("raised", "lowered", "extended", "shortened")


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


def protected_column(values: list[int]) -> list[str]:
    """One column's cells as published (the total row not included): small counts suppressed, and a
    complementary suppression when a single cell is hidden (see the module docstring)."""
    shown = [shown_count(int(v)) for v in values]
    hidden = [i for i, v in enumerate(values) if 0 < v < SUPPRESS_BELOW]
    if len(hidden) == 1:
        visible = [i for i, v in enumerate(values) if v >= SUPPRESS_BELOW]
        if visible:
            shown[min(visible, key=lambda i: (values[i], i))] = COMPLEMENT
    return shown


def published_counts(rows: pd.DataFrame, keys: list[str], columns: tuple[str, ...]) -> pd.DataFrame:
    """``rows`` (key columns and integer counts) as printed, with the exact total row last."""
    total = {k: ("total" if i == 0 else "") for i, k in enumerate(keys)}
    printed = pd.concat([rows[keys], pd.DataFrame([total])], ignore_index=True)
    for column in columns:
        values = [int(v) for v in rows[column]]
        printed[column] = [*protected_column(values), shown_count(sum(values))]
    return printed


@dataclass(frozen=True)
class Tables:
    rows: pd.DataFrame        # polsek, purpose, the counts, hours_total, receipts (raw, unpublished)
    consent: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["polsek", *CONSENT_COLUMNS]))

    def published(self) -> pd.DataFrame:
        """The rows as printed: suppressed counts and averages, a total row last."""
        printed = published_counts(self.rows, ["polsek", "purpose"], COUNT_COLUMNS)
        hours = [*self.rows["hours_total"], float(self.rows["hours_total"].sum())]
        receipts = [*self.rows["receipts"], int(self.rows["receipts"].sum())]
        printed["avg_hours_to_receipt"] = [shown_average(h, int(r)) for h, r in zip(hours, receipts, strict=True)]
        return printed

    def published_consent(self) -> pd.DataFrame:
        return published_counts(self.consent, ["polsek"], CONSENT_COLUMNS)


def tabulate_consent(changes: pd.DataFrame) -> pd.DataFrame:
    """``changes``: one row per consent change (polsek, kind) -> one row per Polsek with a count per kind."""
    if not len(changes):
        return pd.DataFrame(columns=["polsek", *CONSENT_COLUMNS])
    table = (changes.assign(n=1).pivot_table(index="polsek", columns="kind", values="n", aggfunc="sum", fill_value=0)
             .reindex(columns=list(CONSENT_COLUMNS), fill_value=0).reset_index())
    table.columns.name = None
    return table.astype({c: int for c in CONSENT_COLUMNS}).sort_values("polsek", kind="stable").reset_index(drop=True)


def tabulate(views: pd.DataFrame, requests: pd.DataFrame, consent: pd.DataFrame | None = None) -> Tables:
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
    changes = consent if consent is not None else pd.DataFrame(columns=["polsek", "kind"])
    return Tables(joined.sort_values(keys, kind="stable").reset_index(drop=True), tabulate_consent(changes))
