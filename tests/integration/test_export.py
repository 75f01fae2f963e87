"""Camera export: formats, round trip, formula neutralisation, no stream credentials."""
from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pytest

from db.io.export import ExportFormatError, export_cameras
from db.io.pipeline import ImportOptions, import_records
from db.repositories import data_version

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registry"
OPTIONS = ImportOptions(region_bbox=(106.64, -6.26, 106.86, -6.08))
# Every formula prefix (= + - @ tab) sits in a text column; codes cannot start a formula (geo/codes.py).
TRICKY = ("code,name,lat,lon,owner,owner_class,notes,address,stream_url\n"
          'TRICKY-1,"=HYPERLINK(""http://evil"")",-6.15,106.75,+62 Toko,private,"-2+3","\tcmd",'
          "rtsps://op:Hunter2@cam.local/1\n"
          "SAFE-1,@Pos Ronda,-6.16,106.76,Warga,housing,ok,Jl. Mawar,\n")


def seeded(session_factory, tmp_path) -> None:
    assert import_records(session_factory, "cameras", FIXTURES / "cameras_id.csv", OPTIONS).written
    tricky = tmp_path / "tricky.csv"
    tricky.write_text(TRICKY, encoding="utf-8")
    assert import_records(session_factory, "cameras", tricky, OPTIONS).written


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg"])
def test_export_then_import_changes_nothing(session_factory, tmp_path, suffix):
    seeded(session_factory, tmp_path)
    with session_factory() as s:
        version = data_version(s)
        assert export_cameras(s, tmp_path / f"out{suffix}") == 5
    outcome = import_records(session_factory, "cameras", tmp_path / f"out{suffix}", OPTIONS)
    assert (outcome.summary.added, outcome.summary.updated, outcome.summary.unchanged) == (0, 0, 5)
    assert outcome.owners.changed is False
    with session_factory() as s:
        assert data_version(s) == version


def test_csv_cells_never_start_a_formula(session_factory, tmp_path):
    seeded(session_factory, tmp_path)
    path = tmp_path / "out.csv"
    with session_factory() as s:
        export_cameras(s, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    risky = ("=", "+", "-", "@", "\t", "\r")
    text_columns = ["code", "name", "address", "owner_code", "owner", "notes"]
    for row in rows:
        for column in text_columns:
            assert not row[column].startswith(risky), (column, row[column])
    tricky = next(r for r in rows if r["code"] == "TRICKY-1")
    assert tricky["name"] == "'=HYPERLINK(\"http://evil\")" and tricky["owner"] == "'+62 Toko"
    assert tricky["notes"] == "'-2+3"
    assert next(r for r in rows if r["code"] == "SAFE-1")["name"] == "'@Pos Ronda"
    assert float(tricky["lat"]) == -6.15  # numbers stay numbers


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg"])
def test_export_never_contains_stream_credentials(session_factory, tmp_path, suffix):
    seeded(session_factory, tmp_path)
    path = tmp_path / f"out{suffix}"
    with session_factory() as s:
        export_cameras(s, path)
    data = path.read_bytes()
    for secret in (b"Hunter2", b"rahasia", b"rtsp", b"stream_url"):
        assert secret not in data
    frame = gpd.read_file(path) if suffix != ".csv" else None
    if frame is not None:
        assert sorted(frame["has_stream"].astype(bool).tolist()) == [False, False, False, True, True]


def test_unknown_extension(session_factory, tmp_path):
    with session_factory() as s, pytest.raises(ExportFormatError, match=r"\.csv, \.geojson or \.gpkg"):
        export_cameras(s, tmp_path / "out.xlsx")


def test_a_line_break_inside_a_cell_stays_in_its_cell_and_round_trips(session_factory, tmp_path):
    """Issue 12: a carriage return inside a cell was written unquoted; the row split and its second half
    began with a live formula (=1+1), and the export no longer re-imported."""
    source = tmp_path / "breaks.csv"
    source.write_text("code,name,lat,lon,owner,owner_class,notes\n"
                      'BRK-1,"Toko\r=1+1",-6.15,106.75,Warga,private,"line one\nline two"\n', encoding="utf-8")
    assert import_records(session_factory, "cameras", source, OPTIONS).written
    path = tmp_path / "out.csv"
    with session_factory() as s:
        export_cameras(s, path)
    raw = path.read_bytes()
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig", newline="")))
    assert len(rows) == 1 and rows[0]["name"] == "Toko\r=1+1" and rows[0]["notes"] == "line one\nline two"
    assert b'"Toko\r=1+1"' in raw   # quoted, so no reader starts a new row (or a formula) at the CR
    outcome = import_records(session_factory, "cameras", path, OPTIONS)
    assert outcome.written and (outcome.summary.added, outcome.summary.updated) == (0, 0)


def test_the_import_report_neutralises_the_offending_value_too(tmp_path):
    import pandas as pd

    from db.io.pipeline import REPORT_COLUMNS, report_csv

    errors = pd.DataFrame([[2, "name", "=HYPERLINK(\"http://evil\")\r=1+1", "too long"]], columns=REPORT_COLUMNS)
    [row] = list(csv.DictReader(report_csv(errors).splitlines(keepends=True)))
    assert row["value"].startswith("'=") and row["value"].endswith("\r=1+1")
