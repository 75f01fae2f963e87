"""The coverage cache must never serve one database's results for another, nor for a recreated one."""
from __future__ import annotations

import shapely

from db.coverage_cache import ResultCache, coverage_table
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.models import Camera, District
from db.repositories import bump_version, data_fingerprint
from geo.vocabulary import Connection, DistrictLevel

BOX = (106.700, -6.200, 106.702, -6.198)  # about 220 m square


def _seed(url: str, cameras: int) -> None:
    factory = make_session_factory(make_engine(url))
    with factory.begin() as s:
        s.add(District(code="D1", name="Box", level=DistrictLevel.KECAMATAN, population=100, area_km2=0.05,
                       geometry_wkb=shapely.to_wkb(shapely.box(*BOX))))
        for i in range(cameras):
            s.add(Camera(code=f"C{i}", name="c", lon=106.7005 + i * 0.0004, lat=-6.199, kind="dome",
                         fov_deg=360, range_m=15, connection=Connection.REGISTERED))
        bump_version(s)


def _registered_pct(url: str, cache: ResultCache) -> float:
    factory = make_session_factory(make_engine(url))
    with factory() as s:
        table, _region = coverage_table(s, cache, "kecamatan")
    return float(table.loc[table["code"] == "D1", "registered_coverage_pct"].iloc[0])


def test_two_databases_sharing_a_cache_directory_do_not_collide(tmp_path):
    cache_dir = tmp_path / "cache"
    one, two = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
    for url, n in ((one, 1), (two, 3)):
        upgrade(url)
        _seed(url, n)
    first = _registered_pct(one, ResultCache(cache_dir))
    second = _registered_pct(two, ResultCache(cache_dir))  # same versions, same directory
    assert second > first * 2


def test_recreated_database_with_equal_counters_is_recomputed(tmp_path):
    cache_dir = tmp_path / "cache"
    url = f"sqlite:///{tmp_path / 'reg.db'}"
    upgrade(url)
    _seed(url, 1)
    before = _registered_pct(url, ResultCache(cache_dir))
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"reg.db{suffix}").unlink(missing_ok=True)
    upgrade(url)
    _seed(url, 3)  # data_version is (1, 0) again, as before
    assert _registered_pct(url, ResultCache(cache_dir)) > before * 2


def test_fingerprint_changes_on_every_write(session_factory):
    with session_factory() as s:
        empty = data_fingerprint(s)
    with session_factory.begin() as s:
        bump_version(s)
    with session_factory() as s:
        assert data_fingerprint(s) != empty
        assert "password" not in repr(data_fingerprint(s)).lower()
