"""Real West Jakarta and DKI boundaries (../shared/data) through the boundary import, then assignment."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import func, select

from db.io.boundaries import BoundaryOptions
from db.io.pipeline import ImportOptions, import_boundaries, import_layer, import_records
from db.io.readers import RegistryFileError
from db.models import District
from db.repositories import cameras_frame, data_version, districts_frame, layer_frame, posts_frame

pytestmark = pytest.mark.realdata
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registry"


def kecamatan(shared_data, session_factory):
    return import_boundaries(session_factory, shared_data / "jakbar_kecamatan.geojson", BoundaryOptions("kecamatan"))


def test_kecamatan_then_kelurahan_with_parents(shared_data, session_factory):
    first = kecamatan(shared_data, session_factory)
    assert (first.total, first.summary.added, first.rejected) == (8, 8, 0)
    kel = import_boundaries(session_factory, shared_data / "jakbar_kelurahan.geojson",
                            BoundaryOptions("kelurahan", parent_field="kecamatan"))
    assert (kel.total, kel.summary.added, kel.unlinked) == (57, 57, 0)
    with session_factory() as s:
        districts = districts_frame(s)
    kec = districts[districts.level == "kecamatan"].set_index("name")
    assert kec.loc["Cengkareng", "population"] == 601156 and kec.loc["Cengkareng", "code"] == "3174070"
    kelurahan = districts[districts.level == "kelurahan"]
    assert kelurahan.geometry.is_valid.all()  # the source file has invalid rings; they were repaired
    assert kelurahan.set_index("name").loc["Angke", "parent_name"] == "Tambora"
    source = gpd.read_file(shared_data / "jakbar_kelurahan.geojson")
    assert kelurahan.groupby("parent_name").size().to_dict() == source.groupby("kecamatan").size().to_dict()
    total_km2 = kelurahan.to_crs("EPSG:32748").area.sum() / 1e6
    assert total_km2 == pytest.approx(125.49, abs=0.2)


def test_reimport_is_unchanged(shared_data, session_factory):
    kecamatan(shared_data, session_factory)
    with session_factory() as s:
        version = data_version(s)
    again = kecamatan(shared_data, session_factory)
    assert (again.summary.added, again.summary.updated, again.summary.unchanged) == (0, 0, 8)
    with session_factory() as s:
        assert data_version(s) == version


def test_area_is_computed_in_utm_when_absent(shared_data, session_factory, tmp_path):
    raw = gpd.read_file(shared_data / "jakbar_kecamatan.geojson")[["kecamatan", "kode_bps_kec", "geometry"]]
    path = tmp_path / "kec.gpkg"
    raw.to_crs("EPSG:3857").to_file(path)  # also exercises reprojection back to WGS 84
    outcome = import_boundaries(session_factory, path, BoundaryOptions("kecamatan"))
    assert outcome.fields["area"] is None and outcome.summary.added == 8
    with session_factory() as s:
        area = districts_frame(s).set_index("name")["area_km2"]
    assert area.sum() == pytest.approx(125.49, abs=0.3)
    assert area["Taman Sari"] == pytest.approx(4.55, abs=0.15)


def test_dki_raw_properties_are_detected(shared_data, session_factory):
    kecamatan(shared_data, session_factory)
    outcome = import_boundaries(session_factory, shared_data / "dki_jakarta_kelurahan.geojson",
                                BoundaryOptions("kelurahan"))
    assert outcome.fields["name"] == "village" and outcome.fields["code"] == "village_code"
    assert outcome.summary.added == 270
    assert outcome.unlinked == 270 - 56 - 1  # West Jakarta's kelurahan link to their kecamatan by code digits


def test_cameras_and_posts_are_assigned_to_the_finest_district(shared_data, session_factory, tmp_path):
    import_records(session_factory, "cameras", FIXTURES / "cameras_id.csv",
                   ImportOptions(region_bbox=(106.64, -6.26, 106.86, -6.08)))
    polres = gpd.read_file(shared_data / "jakbar_polisi.geojson").iloc[0]
    posts = tmp_path / "posts.csv"
    posts.write_text(f"code,name,kind,lat,lon\nP1,{polres['name']},polres,{polres.geometry.y},{polres.geometry.x}\n")
    import_records(session_factory, "posts", posts, ImportOptions(region_bbox=(106.64, -6.26, 106.86, -6.08)))
    first = kecamatan(shared_data, session_factory)
    assert first.districts_assigned == 4
    with session_factory() as s:
        assert set(cameras_frame(s)["district_name"]) == {"Palmerah", "Cengkareng", "Grogol Petamburan"}
    kel = import_boundaries(session_factory, shared_data / "jakbar_kelurahan.geojson", BoundaryOptions("kelurahan"))
    assert kel.districts_assigned == 4
    with session_factory() as s:
        cams = cameras_frame(s).set_index("code")
        post = posts_frame(s).iloc[0]
    assert cams.loc["JB-0001", "kecamatan_name"] == "Palmerah"
    assert cams.loc["JB-0002", "district_name"] == "Cengkareng Timur"
    assert post.district_name == polres["kelurahan_in_polygon"] == "Slipi"


def test_region_becomes_the_imported_districts(shared_data, session_factory, tmp_path):
    kecamatan(shared_data, session_factory)
    path = tmp_path / "c.csv"
    path.write_text("code,lat,lon\nIN,-6.17,106.79\nOUT,-6.1,106.85\n")  # OUT: inside the bbox, in North Jakarta
    options = ImportOptions(region_bbox=(106.64, -6.26, 106.86, -6.08))
    outcome = import_records(session_factory, "cameras", path, options)
    assert not outcome.written and list(outcome.errors["line"]) == [3]


def test_bad_boundaries_write_nothing(shared_data, session_factory, tmp_path):
    raw = gpd.read_file(shared_data / "jakbar_kecamatan.geojson")
    raw.loc[2, "kode_bps_kec"] = raw.loc[1, "kode_bps_kec"]
    raw.loc[3, "geometry"] = shapely.Point(106.8, -6.15)
    path = tmp_path / "bad.gpkg"
    raw.to_file(path)
    outcome = import_boundaries(session_factory, path, BoundaryOptions("kecamatan"))
    assert not outcome.written and outcome.rejected == 3
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(District)) == 0
    with pytest.raises(RegistryFileError, match="no field 'nope' for the name"):
        import_boundaries(session_factory, path, BoundaryOptions("kecamatan", name_field="nope"))


def test_layer_replace(shared_data, session_factory):
    path = shared_data / "jakbar_kecamatan.geojson"
    first = import_layer(session_factory, path, "priority", name_field="kecamatan")
    again = import_layer(session_factory, path, "priority", name_field="kecamatan")
    assert (first.added, again.unchanged) == (8, 8)
    with session_factory() as s:
        layer = layer_frame(s, "priority")
    assert min(layer["name"]) == "Cengkareng" and (layer["weight"] == 1.0).all()


def test_cameras_imported_after_boundaries_get_their_kelurahan(shared_data, session_factory, tmp_path):
    kecamatan(shared_data, session_factory)
    import_boundaries(session_factory, shared_data / "jakbar_kelurahan.geojson", BoundaryOptions("kelurahan"))
    outcome = import_records(session_factory, "cameras", FIXTURES / "cameras_id.csv",
                             ImportOptions(region_bbox=(106.64, -6.26, 106.86, -6.08)))
    assert outcome.summary.added == 3
    with session_factory() as s:
        cams = cameras_frame(s).set_index("code")
    assert cams.loc["JB-0002", "district_name"] == "Cengkareng Timur"
    assert cams.loc["JB-0001", "kecamatan_name"] == "Palmerah"
    moved = tmp_path / "moved.csv"
    moved.write_text("code,lat,lon\nJB-0002,-6.1634,106.7864\n")
    assert import_records(session_factory, "cameras", moved,
                          ImportOptions(region_bbox=(106.64, -6.26, 106.86, -6.08))).summary.updated == 1
    with session_factory() as s:
        assert cameras_frame(s).set_index("code").loc["JB-0002", "district_name"] == "Jelambar"


def test_layer_with_a_bad_weight_writes_nothing(session_factory, tmp_path):
    path = tmp_path / "l.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A",'
                    '"weight":"heavy"},"geometry":{"type":"Point","coordinates":[106.7,-6.2]}}]}')
    with pytest.raises(RegistryFileError, match="feature 1: weight 'heavy' not a number"):
        import_layer(session_factory, path, "priority")
    with session_factory() as s:
        assert len(layer_frame(s, "priority")) == 0
