"""The relay asks idle on-demand cameras whether they answer, so the map can tell which ones would play.

Every ``round_s`` a relay node claims the on-demand feeds nobody watches whose camera was not checked
for ``every_s`` (db/feeds.claim_checks; several nodes never ask the same camera), asks each camera
(relay/reach.py, an RTSP DESCRIBE, at most WORKERS at a time; ROUND_LIMIT caps a round, so these
checks stay a few a second however many cameras there are) and writes what it heard. A camera that
plays proves itself: a running feed writes ``answered`` too.

    checks = CameraChecks(session_factory, today=manager.today)
    checks.run_round()          # one round now (tests); returns {camera code: answered}
    checks.run_background()     # a daemon thread until close()
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db import feeds as feed_repo
from db.models import utcnow
from relay import reach

log = logging.getLogger(__name__)

CHECK_EVERY_S = 300.0     # a camera nobody watches is asked every 5 minutes ...
ROUND_S = 15.0            # ... by rounds this often ...
ROUND_LIMIT = 200         # ... of at most this many cameras (1,000 idle cameras: ~3.3 checks a second)
WORKERS = 8
TIMEOUT_S = 2.0


class CameraChecks:
    def __init__(self, session_factory: sessionmaker[Session], today: Callable[[], date], *,
                 checker: Callable[[str, float], bool | None] = reach.rtsp_answers,
                 wallclock: Callable[[], datetime] = utcnow, every_s: float = CHECK_EVERY_S,
                 round_s: float = ROUND_S, limit: int = ROUND_LIMIT) -> None:
        self._sessions, self._today = session_factory, today
        self._checker, self._wallclock = checker, wallclock
        self.every_s, self.round_s, self.limit = every_s, round_s, limit
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def run_round(self) -> dict[str, bool]:
        """Claim the cameras that are due, ask them, write the answers; {code: answered}."""
        with self._sessions.begin() as session:
            targets = feed_repo.claim_checks(session, self._wallclock(), self.every_s, self.limit, self._today())
        if not targets:
            return {}
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(targets)), thread_name_prefix="camera-check") as pool:
            answers = list(pool.map(lambda t: self._checker(t.source_url, TIMEOUT_S), targets))
        heard = {t.camera_code: bool(a) for t, a in zip(targets, answers, strict=True) if a is not None}
        at = self._wallclock()
        with self._sessions.begin() as session:
            for code, answered in heard.items():
                feed_repo.write_check(session, code, answered, at)
        silent = sum(1 for a in heard.values() if not a)
        if silent:
            log.info("camera checks: %d of %d idle cameras do not answer", silent, len(heard))
        return heard

    def run_background(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="camera-checks", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=TIMEOUT_S * 2 + 5)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.round_s):
            try:
                self.run_round()
                self.last_error = None
            except SQLAlchemyError as exc:
                self.last_error = f"database unavailable: {type(exc).__name__}"
                log.warning("camera checks: %s", self.last_error)
            except Exception as exc:       # a bug must not end the checks silently; the type only (URLs)
                self.last_error = f"camera checks failed: {type(exc).__name__}"
                log.error("%s", self.last_error)
