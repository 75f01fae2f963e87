"""A fuzz of the registry importer (hypothesis): CSV, GeoJSON and zipped files, mangled at random.

Whatever the file holds, an import ends in one of two ways: a success (rows written), or a refusal
the user can act on (a report of rejected rows, or a file error saying what is wrong: the
exceptions the command line and the dashboard turn into a message). Never a traceback of another
kind, and never a partial write: a refused import leaves the registry exactly as it was, a written
one adds exactly the rows it says it added.

The inputs start from a real registry file (tests/fixtures/registry/cameras_id.csv) and are
damaged the ways files are: bytes inserted, cut or overwritten, cells replaced by hostile text
(control characters, formulas, huge numbers, other scripts), columns renamed or lost, delimiters
changed; GeoJSON with wrong types and geometries; zips with any of these inside or no zip at all.
The number of examples is bounded so the test takes about a minute.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from sqlalchemy import func, select

from db.io.columns import ColumnError
from db.io.pipeline import ImportOptions, import_records
from db.io.readers import RegistryFileError
from db.io.writers import UnknownReference
from db.models import Camera, Owner

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "registry" / "cameras_id.csv"
REFUSALS = (RegistryFileError, ColumnError, UnknownReference)
OPTIONS = dict(region_bbox=(106.64, -6.26, 106.86, -6.08), region_name="Jakarta Barat")
EXAMPLES = 80
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=10),
    st.sampled_from(["=1+1", "+cmd|' /C calc'!A0", "@SUM(A1)", "-6.2", "1e308", "-1e308", "nan", "inf",
                     "9" * 400, "", " ", "\"", ";;;", "\r\n", "رقم", "カメラ", "JB\u200b0001", "ＪＢ-０００１",
                     "rtsp://u:p@@h/x", "rtsp://\x00", "x" * 5000]),
)


def seed_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SEED.read_text(encoding="utf-8")), delimiter=";"))


@st.composite
def damaged_csv(draw) -> bytes:
    rows = seed_rows()
    header_too = draw(st.integers(0, 5)) == 0           # now and then the header is damaged as well
    first = 0 if header_too else 1
    for _ in range(draw(st.integers(0, 6))):          # cells replaced by hostile text
        r = draw(st.integers(first, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = draw(HOSTILE_TEXT)
    if draw(st.booleans()):                            # a row duplicated, or cut short
        r = draw(st.integers(1, len(rows) - 1))
        rows.insert(r, rows[r][: draw(st.integers(0, len(rows[r])))])
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    data = bytearray(text.getvalue().encode(encoding, errors="replace"))
    body = 0 if header_too else data.find(b"\n") + 1
    for _ in range(draw(st.integers(0, 3))):          # bytes inserted, cut or overwritten
        at = draw(st.integers(body, len(data)))
        op = draw(st.sampled_from(["insert", "cut", "overwrite"]))
        chunk = draw(st.binary(min_size=1, max_size=12))
        if op == "insert":
            data[at:at] = chunk
        elif op == "cut":
            del data[at:at + len(chunk)]
        else:
            data[at:at + len(chunk)] = chunk
    return bytes(data)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                       max_size=3),
                           max_leaves=8)
GEOMETRIES = st.one_of(
    st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]},
              st.floats(106.6, 106.9) | st.floats(allow_nan=False), st.floats(-6.3, -6.0) | st.floats(allow_nan=False)),
    st.just({"type": "LineString", "coordinates": [[106.7, -6.2], [106.8, -6.1]]}),
    st.just({"type": "Polygon", "coordinates": [[[106.7, -6.2], [106.8, -6.2], [106.8, -6.1], [106.7, -6.2]]]}),
    st.just({"type": "MultiPoint", "coordinates": [[106.7, -6.2]]}),
    st.just(None), JSON_VALUES,
)


@st.composite
def damaged_geojson(draw) -> bytes:
    header, *rows = seed_rows()
    features = []
    for row in rows:
        properties = dict(zip(header, row, strict=False))
        for key in draw(st.lists(st.sampled_from(header), max_size=2)):
            properties[key] = draw(JSON_VALUES)
        geometry = draw(GEOMETRIES) if draw(st.integers(0, 3)) == 0 else {
            "type": "Point", "coordinates": [float(row[3].replace(",", ".")), float(row[2].replace(",", "."))]}
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    document = {"type": "FeatureCollection", "features": features}
    data = json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8")
    if draw(st.integers(0, 4)) == 0:                  # now and then, no longer JSON at all
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at + 3:]
    return data


@st.composite
def damaged_zip(draw) -> bytes:
    kind = draw(st.sampled_from(["csv", "geojson", "junk", "empty", "not-a-zip"]))
    if kind == "not-a-zip":
        return draw(st.binary(max_size=200))
    buffer = io.BytesIO()
    compression = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    with zipfile.ZipFile(buffer, "w", compression=compression) as z:
        if kind == "csv":
            z.writestr("kamera.csv", draw(damaged_csv()))
        elif kind == "geojson":
            z.writestr("kamera.geojson", draw(damaged_geojson()))
        elif kind == "junk":
            z.writestr(draw(st.sampled_from(["kamera.shp", "kamera.dbf", "../x.geojson", "a/b.gpkg"])),
                       draw(st.binary(max_size=300)))
    data = buffer.getvalue()
    if draw(st.booleans()):                            # a damaged archive
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at + 8:]
    return data


def registry(session_factory) -> list[tuple]:
    with session_factory() as session:
        cameras = session.execute(select(Camera.code, Camera.name, Camera.lat, Camera.lon, Camera.stream_url,
                                         Camera.owner_id).order_by(Camera.code)).all()
        owners = session.execute(select(func.count()).select_from(Owner)).scalar_one()
    return [*map(tuple, cameras), ("owners", owners)]


def note(text: str) -> None:
    """Count outcomes in hypothesis' statistics (pytest --hypothesis-show-statistics); outside a fuzz, no-op."""
    try:
        event(text)
    except InvalidArgument:
        pass


def import_once(session_factory, tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = registry(session_factory)
    try:
        outcome = import_records(session_factory, "cameras", path, ImportOptions(**OPTIONS))
    except REFUSALS as exc:
        note(f"refused: {type(exc).__name__}: {str(exc).split(': ', 1)[-1][:50]}")
        message = str(exc)
        assert message and "Traceback" not in message
        assert registry(session_factory) == before, "a refused file changed the registry"
        return
    after = registry(session_factory)
    note("written" if outcome.written else "report")
    if not outcome.written:
        assert after == before, "an import that wrote nothing changed the registry"
        assert outcome.problems > 0 and outcome.report_path is not None and outcome.report_path.exists()
        return
    assert len(after) - len(before) == outcome.summary.added, "rows written other than the ones counted"


@pytest.fixture
def fuzz_dir(tmp_path):
    return tmp_path


def test_the_seed_file_itself_imports(session_factory, tmp_path):
    import_once(session_factory, tmp_path, "kamera.csv", SEED.read_bytes())
    assert len(registry(session_factory)) == 4        # three cameras and the owners' count


@FUZZ
@given(data=damaged_csv())
def test_a_damaged_csv_is_refused_or_imported_never_half(session_factory, fuzz_dir, data):
    import_once(session_factory, fuzz_dir, "kamera.csv", data)


@FUZZ
@given(data=damaged_geojson())
def test_a_damaged_geojson_is_refused_or_imported_never_half(session_factory, fuzz_dir, data):
    import_once(session_factory, fuzz_dir, "kamera.geojson", data)


@FUZZ
@given(data=damaged_zip())
def test_a_damaged_zip_is_refused_or_imported_never_half(session_factory, fuzz_dir, data):
    import_once(session_factory, fuzz_dir, "kamera.zip", data)


def test_a_zip_holding_a_csv_is_refused_with_what_to_do(session_factory, tmp_path):
    """Found by the fuzz: GDAL reads a zipped CSV as a table without geometry, which crashed the reader."""
    path = tmp_path / "kamera.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(SEED, "kamera.csv")
    with pytest.raises(RegistryFileError, match="without map positions; import a CSV file itself"):
        import_records(session_factory, "cameras", path, ImportOptions(**OPTIONS))
    assert registry(session_factory) == [("owners", 0)]
