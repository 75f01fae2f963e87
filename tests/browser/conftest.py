"""Browser tests: a real `streamlit run dashboard/server.py` (dashboard/app.py with its security
headers) against a seeded temporary database, driven by Playwright with Debian's Chromium (never a
downloaded browser).

The seeding helpers are plain functions in tests/support/dashboard.py, shared with the AppTest suites.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.dashboard import CHROMIUM_ARGS, REPO, free_port, seed_database, wait_for_http


@pytest.fixture
def seeded_url(database_url) -> tuple[str, dict[str, list[str]]]:
    return database_url, seed_database(database_url)


@pytest.fixture
def dashboard_env() -> dict[str, str]:
    """Extra environment for the dashboard server (override this fixture in a test module)."""
    return {}


@pytest.fixture
def dashboard_server(seeded_url, tmp_path, dashboard_env):
    """`streamlit run dashboard/server.py` on a free port against the seeded database; yields its base URL."""
    url, codes = seeded_url
    port = free_port()
    env = dict(os.environ, NOBLINDSPOT_DATABASE_URL=url, NOBLINDSPOT_DATA_DIR=str(tmp_path / "data"),
               **dashboard_env)
    env.pop("NOBLINDSPOT_CONFIG", None)
    argv = [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "server.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
            "--browser.gatherUsageStats", "false"]
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/_stcore/health")
        yield base, codes
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def browser():
    from tests.support.components import need_chromium

    chromium = need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
