"""Audit events for what operators do on the feeds, wall, player and registry pages (db/audit.py).

Each event is its own small unit of work. A live view is recorded once per user, camera and token
bucket in a session, so a wall refreshing every 20 s does not flood the log.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import deps
from db import audit

_VIEWED_KEY = "_audited_live_views"


def _session_factory():
    return deps.session_factory()


def live_view(user: str, camera_code: str, bucket: int, purpose: str | None = None) -> None:
    """Record a live view once per user, camera, token (``bucket``: the token's expiry) and purpose."""
    seen = st.session_state.setdefault(_VIEWED_KEY, set())
    if (user, camera_code, bucket, purpose) in seen:
        return
    with _session_factory().begin() as session:
        audit.record_live_view(session, user, camera_code, purpose)
    seen.add((user, camera_code, bucket, purpose))


def registry_export(user: str, file_name: str, count: int, purpose: str) -> None:
    with _session_factory().begin() as session:
        audit.record(session, user, audit.AuditAction.REGISTRY_EXPORT, target=file_name,
                     detail={"cameras": count, "purpose": purpose})


def feed_control(user: str, camera_code: str, command: str, detail: dict[str, Any] | None = None) -> None:
    with _session_factory().begin() as session:
        audit.record_feed_control(session, user, camera_code, command, detail)


def registry_change(user: str, kind: str, target: str, detail: dict[str, Any] | None = None) -> None:
    with _session_factory().begin() as session:
        audit.record_registry_change(session, user, kind, target, detail)
