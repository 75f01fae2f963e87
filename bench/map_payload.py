"""Map page payload and server time: naive pydeck serialisation vs the dashboard's compact layers.

    .venv/bin/python bench/map_payload.py [--sizes 19942 200000] [--repeat 5]

For each registry size it prints, in the same run:
  naive   pydeck.Layer(DataFrame of the registry columns a first page shows) -> Deck.to_json(), the way
          st.pydeck_chart serialises it (DataFrame -> records, pydeck's indented JSON);
  cold    the first render after a data change: build CameraPoints + every camera layer + the spec;
  rerun   a rerun with warm caches: unpickle CameraPoints (what an st.cache_data hit costs), health
          per connected camera, filter mask, layers, spliced spec;
  filter  a rerun after changing filters (one kecamatan + a text search).
and the naive/ours ratios for bytes and time. Goals (issue 5): at 19,942 cameras <= 1.5 MB and
<= 300 ms per rerun; at 200,000 <= 15 MB and <= 2 s; filters within 1 s.

Cameras come from the deterministic demo generator (geo.demo); 200,000 is the demo tiled over
Jakarta with fresh codes and a small jitter, so names and owner mix stay realistic.
"""
from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pydeck as pdk

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.components import map_layers as ml
from dashboard.state import CameraFilter, filter_mask, health_array
from geo.demo import generate_demo

ORIGIN = (106.64, -6.26)
NAIVE_COLUMNS = ["code", "name", "owner_class", "connection", "consent", "lon", "lat"]
VIEW = pdk.ViewState(longitude=106.75, latitude=-6.17, zoom=11.3)


def registry(n: int) -> pd.DataFrame:
    demo = generate_demo(cameras=19_942)
    owners = demo.owners.set_index("code")["owner_class"]
    base = demo.cameras.drop(columns=["stream_url"]).assign(owner_class=lambda f: f["owner_code"].map(owners))
    base["district_code"] = base["kecamatan_code"]
    copies = []
    rng = np.random.default_rng(1)
    for k in range(-(-n // len(base))):
        part = base.copy()
        if k:
            part["code"] = [f"JK{k:02d}-{c[3:]}" for c in part["code"]]
            part["lon"] = part["lon"] + rng.uniform(-0.02, 0.12, len(part))   # spread east over Jakarta
            part["lat"] = part["lat"] + rng.uniform(-0.08, 0.05, len(part))
            part["connection"] = "registered"
        copies.append(part)
    return pd.concat(copies, ignore_index=True).iloc[:n]


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def naive_spec(frame: pd.DataFrame) -> str:
    layer = pdk.Layer("ScatterplotLayer", data=frame[NAIVE_COLUMNS], get_position=["lon", "lat"],
                      get_fill_color=[0, 114, 178], pickable=True)
    deck = pdk.Deck(layers=[layer], initial_view_state=VIEW, map_provider=None)
    return deck.to_json()


def our_spec(points: ml.CameraPoints, health_by_code: dict[str, str], wanted: CameraFilter) -> str:
    health = health_array(points, health_by_code)
    mask = filter_mask(points, wanted, health)
    layered = ml.registered_camera_layers(points, np.flatnonzero(mask & ~points.connected))
    layered.append(ml.connected_camera_layer(points, np.flatnonzero(mask & points.connected), health_by_code,
                                             {"healthy": "Live, healthy", "fault": "Live, with a fault"}))
    return ml.SplicedDeck(layered, VIEW).to_json()


def measure(n: int, repeat: int) -> None:
    frame = registry(n)
    connected = frame.loc[frame["connection"] == "connected", "code"].tolist()
    health_by_code = {code: ("fault" if i % 10 == 0 else "healthy") for i, code in enumerate(connected)}
    naive_s, naive = timed(lambda: naive_spec(frame), max(1, repeat // 2))
    cold_s, cold = timed(lambda: our_spec(ml.build_camera_points(frame, ORIGIN), health_by_code, CameraFilter()),
                         max(1, repeat // 2))
    cached = pickle.dumps(ml.build_camera_points(frame, ORIGIN), protocol=pickle.HIGHEST_PROTOCOL)
    rerun_s, rerun = timed(lambda: our_spec(pickle.loads(cached), health_by_code, CameraFilter()), repeat)
    district = str(frame["kecamatan_code"].iloc[0])
    wanted = CameraFilter(kecamatan=(district,), text="raya")
    filter_s, filtered = timed(lambda: our_spec(pickle.loads(cached), health_by_code, wanted), repeat)
    mb = 1_000_000
    print(f"\n{n:,} cameras ({len(connected)} connected)")
    print(f"  naive   {len(naive) / mb:8.2f} MB  {naive_s * 1000:8.0f} ms")
    print(f"  cold    {len(cold) / mb:8.2f} MB  {cold_s * 1000:8.0f} ms   (first render after a data change)")
    print(f"  rerun   {len(rerun) / mb:8.2f} MB  {rerun_s * 1000:8.0f} ms   (warm cache)")
    print(f"  filter  {len(filtered) / mb:8.2f} MB  {filter_s * 1000:8.0f} ms   (kecamatan {district} + 'raya')")
    print(f"  ratio naive/ours: payload x{len(naive) / len(rerun):.1f}, rerun time x{naive_s / rerun_s:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[19_942, 200_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, pydeck {pdk.__version__}, pandas {pd.__version__}")
    for n in args.sizes:
        measure(n, args.repeat)


if __name__ == "__main__":
    main()
