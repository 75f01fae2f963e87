"""Another local user reads nothing of ours: data directory, SQLite file, secrets, HLS files.

Runs in a world-traversable directory (not pytest's private tmp) so that only the product's own
modes stand between the files and a second, unprivileged user, who really tries to read them.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from db.engine import make_engine
from db.models import FeedMode
from settings.secrets_file import ensure_secrets_file
from tests.integration.test_relay_e2e import cameras, playlist_when_ready, relays, seed  # noqa: F401 (fixtures)
from tests.support.components import need
from tests.support.relay_e2e import RelayProcess

OTHER = "nbtest-other"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def open_base():
    base = Path(tempfile.mkdtemp(prefix="nbs-modes-", dir="/tmp"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def make_second_user() -> str | None:
    """The unprivileged user nbtest-other (made once, as root), or None when this run is not root."""
    if os.geteuid() != 0:
        return None
    need("runuser", shutil.which("runuser") is not None, "install util-linux")
    if subprocess.run(["id", OTHER], capture_output=True, check=False).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OTHER],
                       check=True, capture_output=True)
    return OTHER


@pytest.fixture(scope="module")
def other_user() -> str:
    user = make_second_user()
    if user is None:
        # not a missing component: an unprivileged run cannot make a second user. The fresh-machine
        # check (.ci/fresh-machine, "permissions") covers that case with users it creates as root.
        pytest.skip("needs root to create the second user nbtest-other")
    return user


def readable_by(user: str, path: Path) -> bool:
    command = ["test", "-r", str(path), "-a", "-x", str(path)] if path.is_dir() else ["head", "-c", "1", str(path)]
    return subprocess.run(["runuser", "-u", user, "--", *command], capture_output=True, check=False).returncode == 0


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_check_itself_sees_a_readable_file(open_base, other_user):
    probe = open_base / "open.txt"
    probe.write_text("x")
    probe.chmod(0o644)
    assert readable_by(other_user, probe)           # otherwise every "not readable" below proves nothing
    assert readable_by(other_user, open_base)


def _private_data(data: Path) -> tuple[Path, Path]:
    secrets_file = ensure_secrets_file(data)
    engine = make_engine(f"sqlite:///{data / 'noblindspot.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x TEXT)")
        connection.exec_driver_sql("INSERT INTO t VALUES ('rtsp://user:pass@cam')")
    wal = data / "noblindspot.db-wal"
    assert wal.exists()
    modes = {p.name: mode(p) for p in (data, secrets_file, data / "noblindspot.db", wal, data / "noblindspot.db-shm")}
    engine.dispose()
    assert modes == {"data": 0o700, "secrets.toml": 0o600, "noblindspot.db": 0o600, "noblindspot.db-wal": 0o600,
                     "noblindspot.db-shm": 0o600}
    return secrets_file, data / "noblindspot.db"


def test_data_dir_secrets_and_sqlite_files_are_the_owners_alone(open_base):
    old = os.umask(0o022)                           # a usual login umask: the modes are the product's own
    try:
        _private_data(open_base / "data")
    finally:
        os.umask(old)


def test_a_second_user_reads_neither_the_data_dir_nor_its_files(open_base, other_user):
    data = open_base / "data"
    secrets_file, database = _private_data(data)
    assert not readable_by(other_user, data)
    data.chmod(0o755)                               # even with the directory opened by mistake ...
    for path in (secrets_file, database):
        assert not readable_by(other_user, path), path   # ... the files themselves stay closed


def test_db_upgrade_makes_a_private_data_dir_and_database(tmp_path):
    data = tmp_path / "fresh"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOBLINDSPOT_")}
    env["NOBLINDSPOT_DATA_DIR"] = str(data)
    result = subprocess.run([str(REPO / ".venv/bin/noblindspot"), "db", "upgrade"], env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    files = {p.name: mode(p) for p in data.iterdir()}
    assert mode(data) == 0o700 and files.get("noblindspot.db") == 0o600
    assert all(m == 0o600 for name, m in files.items() if name.startswith("noblindspot.db")), files


def test_a_readable_sqlite_file_is_tightened(open_base):
    db = open_base / "old.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    make_engine(f"sqlite:///{db}").dispose()
    assert mode(db) == 0o600


@pytest.mark.media
@pytest.mark.slow
def test_hls_files_written_by_the_real_relay_are_closed_to_others(session_factory, database_url, cameras,  # noqa: F811
                                                                  relays, open_base):  # noqa: F811
    """0640 files in 0750 directories, whatever umask started the relay; read as a second user when root."""
    seed(session_factory, cameras, {"e2e-002": FeedMode.ON_DEMAND})
    runtime, data = open_base / "runtime", open_base / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)                               # an existing, open data directory: the relay tightens it
    old = os.umask(0o022)
    try:
        relay = RelayProcess(database_url, open_base, runtime_dir=runtime).start()
    finally:
        os.umask(old)
    relays.append(relay)
    assert relay.http.post("/api/feeds/e2e-002/start").status_code == 200
    playlist_when_ready(relay, "e2e-002")
    assert mode(data) == 0o700
    files = [p for p in runtime.rglob("*") if p.is_file()]
    dirs = [runtime, *(p for p in runtime.rglob("*") if p.is_dir())]
    assert any(p.suffix == ".ts" for p in files) and any(p.suffix == ".m3u8" for p in files)
    assert all(mode(p) & 0o137 == 0 for p in files), [oct(mode(p)) for p in files]   # 0640 or tighter
    assert all(mode(d) & 0o027 == 0 for d in dirs), [oct(mode(d)) for d in dirs]      # 0750 or tighter
    other = make_second_user()
    if other is None:
        return                                      # the modes above are the proof; test_the_check_itself skips
    assert not readable_by(other, runtime)
    for directory in dirs:                          # open every directory: the files' own modes must hold
        directory.chmod(0o755)
    still_there = [p for p in files if p.exists()]  # ffmpeg deletes old segments meanwhile
    assert still_there
    assert not [p for p in still_there if readable_by(other, p) and p.exists()]
