"""The dashboard's server entry point: `streamlit run dashboard/server.py` serves dashboard/app.py
as an ``st.App`` with the security headers Streamlit cannot set from its configuration
(dashboard/security_headers.py). Everything else (options, config.toml, pages) is Streamlit's own.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from dashboard.security_headers import SecurityHeaders

app = st.App(Path(__file__).with_name("app.py"), middleware=[Middleware(SecurityHeaders)])
