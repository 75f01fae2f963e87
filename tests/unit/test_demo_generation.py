"""The demo is deterministic for a seed, scales with --cameras, and refuses what it cannot build."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.demo import GEOGRAPHIES, PlacementError, generate_demo
from geo.demo.boundaries import split_integer
from geo.demo.facts import KECAMATAN
from geo.demo.posts import WIB, current_shift
from geo.vocabulary import PostKind

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
FRAMES = ("districts", "owners", "cameras", "posts", "duty_units", "priority")


def _assert_same(a, b) -> None:
    for name in FRAMES:
        left, right = getattr(a, name), getattr(b, name)
        if hasattr(left, "geometry") and "geometry" in left:
            assert list(shapely.to_wkb(left.geometry.values)) == list(shapely.to_wkb(right.geometry.values))
            left = pd.DataFrame(left.drop(columns="geometry"))
            right = pd.DataFrame(right.drop(columns="geometry"))
        pd.testing.assert_frame_equal(left, right, obj=name)


@pytest.mark.parametrize("geography", GEOGRAPHIES)
def test_same_seed_same_frames(geography):
    _assert_same(generate_demo(seed=7, cameras=3_000, now=NOW, geography=geography),
                 generate_demo(seed=7, cameras=3_000, now=NOW, geography=geography))


def test_another_seed_another_registry():
    a = generate_demo(seed=1, cameras=3_000, now=NOW)
    b = generate_demo(seed=2, cameras=3_000, now=NOW)
    assert not np.allclose(a.cameras["lon"], b.cameras["lon"])
    assert set(a.cameras[a.cameras.connection == "connected"]["code"]) != \
        set(b.cameras[b.cameras.connection == "connected"]["code"])


@pytest.mark.parametrize("count", [120, 2_000, 25_001])
def test_camera_count_is_honoured_with_the_quota_kept(count):
    demo = generate_demo(cameras=count, now=NOW)
    assert len(demo.cameras) == count and demo.cameras["code"].is_unique
    connected = demo.cameras[demo.cameras["connection"] == "connected"]
    assert connected["kecamatan_code"].value_counts().to_dict() == {k.code: 15 for k in KECAMATAN}


@pytest.mark.slow
def test_two_hundred_thousand_cameras():
    demo = generate_demo(cameras=200_000, now=NOW)
    assert len(demo.cameras) == 200_000 and demo.cameras["code"].is_unique
    assert (demo.cameras["connection"] == "connected").sum() == 120
    assert set(demo.cameras["owner_code"]) <= set(demo.owners["code"])


def test_too_few_cameras_for_the_quota_is_refused_with_advice():
    with pytest.raises(PlacementError, match="at least 120"):
        generate_demo(cameras=100, now=NOW)


def test_stream_host_and_port_are_parameters():
    demo = generate_demo(cameras=200, now=NOW, stream_host="relay-sim", stream_port=9554)
    urls = demo.cameras["stream_url"].dropna()
    assert len(urls) == 120 and urls.str.contains(r"^rtsp://demo:[0-9a-f]+@relay-sim:9554/JB-\d{6}$").all()
    with pytest.raises(ValueError, match="1-65535"):
        generate_demo(cameras=200, now=NOW, stream_port=70_000)


def test_naive_now_and_negative_seed_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_demo(cameras=200, now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="0 or more"):
        generate_demo(seed=-1, cameras=200, now=NOW)


@pytest.mark.parametrize(("local_hour", "kind", "start_hour", "hours"), [
    (5, PostKind.POLSEK, 22, 8), (6, PostKind.POLSEK, 6, 8), (13, PostKind.POLSEK, 6, 8),
    (23, PostKind.POLSEK, 22, 8), (6, PostKind.SECURITY_POST, 19, 12), (19, PostKind.SECURITY_POST, 19, 12),
    (12, PostKind.SECURITY_POST, 7, 12),
])
def test_current_shift_covers_now(local_hour, kind, start_hour, hours):
    now = datetime(2026, 11, 22, local_hour, 15, tzinfo=WIB)
    start, end = current_shift(kind, now)
    assert start <= now < end and end - start == timedelta(hours=hours)
    assert start.astimezone(WIB).hour == start_hour and start.tzinfo == UTC


def test_split_integer_is_exact_and_proportional():
    parts = split_integer(1_000, np.array([1.0, 2.0, 7.0]))
    assert parts.sum() == 1_000 and list(parts) == [100, 200, 700]
    assert split_integer(10, np.ones(3)).sum() == 10


def test_road_bearing_follows_the_line_clockwise_from_north():
    from geo.demo.placement import _road_bearing
    lines = np.array([shapely.LineString([(0, 0), (0, 100)]), shapely.LineString([(0, 0), (100, 0)]),
                      shapely.LineString([(0, 0), (-100, -100)])])
    bearings = _road_bearing(lines, np.array([50.0, 0.0, 100.0]), shapely.length(lines))
    assert bearings == pytest.approx([0.0, 90.0, 225.0])


def test_fixed_cameras_on_a_road_look_along_it():
    from geo.demo.cameras import _optics
    n = 2_000
    optics = _optics(np.zeros(n, dtype=int), np.full(n, 30.0), np.random.default_rng(3))
    off_axis = np.abs((optics["bearing_deg"] - 30.0 + 90.0) % 180.0 - 90.0)
    assert (off_axis < 45).mean() > 0.95
    assert ((optics["bearing_deg"] > 180) & (optics["bearing_deg"] < 240)).any()   # both directions
    free = _optics(np.zeros(n, dtype=int), np.full(n, np.nan), np.random.default_rng(3))
    assert (np.abs((free["bearing_deg"] - 30.0 + 90.0) % 180.0 - 90.0) < 45).mean() < 0.6
