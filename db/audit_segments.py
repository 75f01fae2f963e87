"""The audit chain checked in id segments, one per core: a million events in under 2 s (issue 15).

Every event's check needs only its own row and the stored hashes of the two events before it
(db/audit_chain.py), so the log splits into id ranges. Whoever walks a segment reads those two
hashes first (``Link.before``), walks the segment with ``walk_fast`` and hands over to the
reference ``walk`` at the first row that does not pass; the segments' verdicts joined in id order
are the one verdict the sequential walk gives, first broken event, message and count included.

This process walks the first segment on the session's own connection; each other segment is
walked by a worker, ``python -m db.audit_segments``, a fresh interpreter (nothing forked, no
shared session) that opens its own connection from a ``Database`` read on its stdin (never in
its argv: a PostgreSQL address may hold a password) and prints its verdict as JSON. Not
multiprocessing: its spawn start runs the parent's main module again in every worker, and the
command line's costs 0.6 s, a third of the budget. A worker that fails leaves its segment to this
process, with a warning. Logs under ``PARALLEL_FROM`` events, and in-memory SQLite, stay in one
process.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

from db.audit_chain import ChainRow, Link, Verdict, ended, joined, walk_segment

PARALLEL_FROM = 200_000       # events (by id span) from which the log is split
LOWEST, HIGHEST = -(2 ** 63), 2 ** 63 - 1
BATCH = 2_000                 # rows per fetch: small batches stay in the CPU's cache
FIRST_SHARE = 0.53            # this process starts at once, a worker some 0.1 s later
WORKER_TIMEOUT_S = 600
STDERR_TAIL = 2_000
COLUMNS = "id, {at}, actor, action, target, CAST(detail AS TEXT), prev_hash, hash"
# PostgreSQL hands the time over as SQLite stores it (``walk_fast``'s form); a time a datetime
# cannot hold becomes NULL there, so the reference reads that row as a datetime and decides
_PG_AT = ("CASE WHEN at >= '0001-01-02 00:00:00+00' AND at < '9999-12-31 00:00:00+00' "
          "THEN to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') END")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Segment:
    after: int                 # ids greater than this
    upto: int                  # and at most this


@dataclass(frozen=True)
class Database:
    """Where a worker connects: a SQLite file, or a PostgreSQL connection string."""
    dialect: str               # "sqlite" or "postgresql"
    address: str

    @classmethod
    def of(cls, url: Any) -> Database | None:
        """From an engine's URL; None when a worker cannot reach the same data (in-memory SQLite)."""
        if url.drivername.startswith("sqlite"):
            if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
                return None
            return cls("sqlite", os.path.abspath(os.path.expanduser(url.database)))
        if url.drivername.startswith("postgresql"):
            return cls("postgresql", url.set(drivername="postgresql").render_as_string(hide_password=False))
        return None

    def connect(self):
        if self.dialect == "sqlite":
            import sqlite3
            from urllib.request import pathname2url
            # read-only: such a connection can never take the file's exclusive lock, so on closing it never
            # takes itself for the last one and removes the -wal and -shm files under this process (whose
            # POSIX locks are gone once any descriptor of the file closes, as make_engine's does)
            return sqlite3.connect(f"file:{pathname2url(self.address)}?mode=ro", uri=True, timeout=10)
        import psycopg
        return psycopg.connect(self.address)


class Queries:
    """The segment's SQL in one dialect's parameter style."""

    def __init__(self, dialect: str) -> None:
        mark = "?" if dialect == "sqlite" else "%s"
        fast_at = "at" if dialect == "sqlite" else _PG_AT
        self.earlier = f"SELECT id, hash FROM audit_event WHERE id <= {mark} ORDER BY id DESC LIMIT 2"
        self.fast = (f"SELECT {COLUMNS.format(at=fast_at)} FROM audit_event WHERE id > {mark} AND id <= {mark} "
                     "ORDER BY id")
        self.reference = (f"SELECT {COLUMNS.format(at='at')} FROM audit_event WHERE id >= {mark} AND id <= {mark} "
                          "ORDER BY id")
        self.span = "SELECT min(id), max(id) FROM audit_event"


def _rows(cursor) -> Iterator[ChainRow]:
    while rows := cursor.fetchmany(BATCH):
        yield from rows


def walk_one(connection, dialect: str, segment: Segment, anchor: str, head_id: int | None) -> Verdict:
    """Walk one segment on a DBAPI connection (see the module docstring)."""
    sql = Queries(dialect)
    cursor = connection.cursor()
    try:
        cursor.execute(sql.earlier, (segment.after,))
        start = Link.before(anchor, [(row[0], row[1]) for row in cursor.fetchall()])
        cursor.execute(sql.fast, (segment.after, segment.upto))

        def rows_from(event_id: int) -> Iterator[ChainRow]:
            cursor.execute(sql.reference, (event_id, segment.upto))
            return _rows(cursor)

        return walk_segment(_rows(cursor), start, head_id, rows_from)
    finally:
        cursor.close()


def split(first_id: int, last_id: int, parts: int, first_share: float = FIRST_SHARE) -> list[Segment]:
    """``parts`` id ranges covering every id: the first ``first_share`` of the span, the rest evenly."""
    span = last_id - first_id + 1
    cuts = [first_id - 1 + round(span * first_share)] if parts > 1 else []
    rest = last_id - cuts[0] if cuts else 0
    cuts += [cuts[0] + round(rest * i / (parts - 1)) for i in range(1, parts - 1)]
    bounds = [LOWEST, *cuts, HIGHEST]
    return [Segment(a, b) for a, b in pairwise(bounds)]


def worker_count() -> int:
    """One worker per core this process may use, besides its own, one at least and three at most."""
    affinity = getattr(os, "sched_getaffinity", None)          # Linux; elsewhere every core counts
    cores = len(affinity(0)) if affinity else (os.cpu_count() or 1)
    return max(1, min(cores - 1, 3))


def verify(connection, dialect: str, database: Database | None, anchor: str, head_hash: str | None,
           head_id: int | None, parallel_from: int | None = None, workers: int | None = None) -> Verdict:
    """The whole log's verdict, segments walked in parallel when the log is large enough."""
    cursor = connection.cursor()
    try:
        cursor.execute(Queries(dialect).span)
        first_id, last_id = cursor.fetchone()
    finally:
        cursor.close()
    parallel_from = PARALLEL_FROM if parallel_from is None else parallel_from
    workers = worker_count() if workers is None else workers
    if database is None or first_id is None or last_id - first_id + 1 < parallel_from or workers < 1:
        segments = [Segment(LOWEST, HIGHEST)]
    else:
        segments = split(first_id, last_id, workers + 1)
    started = [_start(database, segment, anchor, head_id) for segment in segments[1:]] if database else []
    try:
        verdicts = [walk_one(connection, dialect, segments[0], anchor, head_id)]
        verdicts += [_collect(proc, connection, dialect, segment, anchor, head_id)
                     for proc, segment in zip(started, segments[1:], strict=True)]
    finally:
        for proc in started:
            _stop(proc)
    return ended(joined(verdicts), head_hash, head_id)


def _start(database: Database, segment: Segment, anchor: str, head_id: int | None) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "db.audit_segments"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    job = {"database": asdict(database), "segment": asdict(segment), "anchor": anchor, "head_id": head_id}
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(job).encode() + b"\n")      # one line; communicate() closes stdin later
    proc.stdin.flush()
    return proc


def _collect(proc: subprocess.Popen, connection, dialect: str, segment: Segment, anchor: str,
             head_id: int | None) -> Verdict:
    try:
        out, err = proc.communicate(timeout=WORKER_TIMEOUT_S)
        if proc.returncode == 0:
            return Verdict(**json.loads(out))
        tail = err.decode(errors="replace")[-STDERR_TAIL:]
    except (OSError, ValueError, TypeError, subprocess.TimeoutExpired) as exc:
        tail = repr(exc)
    log.warning("audit verify: a worker failed on ids %s-%s, walked here instead: %s",
                segment.after + 1, segment.upto, tail)
    return walk_one(connection, dialect, segment, anchor, head_id)


def _stop(proc: subprocess.Popen) -> None:
    """terminate, wait, kill (house style 6); a finished worker is only reaped."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def main() -> None:
    """The worker: one job (a JSON line) on stdin, its verdict (JSON) on stdout."""
    job = json.loads(sys.stdin.readline())
    database, segment = Database(**job["database"]), Segment(**job["segment"])
    connection = database.connect()
    try:
        verdict = walk_one(connection, database.dialect, segment, job["anchor"], job["head_id"])
    finally:
        connection.close()
    sys.stdout.write(json.dumps(asdict(verdict)))


if __name__ == "__main__":
    main()
