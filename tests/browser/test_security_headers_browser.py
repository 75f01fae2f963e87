"""The dashboard's security headers on the real server (`streamlit run dashboard/server.py`), and
what they mean in real Chromium: a page of another origin cannot frame the dashboard, while the
dashboard itself (its sign-in form, Streamlit's websocket) works as before."""
from __future__ import annotations

import http.server
import threading

import httpx
import pytest

from dashboard.security_headers import SECURITY_HEADERS
from tests.support.dashboard import free_port

TIMEOUT_MS = 60_000


@pytest.fixture
def foreign_site(dashboard_server):
    """A page on another origin (another port) that tries to frame the dashboard."""
    base, _ = dashboard_server
    page = f'<html><body><h1>elsewhere</h1><iframe id="victim" src="{base}/" width="800" height="600"></iframe>'
    body = page.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_every_response_carries_the_headers_and_streamlit_metrics_are_hidden(dashboard_server):
    base, _ = dashboard_server
    for path in ("/", "/_stcore/health", "/incidents", "/static/does-not-exist.js"):
        response = httpx.get(base + path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
    metrics = httpx.get(base + "/_stcore/metrics")
    assert metrics.status_code == 404 and "frame-ancestors" in metrics.headers["content-security-policy"]


def test_another_site_cannot_frame_the_dashboard_but_it_still_works(browser, dashboard_server, foreign_site):
    base, _ = dashboard_server
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    refused = ("frame-ancestors", "X-Frame-Options")
    with page.expect_console_message(lambda m: any(word in m.text for word in refused), timeout=TIMEOUT_MS) as seen:
        page.goto(foreign_site, wait_until="load")
    assert "127.0.0.1" in seen.value.text                 # Chromium names the refused frame's address
    assert page.frame_locator("#victim").get_by_label("User name", exact=True).count() == 0
    own = browser.new_page(viewport={"width": 1600, "height": 1000})
    own.goto(f"{base}/?lang=en", wait_until="domcontentloaded")
    own.get_by_label("User name", exact=True).wait_for(state="visible", timeout=TIMEOUT_MS)
