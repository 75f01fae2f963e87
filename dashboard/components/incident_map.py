"""The incident page's small map: the incident, the cameras that see it and the nearest posts."""
from __future__ import annotations

import json

import pandas as pd
import pydeck as pdk

from dashboard.components import map_layers as ml
from dashboard.components.basemap_layers import VectorBasemap

INCIDENT_COLOUR, SEEING_COLOUR, POST_COLOUR = (213, 94, 0), (0, 114, 178), (0, 158, 115)


def _points_layer(layer_id: str, rows: list[dict], radius: int, colour: tuple[int, int, int]):
    data = json.dumps([{"lon": float(r["lon"]), "lat": float(r["lat"]), "label": str(r["label"])} for r in rows])
    layer = pdk.Layer("ScatterplotLayer", id=layer_id, data=f"@@data:{layer_id}", get_position=["lon", "lat"],
                      get_radius=radius, get_fill_color=list(colour), pickable=True)
    return layer, data


def incident_deck(incident, seeing: pd.DataFrame, posts: list[dict], basemap_url: str | None,
                  vector_basemap: VectorBasemap | None = None) -> ml.SplicedDeck:
    """The incident, the cameras that see it and the nearest posts, over the product's own basemap
    (or none): like every map of the dashboard, it never asks a tile server on the internet."""
    layered = [_points_layer("incident", [{"lon": incident.lon, "lat": incident.lat, "label": incident.code}],
                             12, INCIDENT_COLOUR)]
    if not seeing.empty:
        rows = seeing[["lon", "lat", "code"]].rename(columns={"code": "label"}).to_dict("records")
        layered.append(_points_layer("seeing", rows, 6, SEEING_COLOUR))
    if posts:
        layered.append(_points_layer("posts", [{"lon": p["lon"], "lat": p["lat"], "label": p["name"]}
                                               for p in posts], 10, POST_COLOUR))
    view = pdk.ViewState(longitude=incident.lon, latitude=incident.lat, zoom=16)
    return ml.SplicedDeck(layered, view, basemap_url=basemap_url, tooltip={"text": "{label}"},
                          vector_basemap=vector_basemap)
