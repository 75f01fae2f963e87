"""Where the operator pages get their relay client and settings from.

Production code reads the cached objects in dashboard/deps.py. Tests (AppTest) put a fake client or
settings object in ``st.session_state`` under the override keys below before the first run; the pages
then never touch the network or the environment.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

RELAY_CLIENT_OVERRIDE = "relay_client_override"
SETTINGS_OVERRIDE = "settings_override"
SESSION_FACTORY_OVERRIDE = "session_factory_override"


def relay_client() -> Any:
    """The RelayClient used for every relay action on this page run."""
    override = st.session_state.get(RELAY_CLIENT_OVERRIDE)
    if override is not None:
        return override
    from dashboard import deps

    return deps.relay_client()


def settings() -> Any:
    override = st.session_state.get(SETTINGS_OVERRIDE)
    if override is not None:
        return override
    from dashboard import deps

    return deps.settings()


def session_factory() -> Any:
    override = st.session_state.get(SESSION_FACTORY_OVERRIDE)
    if override is not None:
        return override
    from dashboard import deps

    return deps.session_factory()


def current_user() -> str:
    """The signed-in user's name, used to bind HLS tokens and audit events to a person."""
    from dashboard import state

    user = getattr(state, "current_user", None)
    name = user() if callable(user) else None
    return str(getattr(name, "username", name) or "anonymous")


def relay_errors() -> tuple[type[Exception], ...]:
    """The relay client's own exception types: the only errors pages catch around relay calls."""
    from relay.client import RelayRefused, RelayUnavailable

    return (RelayUnavailable, RelayRefused)


def describe_relay_error(exc: Exception) -> str:
    """A translated sentence saying what went wrong with the relay and what to do next."""
    from dashboard.i18n import _
    from relay.client import RelayRefused

    if isinstance(exc, RelayRefused):
        return _("The relay refused the request: {reason}. Check the feed's state and the relay's limits, "
                 "then try again.", reason=str(exc))
    return _("The relay cannot be reached: {reason}. Check that the relay is running (noblindspot relay) "
             "and that the dashboard's relay URL is right, then try again.", reason=str(exc))


RESULT_CACHE_OVERRIDE = "result_cache_override"
_SESSION_RESULT_CACHE = "_session_result_cache"


def result_cache() -> Any:
    """The coverage/planner result cache (db.coverage_cache.ResultCache) shared by the server.

    dashboard/deps.py is where a server-wide cache belongs; until it offers ``result_cache()``, each
    session keeps a memory-only cache of its own (correct, just recomputed once per session).
    """
    override = st.session_state.get(RESULT_CACHE_OVERRIDE)
    if override is not None:
        return override
    from dashboard import deps

    shared = getattr(deps, "result_cache", None)
    if callable(shared):
        return shared()
    from db.coverage_cache import ResultCache

    if _SESSION_RESULT_CACHE not in st.session_state:
        st.session_state[_SESSION_RESULT_CACHE] = ResultCache(directory=None)
    return st.session_state[_SESSION_RESULT_CACHE]
