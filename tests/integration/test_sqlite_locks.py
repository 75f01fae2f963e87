"""make_engine on a SQLite file another engine of this process holds open must not drop that engine's
locks: POSIX advisory locks belong to the process, and closing any descriptor of the file releases
all of them (SQLite's "How To Corrupt Your Database Files", 2.2). In WAL mode a connection that
closes and finds no lock on the database takes itself for the last one and removes the -wal and
-shm files under the connections still open here; a second process checks that it does not."""
from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from db.engine import make_engine

VISIT = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=5)
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
con.close()
"""


def _visit_from_another_process(path) -> str:
    done = subprocess.run([sys.executable, "-c", VISIT, str(path)], capture_output=True, text=True, timeout=30)
    return done.stdout.strip() or done.stderr.strip()


def test_a_second_engine_on_the_same_file_keeps_the_first_ones_locks(tmp_path):
    path = tmp_path / "registry.sqlite"
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    first = make_engine(f"sqlite:///{path}")
    with first.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        connection.commit()
        assert wal.exists() and shm.exists()
        second = make_engine(f"sqlite:///{path}")                # e.g. a helper opening the same database
        assert _visit_from_another_process(path) == "1"
        assert wal.exists() and shm.exists()                      # not removed under our open connection
        connection.execute(text("INSERT INTO t VALUES (2)"))
        connection.commit()
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 2
        second.dispose()
    first.dispose()
    assert (path.stat().st_mode & 0o777) == 0o600
