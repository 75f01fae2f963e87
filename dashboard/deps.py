"""The dashboard's one wiring module: settings, database sessions, the relay client, the result cache
and the signed-in actor. Pages and components get each of them here and nowhere else.

Shared, thread-safe objects are built on first use with st.cache_resource and reused by every
session of the server process (nothing is built at import). Settings are read once from the
environment (NOBLINDSPOT_*) and the data directory's secrets.toml, the way the CLI does;
dashboard/app.py refuses weak secrets on every run.

Tests (AppTest) put their own object in ``st.session_state`` under an override key below before the
first run; every accessor looks there first, so an override reaches every page.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dashboard.components.basemap_layers import VectorBasemap
from db.coverage_cache import CACHE_DIR, ResultCache
from db.engine import make_engine, make_session_factory
from settings import Settings
from settings.secrets_file import ensure_private_dir

if TYPE_CHECKING:
    from relay.client import RelayClient

log = logging.getLogger(__name__)

SETTINGS_OVERRIDE = "settings_override"
SESSION_FACTORY_OVERRIDE = "session_factory_override"
RELAY_CLIENT_OVERRIDE = "relay_client_override"
RESULT_CACHE_OVERRIDE = "result_cache_override"


@st.cache_resource(show_spinner=False)
def _settings() -> Settings:
    """The settings, once per server start; the data directory is made (or tightened to) 0700."""
    built = Settings()
    ensure_private_dir(built.data_dir)
    if built.insecure_dev:
        log.warning("INSECURE DEVELOPMENT MODE (NOBLINDSPOT_INSECURE_DEV): weak secrets are allowed; never run "
                    "a real command centre like this")
    return built


def settings() -> Settings:
    override = st.session_state.get(SETTINGS_OVERRIDE)
    return override if override is not None else _settings()


@st.cache_resource(show_spinner=False)
def _vector_basemap(path: str, size: int, mtime_ns: int) -> VectorBasemap | None:
    from dashboard.basemap_tiles import tile_url_template
    from db.io.basemap import BasemapError, read_info

    try:
        info = read_info(Path(path))
    except BasemapError as exc:
        log.warning("the basemap file is not usable, drawing none: %s", exc)
        return None
    return VectorBasemap(tile_url_template(info.version), info.min_zoom, info.max_zoom)


def vector_basemap() -> VectorBasemap | None:
    """The offline vector basemap (db/io/basemap.py) when its file is there; read again when it changes."""
    path = settings().resolved_basemap_file()
    try:
        stat = path.stat()
    except OSError:
        return None
    return _vector_basemap(str(path), stat.st_size, stat.st_mtime_ns)


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


@st.cache_resource(show_spinner=False)
def _session_factory(url: str) -> sessionmaker[Session]:
    return make_session_factory(_engine(url))


def session_factory() -> sessionmaker[Session]:
    """Sessions for this run: ``with deps.session_factory().begin() as s:`` per user action."""
    override = st.session_state.get(SESSION_FACTORY_OVERRIDE)
    if override is not None:
        return override
    return _session_factory(settings().resolved_database_url())


def database_key() -> str:
    """Which database this run reads (several run in one process in tests and staging)."""
    bind = session_factory().kw.get("bind")
    return bind.url.render_as_string(hide_password=True) if bind is not None else "default"


@st.cache_resource(show_spinner=False)
def _relay_client(url: str, token: str) -> RelayClient:
    from relay.client import RelayClient

    return RelayClient(url, token)


def relay_client() -> Any:
    """The relay's HTTP client (relay/client.py), authenticated with the operator token."""
    override = st.session_state.get(RELAY_CLIENT_OVERRIDE)
    if override is not None:
        return override
    cfg = settings()
    return _relay_client(cfg.relay_url, cfg.relay_operator_token.get_secret_value())  # app.py checked it is set


@st.cache_resource(show_spinner=False)
def _result_cache(data_dir: str) -> ResultCache:
    return ResultCache(Path(data_dir) / CACHE_DIR)


def result_cache() -> ResultCache:
    """The coverage, blind-spot, who-sees and planner results (db.coverage_cache), one per process.

    Results are keyed by the data version (and database), so every page and every session reads the
    same figures, computed once.
    """
    override = st.session_state.get(RESULT_CACHE_OVERRIDE)
    if override is not None:
        return override
    return _result_cache(str(settings().data_dir))
