"""The basemap's tiles, served by the dashboard itself: ``/basemap/<version>/{z}/{x}/{y}.mvt``.

The map's deck.gl tile layer fetches them from the same origin, so no request leaves the browser. A
tile is sent as it is stored (gzip-compressed MVT, ``Content-Encoding: gzip``). ``<version>`` changes
whenever the file does (db/io/basemap.read_info), so a tile may be cached for a year as immutable; an
old version's URL answers 404. Inside the file's zoom range a tile the file lacks is empty (204);
outside it, or without a basemap, 404. dashboard/server.py mounts these routes inside the security
headers middleware.
"""
from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from db.io.basemap import TileArchive

TILE_PATH = "/basemap/{version}/{z:int}/{x:int}/{y:int}.mvt"
# Streamlit's deck.gl bundle parses vector tiles only in loaders.gl's worker, which it would fetch from a
# CDN: the same worker (package.json pins @loaders.gl/mvt to the bundle's loaders.gl version) is served here.
WORKER_PATH = "/basemap/mvt-worker.js"
WORKER_FILE = Path(__file__).resolve().parents[1] / "node_modules" / "@loaders.gl" / "mvt" / "dist" / "mvt-worker.js"
MVT_TYPE = "application/vnd.mapbox-vector-tile"
CACHE_FOREVER = "public, max-age=31536000, immutable"


def tile_url_template(version: str) -> str:
    """The URL template deck.gl's MVTLayer fills in ({z}/{x}/{y})."""
    return f"/basemap/{version}/{{z}}/{{x}}/{{y}}.mvt"


class BasemapTiles:
    """The tile endpoint; ``locate`` names the basemap file, asked on the first request (not at import)."""

    def __init__(self, locate: Callable[[], Path]) -> None:
        self._locate = locate
        self._archive: TileArchive | None = None

    def archive(self) -> TileArchive:
        if self._archive is None:
            self._archive = TileArchive(self._locate())
        return self._archive

    def respond(self, request: Request) -> Response:
        params = request.path_params
        z, x, y = params["z"], params["x"], params["y"]
        archive = self.archive()
        info = archive.info()
        if info is None or params["version"] != info.version or not info.min_zoom <= z <= info.max_zoom \
                or not (0 <= x < 2 ** z and 0 <= y < 2 ** z):
            return Response(status_code=404, headers={"cache-control": "no-store"})
        data = archive.tile(z, x, y)
        if not data:
            return Response(status_code=204, headers={"cache-control": CACHE_FOREVER})
        headers = {"cache-control": CACHE_FOREVER, "vary": "accept-encoding"}
        if info.gzipped and "gzip" in request.headers.get("accept-encoding", ""):
            headers["content-encoding"] = "gzip"
        elif info.gzipped:
            data = gzip.decompress(data)
        return Response(data, media_type=MVT_TYPE, headers=headers)


def mvt_worker(request: Request) -> Response:
    if not WORKER_FILE.is_file():
        return Response("the basemap's tile parser is not installed (npm ci)", status_code=404)
    return FileResponse(WORKER_FILE, media_type="text/javascript", headers={"cache-control": "public, max-age=86400"})


def basemap_routes(locate: Callable[[], Path]) -> list[Route]:
    # sync endpoints: Starlette runs them in its thread pool, so reading the file never blocks the event loop
    return [Route(WORKER_PATH, mvt_worker, methods=["GET", "HEAD"]),
            Route(TILE_PATH, BasemapTiles(locate).respond, methods=["GET", "HEAD"])]
