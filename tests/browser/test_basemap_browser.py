"""A self-hosted raster basemap (NOBLINDSPOT_BASEMAP_URL) is drawn under the cameras, fetched only from
the configured tile server."""
from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest

from tests.browser.test_map_browser import (
    TIMEOUT_MS,
    _add_commander,
    _chart,
    _external_requests,
    _pixels,
    _sign_in,
)
from tests.support.dashboard import free_port

pytestmark = pytest.mark.browser
TILE_RGB = (255, 0, 255)   # a colour nothing else on the map uses


def _tile_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), TILE_RGB).save(buffer, format="PNG")
    return buffer.getvalue()


class _Tiles(BaseHTTPRequestHandler):
    png = b""
    requested: ClassVar[list[str]] = []

    def do_GET(self):  # http.server's naming
        type(self).requested.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(self.png)))
        self.end_headers()
        self.wfile.write(self.png)

    def log_message(self, *args):
        pass


@pytest.fixture
def tile_server():
    _Tiles.png, _Tiles.requested = _tile_png(), []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def dashboard_env(tile_server) -> dict[str, str]:
    return {"NOBLINDSPOT_BASEMAP_URL": tile_server + "/{z}/{x}/{y}.png"}


def test_self_hosted_tiles_are_drawn_under_the_map(dashboard_server, seeded_url, browser):
    base, _codes = dashboard_server
    username = _add_commander(seeded_url[0], "wati")
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    external = _external_requests(page)
    _sign_in(page, base, username)
    page.get_by_role("heading", name="Camera map").wait_for(timeout=TIMEOUT_MS)
    chart = _chart(page)
    page.wait_for_timeout(2000)
    pixels = _pixels(chart)
    tile_share = float((np.abs(pixels - np.array(TILE_RGB)).sum(axis=2) < 30).mean())
    assert tile_share > 0.3, f"the basemap tiles cover only {tile_share:.0%} of the map"
    assert any(path.endswith(".png") and path.count("/") == 3 for path in _Tiles.requested)
    assert external == []
