"""Loading the demo into a real database (SQLite, and PostgreSQL when configured)."""
from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from db.io.demo_loader import load_demo, registry_summary
from db.io.writers import UnknownReference
from db.models import Camera, District, DutyUnit, Layer, Post
from db.repositories import cameras_frame, data_version, districts_frame, posts_frame
from geo.demo import generate_demo
from geo.demo.facts import KECAMATAN

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def small_demo():
    return generate_demo(seed=11, cameras=2_000, now=NOW)


def test_load_writes_the_registry_and_the_spatial_join_finds_each_kecamatan(session_factory, small_demo):
    stages = []
    with session_factory.begin() as s:
        summary = load_demo(s, small_demo, progress=lambda stage, done, total: stages.append(stage))
    assert summary.written["cameras"].added == 2_000 and summary.assigned == 2_000 + 17
    assert stages[0] == "districts" and stages[-1] == "district assignment" and "cameras" in stages
    with session_factory() as s:
        stored = cameras_frame(s).set_index("code")
        generated = small_demo.cameras.set_index("code")
        assert len(stored) == 2_000
        # districts came from the spatial join, not from the generator's own label
        assert (stored.loc[generated.index, "kecamatan_code"] == generated["kecamatan_code"]).all()
        assert stored["district_code"].str.len().eq(10).all()      # the finest level: a kelurahan
        connected = stored[stored["connection"] == "connected"]
        assert connected["kecamatan_code"].value_counts().to_dict() == {k.code: 15 for k in KECAMATAN}
        assert "stream_url" not in stored.columns and connected["has_stream"].all()
        urls = dict(s.execute(select(Camera.code, Camera.stream_url)
                              .where(Camera.stream_url.is_not(None))).all())
        expected = small_demo.cameras.dropna(subset=["stream_url"]).set_index("code")["stream_url"]
        assert urls == expected.to_dict()
        districts = districts_frame(s)
        expected_parents = small_demo.districts.set_index("code")["parent_code"]
        assert districts.set_index("code")["parent_code"].to_dict() == expected_parents.where(
            expected_parents.notna(), None).to_dict()
        assert len(districts) == 8 + 56 and not districts["synthetic"].any()


def test_posts_units_and_priority_layer_are_stored(session_factory, small_demo):
    with session_factory.begin() as s:
        load_demo(s, small_demo)
    with session_factory() as s:
        posts = posts_frame(s)
        assert posts["kind"].value_counts().to_dict() == {"polres": 1, "polsek": 8, "security_post": 8}
        assert posts["district_code"].notna().all()
        # the spatial join puts every post in the kecamatan the generator meant it to serve
        generated = small_demo.posts.set_index("code")["kecamatan_code"]
        kecamatan_of = districts_frame(s).set_index("code")["parent_code"]
        assert posts.set_index("code")["district_code"].map(kecamatan_of).to_dict() == generated.to_dict()
        assert posts.loc[posts["kind"] == "polsek", "name"].str.contains("(perkiraan lokasi)", regex=False).sum() == 3
        summary = registry_summary(s)
        assert summary.personnel_per_kind["security_post"] == 1_858
        assert summary.duty_units == len(small_demo.duty_units)
        assert s.scalar(select(func.count()).select_from(DutyUnit).where(DutyUnit.post_id.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(Layer).where(Layer.layer == "priority")) == \
            len(small_demo.priority)
        shift_start = s.scalar(select(func.min(DutyUnit.shift_start)))
        assert shift_start.tzinfo is not None and shift_start <= NOW


def test_loading_the_same_demo_again_changes_nothing(session_factory, small_demo):
    with session_factory.begin() as s:
        load_demo(s, small_demo)
    with session_factory() as s:
        before = (data_version(s, "registry", "layers"), s.scalar(select(func.max(Camera.updated_at))))
    with session_factory.begin() as s:
        again = load_demo(s, small_demo)
    assert not again.changed
    assert again.written["cameras"].unchanged == 2_000
    with session_factory() as s:
        after = (data_version(s, "registry", "layers"), s.scalar(select(func.max(Camera.updated_at))))
    assert after == before


def test_a_failing_load_writes_nothing(session_factory, small_demo):
    broken = small_demo.cameras.copy()
    broken.loc[broken.index[-1], "owner_code"] = "OWN-NOBODY"
    with pytest.raises(UnknownReference, match="OWN-NOBODY"):
        with session_factory.begin() as s:
            load_demo(s, dataclasses.replace(small_demo, cameras=broken))
    with session_factory() as s:
        for model in (District, Camera, Post):
            assert s.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.realdata
def test_imported_real_boundaries_are_kept_and_joined(session_factory, small_demo, shared_data):
    import geopandas as gpd

    from db.io.writers import upsert_districts

    real = gpd.read_file(shared_data / "jakbar_kecamatan.geojson")
    frame = gpd.GeoDataFrame({"code": real["kode_bps_kec"], "name": real["kecamatan"], "level": "kecamatan",
                              "population": real["pop_bps_est_2019"], "area_km2": real["area_km2_utm48s"],
                              "synthetic": False, "source": "BPS / OCHA, via HDX"},
                             geometry=real.geometry, crs=real.crs)
    with session_factory.begin() as s:
        upsert_districts(s, frame)
    with session_factory.begin() as s:
        summary = load_demo(s, small_demo)
    assert summary.kept_real_districts == 8
    with session_factory() as s:
        districts = districts_frame(s)
        assert len(districts) == 8 and not districts["synthetic"].any()
        stored = cameras_frame(s).set_index("code")
    generated = small_demo.cameras.set_index("code")["kecamatan_code"]
    same = (stored.loc[generated.index, "kecamatan_code"] == generated).mean()
    assert same > 0.999                     # the demo's simplified kecamatan are the imported ones
    connected = stored[stored["connection"] == "connected"]
    assert connected["kecamatan_code"].nunique() == 8


def test_demo_gives_every_connected_camera_a_feed_with_a_few_pinned(session_factory):
    from db.feeds import list_feeds, set_desired
    from db.io.demo_loader import PINNED_PER_KECAMATAN, load_demo
    from geo.demo import generate_demo

    demo = generate_demo(seed=7, cameras=2000)
    with session_factory.begin() as s:
        load_demo(s, demo)
    with session_factory() as s:
        feeds = {f.camera_code: f for f in list_feeds(s)}
    connected = set(demo.cameras.loc[demo.cameras["connection"] == "connected", "code"])
    assert set(feeds) == connected
    pinned = [code for code, f in feeds.items() if str(getattr(f.mode, "value", f.mode)) == "always_on"]
    assert len(pinned) == 8 * PINNED_PER_KECAMATAN
    with session_factory.begin() as s:  # an operator unpins one; reloading the demo keeps that choice
        set_desired(s, pinned[0], mode="on_demand")
        load_demo(s, demo)
    with session_factory() as s:
        modes = {f.camera_code: str(getattr(f.mode, "value", f.mode)) for f in list_feeds(s)}
    assert modes[pinned[0]] == "on_demand"
