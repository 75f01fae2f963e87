"""The vector basemap layer and the district name labels, as the browser receives them."""
from __future__ import annotations

import json

import geopandas as gpd
import pydeck as pdk
from shapely.geometry import box

from dashboard.components.basemap_layers import PALETTES, VectorBasemap, by_kind, district_label_layer
from dashboard.components.map_layers import SplicedDeck

BASEMAP = VectorBasemap("/basemap/abc123/{z}/{x}/{y}.mvt", 8, 15)
VIEW = pdk.ViewState(longitude=106.75, latitude=-6.17, zoom=12)


def _spec(**kwargs) -> dict:
    return json.loads(SplicedDeck([], VIEW, **kwargs).to_json())


def test_the_vector_basemap_is_the_bottom_layer_from_the_products_own_origin():
    spec = _spec(vector_basemap=BASEMAP, basemap_url="http://tiles.local/{z}/{x}/{y}.png")
    layer = spec["layers"][0]
    assert layer["@@type"] == "MVTLayer" and layer["data"] == BASEMAP.url
    assert (layer["minZoom"], layer["maxZoom"]) == (8, 15)
    assert layer["loadOptions"]["mvt"]["workerUrl"].startswith("/basemap/")      # never loaders.gl's CDN
    assert layer["pointType"] == "text" and layer["getText"] == "@@=properties.name"
    assert spec["mapStyle"] == "__MAP_STYLE__"         # the raster URL is not drawn over it


def test_light_and_dark_styles_differ_and_look_colours_up_by_kind():
    light = _spec(vector_basemap=BASEMAP)["layers"][0]
    dark = _spec(vector_basemap=BASEMAP, style="dark")["layers"][0]
    assert json.dumps(PALETTES["light"]["water"]) in light["getFillColor"]
    assert json.dumps(PALETTES["dark"]["water"]) in dark["getFillColor"]
    assert light["getFillColor"] != dark["getFillColor"]
    assert by_kind({"a": 1, "b": 2}, 0) == 'properties.kind == "a" ? 1 : (properties.kind == "b" ? 2 : (0))'


def test_district_labels_name_each_district_inside_it():
    districts = gpd.GeoDataFrame({"name": ["Kebon Jeruk", "Palmerah"]},
                                 geometry=[box(106.76, -6.2, 106.78, -6.18), box(106.78, -6.2, 106.80, -6.18)],
                                 crs="EPSG:4326")
    layer, data = district_label_layer(districts, "kecamatan")
    records = json.loads(data)
    assert [r["n"] for r in records] == ["Kebon Jeruk", "Palmerah"]
    assert all(g.contains(gpd.points_from_xy([r["lon"]], [r["lat"]])[0])
               for g, r in zip(districts.geometry, records, strict=True))
    spec = json.loads(SplicedDeck([(layer, data)], VIEW).to_json())
    assert spec["layers"][0]["@@type"] == "TextLayer" and spec["layers"][0]["data"] == records
