"""`noblindspot basemap build` from a small OSM extract and `basemap import`, read back through GDAL's
PMTiles driver, and the dashboard's tile route over it (caching headers, empty and missing tiles)."""
from __future__ import annotations

import gzip

import pyogrio
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from dashboard.basemap_tiles import CACHE_FOREVER, basemap_routes, tile_url_template
from dashboard.security_headers import SecurityHeaders
from db.io.basemap import read_info
from noblindspot.cli import cli
from tests.support.basemap import write_extract

# the z15 tile holding the building and the crossing of the two named roads (106.7523, -6.1719)
Z15 = (15, 26100, 16946)


def _tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    import math

    n = 2 ** z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("basemap")
    extract = write_extract(root / "west-jakarta.osm")
    env = {"NOBLINDSPOT_DATA_DIR": str(root / "data"), "NOBLINDSPOT_CONFIG": ""}
    result = CliRunner().invoke(cli, ["basemap", "build", str(extract)], env=env)
    assert result.exit_code == 0, result.output
    return root / "data" / "basemap" / "basemap.pmtiles"


def _kinds(path, layer: str, zoom: int) -> dict[str, set]:
    frame = pyogrio.read_dataframe(path, layer=layer, ZOOM_LEVEL=zoom)
    return {"kind": set(frame["kind"]), "name": set(frame["name"].dropna()) if "name" in frame else set()}


def test_the_build_holds_every_layer_with_its_kinds_and_names(built):
    info = read_info(built)
    assert (info.min_zoom, info.max_zoom) == (8, 15)
    assert set(info.layers) == {"water", "green", "buildings", "waterways", "rail", "roads_service", "roads_minor",
                                "roads_major", "places_major", "road_labels"}
    assert _kinds(built, "roads_major", 15)["kind"] == {"primary"}
    assert _kinds(built, "roads_minor", 15)["kind"] == {"residential"}
    assert _kinds(built, "roads_service", 15)["kind"] == {"service"}
    assert _kinds(built, "rail", 15)["kind"] == {"rail"}
    assert _kinds(built, "water", 15)["kind"] == {"water"}
    assert _kinds(built, "waterways", 15)["name"] == {"Kali Angke"}
    assert _kinds(built, "green", 15)["kind"] == {"green"}
    assert _kinds(built, "buildings", 15)["kind"] == {"building"}
    assert _kinds(built, "places_major", 12)["name"] == {"Kebon Jeruk"}
    assert _kinds(built, "road_labels", 15)["name"] == {"Jalan Panjang", "Jalan Kemanggisan"}


def test_buildings_and_minor_roads_only_at_street_level(built):
    # GDAL lists the archive's layers at every zoom; what counts is whether a zoom's tiles hold features
    assert len(pyogrio.read_dataframe(built, layer="buildings", ZOOM_LEVEL=13)) == 0
    assert len(pyogrio.read_dataframe(built, layer="roads_minor", ZOOM_LEVEL=10)) == 0
    assert len(pyogrio.read_dataframe(built, layer="roads_major", ZOOM_LEVEL=10)) > 0


def test_import_takes_a_pmtiles_or_an_mbtiles_file_and_refuses_others(built, tmp_path):
    from pmtiles.convert import pmtiles_to_mbtiles

    env = {"NOBLINDSPOT_DATA_DIR": str(tmp_path / "data"), "NOBLINDSPOT_CONFIG": ""}
    mbtiles = tmp_path / "ready.mbtiles"
    pmtiles_to_mbtiles(str(built), str(mbtiles))
    for source in (built, mbtiles):
        result = CliRunner().invoke(cli, ["basemap", "import", str(source)], env=env)
        assert result.exit_code == 0, result.output
        imported = tmp_path / "data" / "basemap" / "basemap.pmtiles"
        assert set(read_info(imported).layers) == set(read_info(built).layers)
        assert len(pyogrio.read_dataframe(imported, layer="buildings", ZOOM_LEVEL=15)) == 1
    other = tmp_path / "notes.txt"
    other.write_text("not a basemap")
    result = CliRunner().invoke(cli, ["basemap", "import", str(other)], env=env)
    assert result.exit_code != 0 and ".pmtiles or .mbtiles" in result.output


def test_build_refuses_an_extract_with_nothing_in_the_box(built, tmp_path):
    extract = write_extract(tmp_path / "x.osm")
    result = CliRunner().invoke(cli, ["basemap", "build", str(extract), "--bbox", "10", "10", "11", "11"],
                                env={"NOBLINDSPOT_DATA_DIR": str(tmp_path / "data"), "NOBLINDSPOT_CONFIG": ""})
    assert result.exit_code != 0 and "holds no roads" in result.output


@pytest.fixture
def client(built):
    app = Starlette(routes=basemap_routes(lambda: built), middleware=[Middleware(SecurityHeaders)])
    return TestClient(app)


def test_tiles_are_served_gzip_as_stored_and_cached_as_immutable(built, client):
    info = read_info(built)
    url = tile_url_template(info.version).format(z=Z15[0], x=Z15[1], y=Z15[2])
    assert _tile_xy(106.7523, -6.1719, 15) == Z15[1:]
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == CACHE_FOREVER
    assert response.headers["x-content-type-options"] == "nosniff"       # inside the security headers
    tile = response.content               # httpx undoes the gzip
    for layer in (b"buildings", b"roads_major", b"roads_minor", b"roads_service", b"green"):
        assert layer in tile
    plain = client.get(url, headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.content == tile and gzip.decompress(gzip.compress(tile)) == tile


def test_empty_missing_and_stale_tiles(built, client, tmp_path):
    version = read_info(built).version
    far = _tile_xy(10.0, 50.0, 12)
    empty = client.get(tile_url_template(version).format(z=12, x=far[0], y=far[1]))
    assert empty.status_code == 204
    for z in (7, 16):       # outside the file's zoom range
        x, y = _tile_xy(106.75, -6.17, z)
        assert client.get(tile_url_template(version).format(z=z, x=x, y=y)).status_code == 404
    assert client.get(tile_url_template("0123456789ab").format(z=12, x=far[0], y=far[1])).status_code == 404
    assert client.get(f"/basemap/{version}/12/99999/1.mvt").status_code == 404
    nothing = TestClient(Starlette(routes=basemap_routes(lambda: tmp_path / "none.pmtiles")))
    assert nothing.get(tile_url_template(version).format(z=12, x=far[0], y=far[1])).status_code == 404
