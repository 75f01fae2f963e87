"""The dashboard's server entry point: `streamlit run dashboard/server.py` serves dashboard/app.py
as an ``st.App`` with the security headers Streamlit cannot set from its configuration
(dashboard/security_headers.py) and the offline basemap's tiles (dashboard/basemap_tiles.py), both
inside that middleware. Everything else (options, config.toml, pages) is Streamlit's own.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from dashboard.basemap_tiles import basemap_routes
from dashboard.security_headers import SecurityHeaders


def _basemap_file() -> Path:
    # the same settings the app reads (environment, NOBLINDSPOT_CONFIG, the data directory), on first request
    from settings import Settings

    return Settings().resolved_basemap_file()


app = st.App(Path(__file__).with_name("app.py"), routes=basemap_routes(_basemap_file),
             middleware=[Middleware(SecurityHeaders)])
