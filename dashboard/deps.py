"""Shared, thread-safe objects for every session: the only users of st.cache_resource.

Nothing is built at import; each object is made on first use and reused by every session of the
server process. Settings are read once from the environment (NOBLINDSPOT_*) and the data
directory's secrets.toml, the way the CLI does; dashboard/app.py refuses weak secrets on every run.
"""
from __future__ import annotations

import logging
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_engine, make_session_factory
from settings.secrets_file import ensure_private_dir
from settings import Settings

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    """The settings, once per server start; the data directory is made (or tightened to) 0700."""
    built = Settings()
    ensure_private_dir(built.data_dir)
    if built.insecure_dev:
        log.warning("INSECURE DEVELOPMENT MODE (NOBLINDSPOT_INSECURE_DEV): weak secrets are allowed; never run "
                    "a real command centre like this")
    return built


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    return make_engine(settings().resolved_database_url())


@st.cache_resource(show_spinner=False)
def session_factory() -> sessionmaker[Session]:
    return make_session_factory(engine())


@st.cache_resource(show_spinner=False)
def relay_client() -> Any:
    """The relay's HTTP client (relay/client.py), authenticated with the operator token."""
    from relay.client import RelayClient  # the relay issue provides it; imported only when used

    cfg = settings()
    return RelayClient(cfg.relay_url, cfg.relay_operator_token.get_secret_value())   # app.py checked it is set
