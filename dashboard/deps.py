"""Shared, thread-safe objects for every session: the only users of st.cache_resource.

Nothing is built at import; each object is made on first use and reused by every session of the
server process. Settings are read once from the environment (NOBLINDSPOT_*), the way the CLI does.
"""
from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_engine, make_session_factory
from noblindspot.settings import Settings


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return Settings()


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
    return RelayClient(cfg.relay_url, cfg.relay_operator_token.get_secret_value())
