"""One boundary frame holding both levels: every kelurahan must get its own kecamatan as parent."""
from __future__ import annotations

import geopandas as gpd
import shapely
from sqlalchemy import select
from sqlalchemy.orm import aliased

from db.io import upsert_districts
from db.models import District


def _frame() -> gpd.GeoDataFrame:
    # Children listed first and interleaved, so the rows written in the second pass do not start at index 0.
    rows = [
        ("K1-A", "Kel A", "kelurahan", "K1", (0.00, 0.0, 0.01, 0.01)),
        ("K2", "Kec Two", "kecamatan", None, (0.02, 0.0, 0.04, 0.02)),
        ("K2-A", "Kel C", "kelurahan", "K2", (0.02, 0.0, 0.03, 0.01)),
        ("K1", "Kec One", "kecamatan", None, (0.00, 0.0, 0.02, 0.02)),
        ("K2-B", "Kel D", "kelurahan", "K2", (0.03, 0.0, 0.04, 0.01)),
        ("K1-B", "Kel B", "kelurahan", "K1", (0.01, 0.0, 0.02, 0.01)),
    ]
    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "name": [r[1] for r in rows], "level": [r[2] for r in rows],
         "parent_code": [r[3] for r in rows], "population": [100] * len(rows), "area_km2": [1.0] * len(rows),
         "synthetic": [True] * len(rows), "source": ["test"] * len(rows)},
        geometry=[shapely.box(*r[4]) for r in rows], crs="EPSG:4326")


def test_each_kelurahan_gets_its_own_parent(session_factory):
    with session_factory.begin() as s:
        upsert_districts(s, _frame())
    parent = aliased(District)
    with session_factory() as s:
        links = dict(s.execute(select(District.code, parent.code)
                               .outerjoin(parent, District.parent_id == parent.id)).all())
    assert links == {"K1": None, "K2": None, "K1-A": "K1", "K1-B": "K1", "K2-A": "K2", "K2-B": "K2"}
