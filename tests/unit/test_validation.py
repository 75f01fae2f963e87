"""Import validation logic: direction parsing, stream URLs, cell checks, header aliases, row reports."""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from db.io import checks
from db.io.columns import CAMERAS, ColumnError, map_headers
from db.io.osm import DirectionError, parse_direction
from db.io.readers import RawTable, decode, sniff_delimiter
from db.io.stream_url import StreamURLError, redact_stream_url, validate_stream_url
from db.io.validation import Region, ValidationContext, validate
from geo.assign import assign_points

JB = Region.from_bbox((106.64, -6.26, 106.86, -6.08), "Jakarta Barat")


def raw_table(rows: list[dict], **kw) -> RawTable:
    frame = pd.DataFrame(rows, dtype=object)
    frame = frame.where(frame.notna(), None)
    return RawTable(frame=frame, lines=np.arange(2, len(rows) + 2), source=__import__("pathlib").Path("x.csv"), **kw)


@pytest.mark.parametrize("text, bearing, fov", [
    ("90", 90.0, None), ("NE", 45.0, None), ("ENE", 67.5, None), ("nnw", 337.5, None),
    ("239-284", 261.5, 45.0), ("270-90", 0.0, 180.0), ("E-W", 180.0, 180.0), ("0-360", 0.0, 360.0),
    ("300;20", 300.0, None),
])
def test_parse_direction(text, bearing, fov):
    assert parse_direction(text) == (bearing, fov)


@pytest.mark.parametrize("text", ["north-ish", "400", "", "-10"])
def test_parse_direction_rejects(text):
    with pytest.raises(DirectionError):
        parse_direction(text)


def test_stream_url_rule():
    assert validate_stream_url(" rtsp://cam.local:554/s1 ") == "rtsp://cam.local:554/s1"
    assert validate_stream_url("RTSPS://u:p@10.0.0.2/live") == "RTSPS://u:p@10.0.0.2/live"
    for bad, words in [("http://x/y", "scheme 'http'"), ("rtsp:///nohost", "no host"), ("cam.local/x", "none"),
                       ("rtsp://a b/c", "spaces"), ("rtsp://h:99999/x", "malformed")]:
        with pytest.raises(StreamURLError, match=words):
            validate_stream_url(bad)


@pytest.mark.parametrize("bad, words", [
    ("rtsp://10.0.0.5/s1\x00evil", "control characters"),
    ("rtsp://10.0.0.5/s1\x1b[31m", "control characters"),
    ("rtsp://10.0.0.5/" + "a" * 3000, "longer than 2048"),
])
def test_stream_urls_with_control_characters_or_a_megabyte_are_refused(bad, words):
    """Issue 12: a NUL URL was accepted and crashed the feed's supervisor about once a second."""
    with pytest.raises(StreamURLError, match=words):
        validate_stream_url(bad)


def test_stream_url_error_never_echoes_credentials():
    with pytest.raises(StreamURLError) as info:
        validate_stream_url("http://admin:s3cret@cam/x")
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize("url, shown", [
    ("rtsp://admin:s3cret@10.0.0.5:554/s1", "rtsp://***@10.0.0.5:554/s1"),
    ("rtsp://admin:pa/ss@word@10.0.0.5/s1", "rtsp://***@10.0.0.5/s1"),
    ("rtsp://10.0.0.5/s1", "rtsp://10.0.0.5/s1"),
    ("rtsp://10.0.0.5/cam?channel=1&user=admin&password=s3cret", "rtsp://10.0.0.5/cam?channel=1&user=***&password=***"),
    ("rtsp://u:p@10.0.0.5/x?pwd=s3cret", "rtsp://***@10.0.0.5/x?pwd=***"),
    (None, None),
])
def test_redact_stream_url(url, shown):
    assert redact_stream_url(url) == shown


def test_decode_falls_back_through_encodings():
    assert decode("Kebon Jeruk;é".encode()) == ("Kebon Jeruk;é", "utf-8")
    assert decode(b"\xef\xbb\xbfkode") == ("kode", "utf-8-sig")
    assert decode("Caf\u00e9 \u2013".encode("cp1252")) == ("Caf\u00e9 \u2013", "cp1252")
    assert decode(b"\x81\x8d")[1] == "latin-1"


def test_sniff_delimiter():
    assert sniff_delimiter("kode;nama;lintang") == ";"
    assert sniff_delimiter("code,name,lat") == ","
    assert sniff_delimiter('"a;b",c,d') == ","
    assert sniff_delimiter("single") == ","


def test_headers_map_aliases_case_and_units():
    mapped, ignored = map_headers(["KODE", "Nama", "Lintang", "Bujur", "Jangkauan (m)", "Warna"], CAMERAS)
    assert mapped == {"KODE": "code", "Nama": "name", "Lintang": "lat", "Bujur": "lon", "Jangkauan (m)": "range_m"}
    assert ignored == ["Warna"]
    with pytest.raises(ColumnError, match="both mean 'lat'"):
        map_headers(["lat", "latitude"], CAMERAS)


def test_number_checks_ranges_and_decimal_comma():
    values, reasons = checks.number(pd.Series(["1,5", "abc", "", "600", "2.5"], dtype=object), 1, 500,
                                    decimal_comma=True)
    assert values.iloc[0] == 1.5 and values.iloc[4] == 2.5
    assert list(reasons) == [None, "not a number", None, "must be between 1 and 500", None]


def test_neutralise_and_clean_round_trip():
    for text in ["=HYPERLINK(\"x\")", "+62 21", "-", "@SUM(A1)", "\tx"]:
        shown = checks.neutralise(text)
        assert shown.startswith("'")
        assert checks.text(pd.Series([shown], dtype=object))[0].iloc[0] == text.strip() or text.startswith("\t")
    assert checks.neutralise("Kebon Jeruk") == "Kebon Jeruk"


def test_camera_rows_report_every_problem_with_user_line_numbers():
    rows = [
        {"code": "A", "lon": "106.75", "lat": "-6.15", "bearing_deg": "NE", "fov_deg": "90", "kind": "kubah"},
        {"code": "B", "lon": "abc", "lat": "-6.15", "bearing_deg": "400", "fov_deg": "0", "kind": "robot"},
        {"code": "A", "lon": "106.75", "lat": "-6.15", "range_m": "900", "stream_url": "http://u:pw@h/x"},
        {"code": "C", "lon": "-6.15", "lat": "106.75"},
        {"code": "D", "lon": "110.0", "lat": "-7.0", "dvr_retention_days": "0", "consent_signed_on": "31/02/2024"},
    ]
    result = validate(raw_table(rows), CAMERAS, ValidationContext(region=JB))
    problems = {(r.line, r.column, r.reason.split(" (")[0].split(";")[0]) for r in result.errors.itertuples()}
    assert (3, "lon", "not a number") in problems
    assert (3, "bearing_deg", "must be between 0 and 360") in problems
    assert (3, "fov_deg", "must be between 1 and 360") in problems
    assert any(line == 3 and col == "kind" for line, col, _ in problems)
    assert (4, "range_m", "must be between 1 and 500") in problems
    assert any(line == 4 and col == "stream_url" for line, col, _ in problems)
    assert (2, "code", "code 'A' appears more than once") in problems
    assert (5, "lon/lat", "lon and lat look swapped") in problems
    assert any(line == 6 and col == "lon/lat" and "outside the region" in reason for line, col, reason in problems)
    assert (6, "dvr_retention_days", "must be greater than 0 and at most 3650") in problems
    assert any(line == 6 and col == "consent_signed_on" for line, col, _ in problems)
    assert result.rejected == 5 and len(result.frame) == 0
    assert "pw" not in result.errors.to_csv()


def test_valid_camera_row_is_typed():
    rows = [{"code": "A", "lon": "106,75", "lat": "-6,15", "bearing_deg": "239-284", "kind": "kubah",
             "connection": "terhubung", "consent": "langsung", "sticker_installed": "ya",
             "consent_signed_on": "01/02/2024", "dvr_retention_days": "14", "owner": "PT Maju",
             "owner_class": "swasta"}]
    result = validate(raw_table(rows, decimal_comma=True), CAMERAS, ValidationContext(region=JB))
    assert result.ok
    row = result.frame.iloc[0]
    assert (row.lon, row.lat, row.bearing_deg, row.fov_deg) == (106.75, -6.15, 261.5, 45.0)
    assert (row.kind, row.connection, row.consent, row.sticker_installed) == ("dome", "connected", "live", True)
    assert row.consent_signed_on.isoformat() == "2024-02-01" and row.dvr_retention_days == 14
    assert row["name"] == "A" and row.owner_code == "pt-maju"
    assert result.owners.to_dict("records") == [{"code": "pt-maju", "name": "PT Maju", "owner_class": "company"}]


def test_owner_without_class_must_already_exist():
    rows = [{"code": "A", "lon": "106.75", "lat": "-6.15", "owner": "Toko Baru"}]
    unknown = validate(raw_table(rows), CAMERAS, ValidationContext(region=JB))
    assert list(unknown.errors["column"]) == ["owner_class"]
    known = validate(raw_table(rows), CAMERAS, ValidationContext(region=JB, known_owner_codes={"toko-baru"}))
    assert known.ok and known.frame.owner_code.iloc[0] == "toko-baru"


def test_allow_outside_skips_the_region_but_not_the_range():
    rows = [{"code": "A", "lon": "110", "lat": "-7"}, {"code": "B", "lon": "200", "lat": "0"}]
    result = validate(raw_table(rows), CAMERAS, ValidationContext(region=None))
    assert list(result.errors["line"]) == [3]


def test_assign_points_prefers_the_finest_district_and_falls_back():
    kec = shapely.box(0, 0, 10, 10)
    districts = gpd.GeoDataFrame({"code": ["K1", "L1", "L2"], "level": ["kecamatan", "kelurahan", "kelurahan"]},
                                 geometry=[kec, shapely.box(0, 0, 5, 5), shapely.box(5, 0, 10, 5)])
    codes = assign_points(np.array([1, 7, 5, 8, 20]), np.array([1, 1, 2, 8, 20]), districts)
    assert list(codes) == ["L1", "L2", "L1", "K1", None]


def test_assign_points_empty_inputs():
    empty = gpd.GeoDataFrame({"code": [], "level": []}, geometry=[])
    assert list(assign_points(np.array([1.0]), np.array([1.0]), empty)) == [None]
    assert math.isclose(len(assign_points(np.array([]), np.array([]), empty)), 0)


def test_a_connected_camera_needs_the_owners_live_unexpired_consent():
    """Issue 15: a camera imported as connected with consent on_request, or with an expired consent, got a
    relay feed and played on the wall. Now that row is rejected with the reason."""
    rows = [
        {"code": "OK", "lon": "106.75", "lat": "-6.15", "connection": "connected", "consent": "live",
         "consent_expires_on": "2099-12-31"},
        {"code": "ASK", "lon": "106.75", "lat": "-6.15", "connection": "connected", "consent": "on_request"},
        {"code": "OLD", "lon": "106.75", "lat": "-6.15", "connection": "terhubung", "consent": "langsung",
         "consent_expires_on": "2020-01-31"},
        {"code": "LIST", "lon": "106.75", "lat": "-6.15", "connection": "registered", "consent": "registry_only"},
        {"code": "NONE", "lon": "106.75", "lat": "-6.15", "connection": "connected"},
    ]
    result = validate(raw_table(rows), CAMERAS, ValidationContext(region=JB))
    reasons = {r.line: r.reason for r in result.errors.itertuples() if r.column == "connection"}
    assert set(reasons) == {3, 4, 6}
    assert "'on_request', not 'live'" in reasons[3] and "set connection to registered" in reasons[3]
    assert "expired on 2020-01-31" in reasons[4]
    assert sorted(result.frame["code"]) == ["LIST", "OK"]
