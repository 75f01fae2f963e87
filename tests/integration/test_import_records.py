"""Importing cameras, owners, posts and duty units from every format into the real database."""
from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select

from db.io.pipeline import ImportOptions, import_records
from db.io.readers import RegistryFileError
from db.models import Camera, DutyUnit, Owner, Post
from db.repositories import cameras_frame, data_version, duty_units_frame, posts_frame

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registry"
JB_BBOX = (106.64, -6.26, 106.86, -6.08)
HEADER = "code,name,lat,lon,owner,owner_class,kind,bearing_deg,fov_deg,range_m,stream_url\n"
GOOD_ROWS = [
    "C1,Simpang Slipi,-6.1890,106.7978,Pemda DKI,government,fixed,45,90,40,rtsp://admin:rahasia@10.0.0.5/s1\n",
    "C2,Pasar Cengkareng,-6.1523,106.7363,PT Maju Jaya,company,dome,261.5,45,60,\n",
]


def options(**kw) -> ImportOptions:
    return ImportOptions(region_bbox=JB_BBOX, region_name="Jakarta Barat", **kw)


def state(session_factory) -> tuple:
    with session_factory() as s:
        counts = tuple(s.scalar(select(func.count()).select_from(m)) for m in (Camera, Owner, Post, DutyUnit))
        return counts + data_version(s)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def camera_codes(session_factory) -> list[str]:
    with session_factory() as s:
        return sorted(s.scalars(select(Camera.code)))


# --- formats ---------------------------------------------------------------------------------------------

def test_indonesian_semicolon_csv(session_factory):
    outcome = import_records(session_factory, "cameras", FIXTURES / "cameras_id.csv", options())
    assert outcome.written and (outcome.summary.added, outcome.rejected) == (3, 0)
    assert outcome.owners.added == 3
    with session_factory() as s:
        frame = cameras_frame(s).set_index("code")
    first = frame.loc["JB-0001"]
    assert (first.lat, first.lon, first.bearing_deg, first.kind, first.connection) == (
        -6.189, 106.7978, 45.0, "fixed", "connected")
    assert frame.loc["JB-0002", "bearing_deg"] == 261.5 and frame.loc["JB-0002", "fov_deg"] == 45.0
    assert frame.loc["JB-0003", "owner_class"] == "housing" and bool(frame.loc["JB-0001", "has_stream"])


def test_cp1252_csv_keeps_accents(tmp_path, session_factory):
    path = write(tmp_path, "w.csv", "kode;nama;lintang;bujur\nX1;Caf\u00e9 Sl\u00eepi \u2013 1;-6,18;106,79\n",
                 "cp1252")
    assert import_records(session_factory, "cameras", path, options()).written
    with session_factory() as s:
        assert s.scalar(select(Camera.name)) == "Caf\u00e9 Sl\u00eepi \u2013 1"


def test_utf8_bom_csv(tmp_path, session_factory):
    path = write(tmp_path, "bom.csv", "\ufeff" + HEADER + "".join(GOOD_ROWS))
    outcome = import_records(session_factory, "cameras", path, options())
    assert outcome.summary.added == 2 and camera_codes(session_factory) == ["C1", "C2"]


def _spatial_sample() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kode": ["G1", "G2"], "nama": ["Satu", "Dua"], "jenis": ["dome", "ptz"],
                             "arah": [10.0, 200.0], "pemilik": ["Pemda", "Pemda"], "kelas_pemilik": ["pemda", "pemda"]},
                            geometry=[shapely.Point(106.79, -6.17), shapely.Point(106.75, -6.16)], crs="EPSG:4326")


@pytest.mark.parametrize("suffix, driver", [(".geojson", "GeoJSON"), (".gpkg", "GPKG")])
def test_geojson_and_geopackage(tmp_path, session_factory, suffix, driver):
    path = tmp_path / f"cams{suffix}"
    _spatial_sample().to_file(path, driver=driver)
    outcome = import_records(session_factory, "cameras", path, options())
    assert outcome.summary.added == 2
    with session_factory() as s:
        frame = cameras_frame(s).set_index("code")
    assert (frame.loc["G2", "lon"], frame.loc["G2", "lat"], frame.loc["G2", "kind"]) == (106.75, -6.16, "ptz")


def test_zipped_shapefile_in_another_crs(tmp_path, session_factory):
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    _spatial_sample().to_crs("EPSG:32748").to_file(shp_dir / "kamera.shp")
    archive = tmp_path / "kamera.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp_dir.iterdir():
            zf.write(part, part.name)
    outcome = import_records(session_factory, "cameras", archive, options())
    assert outcome.summary.added == 2
    with session_factory() as s:
        frame = cameras_frame(s).set_index("code")
    assert frame.loc["G1", "lon"] == pytest.approx(106.79, abs=1e-7)
    assert frame.loc["G1", "lat"] == pytest.approx(-6.17, abs=1e-7)


def test_openstreetmap_surveillance_nodes(session_factory):
    outcome = import_records(session_factory, "cameras", FIXTURES / "osm_surveillance.geojson", options())
    assert outcome.summary.added == 3
    with session_factory() as s:
        frame = cameras_frame(s).set_index("code")
    dome = frame.loc["osm-node-9000000001"]
    assert (dome.kind, dome.bearing_deg, dome.fov_deg, dome.height_m) == ("dome", 261.5, 45.0, 6.0)
    assert dome.range_m == pytest.approx(6 / 0.57735, abs=0.1)  # 6 m high, tilted 30 degrees down
    assert (dome.owner_name, dome.owner_class, dome.consent) == ("Dinas Perhubungan DKI", "government", "registry_only")
    assert frame.loc["OSM-CAM-2", "bearing_deg"] == 67.5 and frame.loc["OSM-CAM-2", "name"] == "Kamera Halte Grogol"
    assert frame.loc["osm-node-9000000003", "kind"] == "ptz"


def test_osm_guard_is_rejected(tmp_path, session_factory):
    text = (FIXTURES / "osm_surveillance.geojson").read_text().replace('"surveillance:type": "ALPR"',
                                                                        '"surveillance:type": "guard"')
    path = write(tmp_path, "osm.geojson", text)
    before = state(session_factory)
    outcome = import_records(session_factory, "cameras", path, options())
    assert not outcome.written and outcome.rejected == 1 and state(session_factory) == before
    assert list(outcome.errors["line"]) == [3]


def test_owners_posts_and_duty_units(tmp_path, session_factory):
    owners = write(tmp_path, "o.csv", "kode,nama,kelas,telepon,email\nO1,Toko Sinar,swasta,0812,a@b.id\n")
    posts = write(tmp_path, "p.csv",
                  "kode,nama,jenis,lintang,bujur,personel\nP1,Polsek Palmerah,polsek,-6.19,106.79,120\n")
    units = write(tmp_path, "u.csv", "panggilan,pos,jumlah,mulai,selesai\nU1,P1,2,2024-05-01T07:00,2024-05-01T19:00\n")
    for kind, path in (("owners", owners), ("posts", posts), ("duty-units", units)):
        assert import_records(session_factory, kind, path, options()).summary.added == 1
    with session_factory() as s:
        assert s.scalar(select(Owner.owner_class)).value == "company"
        assert posts_frame(s).iloc[0]["personnel"] == 120
        unit = duty_units_frame(s).iloc[0]
    assert unit.post_code == "P1" and unit.shift_start.isoformat() == "2024-05-01T00:00:00+00:00"


def test_duty_unit_for_unknown_post_is_rejected(tmp_path, session_factory):
    units = write(tmp_path, "u.csv", "callsign,post_code\nU1,NOPE\n")
    outcome = import_records(session_factory, "duty-units", units, options())
    assert not outcome.written and "import posts first" in outcome.errors["reason"].iloc[0]


# --- bad input: nothing written ------------------------------------------------------------------------

BAD_ROWS = {
    "not a number": "C3,X,abc,106.75,,,fixed,,,,\n",
    "out of range lat": "C3,X,-95,106.75,,,fixed,,,,\n",
    "outside region": "C3,X,-7.5,110.4,,,fixed,,,,\n",
    "bearing": "C3,X,-6.15,106.75,,,fixed,361,,,\n",
    "fov": "C3,X,-6.15,106.75,,,fixed,10,0,,\n",
    "range": "C3,X,-6.15,106.75,,,fixed,10,90,501,\n",
    "enum kind": "C3,X,-6.15,106.75,,,robot,,,,\n",
    "enum owner class": "C3,X,-6.15,106.75,Someone,alien,fixed,,,,\n",
    "duplicate code": "C1,X,-6.15,106.75,,,fixed,,,,\n",
    "stream scheme": "C3,X,-6.15,106.75,,,fixed,,,,http://admin:pw@cam/x\n",
    "missing code": ",X,-6.15,106.75,,,fixed,,,,\n",
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_row_writes_nothing_and_reports_it(tmp_path, session_factory, case):
    seed = write(tmp_path, "seed.csv", HEADER + GOOD_ROWS[0])
    import_records(session_factory, "cameras", seed, options())
    before = state(session_factory)
    path = write(tmp_path, "bad.csv", HEADER + GOOD_ROWS[0] + GOOD_ROWS[1] + BAD_ROWS[case])
    outcome = import_records(session_factory, "cameras", path, options())
    assert not outcome.written and outcome.rejected >= 1
    assert state(session_factory) == before
    report = pd.read_csv(outcome.report_path, dtype=str, encoding="utf-8-sig")
    assert outcome.report_path == tmp_path / "bad.report.csv"
    assert "4" in set(report["line"])  # the bad row is the file's fourth line
    assert "pw" not in outcome.report_path.read_text(encoding="utf-8-sig")


def test_bad_dates_and_retention(tmp_path, session_factory):
    path = write(tmp_path, "d.csv", "code,lat,lon,consent_signed_on,dvr_retention_days\n"
                                    "D1,-6.15,106.75,2024-13-45,7\nD2,-6.15,106.75,2024-01-01,-3\n")
    before = state(session_factory)
    outcome = import_records(session_factory, "cameras", path, options())
    assert sorted(outcome.errors["column"]) == ["consent_signed_on", "dvr_retention_days"]
    assert state(session_factory) == before


def test_file_errors_are_specific(tmp_path, session_factory):
    before = state(session_factory)
    with pytest.raises(RegistryFileError, match="no 'lat' column"):
        import_records(session_factory, "cameras", write(tmp_path, "a.csv", "code,lon\nA,106.7\n"), options())
    with pytest.raises(RegistryFileError, match="empty"):
        import_records(session_factory, "cameras", write(tmp_path, "b.csv", ""), options())
    with pytest.raises(RegistryFileError, match="cannot read"):
        import_records(session_factory, "cameras", write(tmp_path, "c.geojson", "{not json"), options())
    assert state(session_factory) == before


def test_allow_outside(tmp_path, session_factory):
    path = write(tmp_path, "far.csv", HEADER + BAD_ROWS["outside region"])
    assert not import_records(session_factory, "cameras", path, options()).written
    assert import_records(session_factory, "cameras", path, options(allow_outside=True)).summary.added == 1


# --- skip-invalid and idempotence -------------------------------------------------------------------------

def test_skip_invalid_writes_valid_rows_and_the_report(tmp_path, session_factory):
    path = write(tmp_path, "mixed.csv", HEADER + "".join(GOOD_ROWS) + BAD_ROWS["bearing"] + BAD_ROWS["fov"])
    report = tmp_path / "out" / "problems.csv"
    outcome = import_records(session_factory, "cameras", path, options(skip_invalid=True, report_path=report))
    assert outcome.written and outcome.summary.added == 2 and outcome.rejected == 2
    assert camera_codes(session_factory) == ["C1", "C2"]
    assert report.exists() and "bearing_deg" in report.read_text(encoding="utf-8-sig")


def test_reimport_is_idempotent_and_updates_by_code(tmp_path, session_factory):
    path = write(tmp_path, "c.csv", HEADER + "".join(GOOD_ROWS))
    first = import_records(session_factory, "cameras", path, options())
    version = state(session_factory)
    again = import_records(session_factory, "cameras", path, options())
    assert (again.summary.added, again.summary.updated, again.summary.unchanged) == (0, 0, 2)
    assert again.owners.unchanged == 2 and state(session_factory) == version
    changed = write(tmp_path, "c2.csv", HEADER + GOOD_ROWS[0] + GOOD_ROWS[1].replace("Pasar", "Pasar Baru"))
    third = import_records(session_factory, "cameras", changed, options())
    assert (third.summary.added, third.summary.updated, third.summary.unchanged) == (0, 1, 1)
    assert first.summary.added == 2


def test_file_without_stream_column_keeps_stored_stream_urls(tmp_path, session_factory):
    import_records(session_factory, "cameras", write(tmp_path, "a.csv", HEADER + GOOD_ROWS[0]), options())
    slim = write(tmp_path, "b.csv", "code,lat,lon,name\nC1,-6.1890,106.7978,Simpang Slipi\n")
    outcome = import_records(session_factory, "cameras", slim, options())
    assert outcome.summary.unchanged == 1
    with session_factory() as s:
        assert s.scalar(select(Camera.stream_url)) == "rtsp://admin:rahasia@10.0.0.5/s1"


def test_progress_reports_rows_written(tmp_path, session_factory):
    rows = "".join(f"P{i},Kamera {i},-6.15,106.75,,,fixed,,,,\n" for i in range(25))
    path = write(tmp_path, "many.csv", HEADER + rows)
    calls: list[tuple[int, int]] = []
    outcome = import_records(session_factory, "cameras", path, options(), progress=lambda d, t: calls.append((d, t)))
    assert outcome.summary.added == 25
    assert calls[-1] == (25, 25) and all(d <= t for d, t in calls)


# --- camera codes (issue 12): what the relay can serve, and no look-alikes ----------------------------------

@pytest.mark.parametrize(("code", "reason"), [
    ("CAM 01", "not a camera code the relay can serve"),
    ("cam/02", "not a camera code the relay can serve"),
    ("..", "not a camera code the relay can serve"),
    ("a..b", "not a camera code the relay can serve"),
    ("\uff2a\uff22-9", "write it as 'JB-9'"),                       # full-width letters
    ("JB\u200b-7", "write it as 'JB-7'"),                          # a zero-width space inside
    ("c1", "looks the same as the registered camera 'C1'"),         # case variant of a stored code
])
def test_a_code_the_relay_cannot_serve_or_that_looks_like_another_is_rejected(tmp_path, session_factory, code,
                                                                              reason):
    import_records(session_factory, "cameras", write(tmp_path, "seed.csv", HEADER + GOOD_ROWS[0]), options())
    before = state(session_factory)
    path = write(tmp_path, "codes.csv", HEADER + f"{code},X,-6.15,106.75,,,fixed,,,,\n")
    outcome = import_records(session_factory, "cameras", path, options())
    assert not outcome.written and outcome.rejected == 1 and state(session_factory) == before
    reasons = " ".join(outcome.errors["reason"])
    assert reason in reasons and "traceback" not in reasons.lower()


def test_codes_that_differ_only_by_case_within_one_file_are_flagged_on_the_second(tmp_path, session_factory):
    path = write(tmp_path, "twins.csv", HEADER + "JB-1,A,-6.15,106.75,,,fixed,,,,\njb-1,B,-6.15,106.75,,,fixed,,,,\n")
    outcome = import_records(session_factory, "cameras", path, options())
    assert not outcome.written
    row = outcome.errors[outcome.errors["column"] == "code"]
    assert list(row["line"].astype(str)) == ["3"] and "looks the same as 'JB-1' (line 2)" in row["reason"].iloc[0]


# --- importer limits (issue 12): a report or a clear file error, never a traceback --------------------------

def test_lines_polygons_and_multipoints_in_a_camera_file_are_reported_not_a_traceback(tmp_path, session_factory):
    shapes = [shapely.LineString([(106.75, -6.15), (106.76, -6.16)]), shapely.Point(106.75, -6.15),
              shapely.box(106.75, -6.16, 106.76, -6.15), shapely.MultiPoint([(106.75, -6.15), (106.76, -6.16)])]
    gdf = gpd.GeoDataFrame({"code": ["L1", "P1", "A1", "M1"], "name": ["a", "b", "c", "d"]}, geometry=shapes,
                           crs="EPSG:4326")
    path = tmp_path / "mixed.geojson"
    gdf.to_file(path, driver="GeoJSON")
    before = state(session_factory)
    outcome = import_records(session_factory, "cameras", path, options())
    assert not outcome.written and outcome.rejected == 3 and state(session_factory) == before
    geometry = outcome.errors[outcome.errors["column"] == "geometry"]
    assert list(geometry["line"].astype(int)) == [1, 3, 4]
    assert list(geometry["value"]) == ["LineString", "Polygon", "MultiPoint"]
    assert all("not a point" in r for r in geometry["reason"])
    skipped = import_records(session_factory, "cameras", path, options(skip_invalid=True))
    assert skipped.written and camera_codes(session_factory) == ["P1"]


def test_a_cell_over_the_csv_limit_is_a_file_error_naming_the_line(tmp_path, session_factory):
    path = write(tmp_path, "huge.csv", "code,name,lon,lat\nB0,ok,106.75,-6.15\nB1," + "x" * 140_000 + ",106.75,-6.15\n")
    before = state(session_factory)
    with pytest.raises(RegistryFileError, match=r"line 3: .*at most 131,072 characters"):
        import_records(session_factory, "cameras", path, options())
    assert state(session_factory) == before


def test_a_file_mixing_utf8_and_cp1252_is_refused_instead_of_stored_as_mojibake(tmp_path, session_factory):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"code,name,lon,lat\nM1,Caf\xc3\xa9 Utara,106.75,-6.15\nM2,Caf\xe9 Selatan,106.75,-6.15\n")
    before = state(session_factory)
    with pytest.raises(RegistryFileError, match=r"mixes text encodings: line 2 is UTF-8, line 3 is not.*UTF-8"):
        import_records(session_factory, "cameras", path, options())
    assert state(session_factory) == before


def test_a_zip_bomb_is_refused_unread_and_a_broken_zip_says_so(tmp_path, session_factory):
    bomb = tmp_path / "cameras.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cameras.dbf", b"\0" * (8 * 1024**2))        # 8 MB of zeros: ~1,000-fold
    before = state(session_factory)
    with pytest.raises(RegistryFileError, match=r"expands [\d,]+-fold \(over 100-fold\)"):
        import_records(session_factory, "cameras", bomb, options())
    broken = write(tmp_path, "broken.zip", "PK not really a zip")
    with pytest.raises(RegistryFileError, match="not a readable zip archive"):
        import_records(session_factory, "cameras", broken, options())
    assert state(session_factory) == before
