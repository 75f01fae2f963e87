"""The demo passes the registry's own validation: export it, import it back, nothing changes."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from db.io.demo_loader import load_demo
from db.io.export import export_cameras
from db.io.pipeline import ImportOptions, import_records
from db.models import Camera
from db.repositories import data_version
from geo.demo import generate_demo
from settings import WEST_JAKARTA_BBOX

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


def test_exported_demo_imports_back_unchanged(session_factory, tmp_path):
    demo = generate_demo(seed=3, cameras=1_500, now=NOW)
    with session_factory.begin() as s:
        load_demo(s, demo)
    with session_factory() as s:
        exported = export_cameras(s, tmp_path / "cameras.csv")
        before = (data_version(s), s.scalar(select(func.max(Camera.updated_at))))
    assert exported == 1_500
    outcome = import_records(session_factory, "cameras", tmp_path / "cameras.csv",
                             ImportOptions(region_bbox=WEST_JAKARTA_BBOX, region_name="Jakarta Barat"))
    assert outcome.rejected == 0 and outcome.problems == 0, outcome.errors
    assert outcome.written and outcome.summary.unchanged == 1_500
    with session_factory() as s:
        assert (data_version(s), s.scalar(select(func.max(Camera.updated_at)))) == before
        stored = s.scalar(select(func.count()).select_from(Camera).where(Camera.stream_url.is_not(None)))
        assert stored == 120          # the export never carried them; the import kept them
