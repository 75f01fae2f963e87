"""One FeedSupervisor per feed: probe, launch ffmpeg, watch progress, restart with backoff.

    sup = FeedSupervisor(camera_code, source_url, profile, config, clock=time.monotonic, on_change=cb)
    sup.start()      # wanted = True; returns at once, work happens on the supervisor's own thread
    sup.stop()       # wanted = False; ffmpeg stopped (TERM, wait, KILL), feed dir removed; -> stopped
    sup.restart()    # kill ffmpeg now and start again without waiting for backoff, re-probing
    sup.status()     # -> relay.schemas.FeedStatus snapshot (thread-safe, cheap, redacted)
    sup.close()      # stop() and end the thread; the object is finished afterwards

Recovery that does not wait: while a feed backs off, the supervisor asks the camera about once a
half second whether it answers (relay/reach.py, an RTSP DESCRIBE, within a budget shared by every feed).
Once a check has found the camera silent, the first check that finds it answering starts the feed at
once with a fresh ladder; a camera that answers but whose stream still fails keeps the ladder, so a
broken stream is never relaunched every second. While the checks find the camera silent, a step of
the ladder is a check instead of an ffmpeg launch (a connection attempt costs far less than a start),
with one real launch every SAFETY_LAUNCH_EVERY steps in case the check misjudges a camera.

Threading: each supervisor runs ONE daemon thread (plain threading, no asyncio), created by the
first start() and ended by close(); a slow or failing camera only ever blocks its own thread.
on_change(FeedStatus) is called from that thread after every state change; exceptions from it are
logged and ignored. Tests of the logic pass threaded=False and drive `step()` with a fake clock.

States and transitions (TRANSITIONS below is enforced):
    stopped  -> starting                      start()
    starting -> running                       a new segment listed and the probe answered (or 2 s)
    starting -> backoff                       camera unreachable, ffmpeg exited, no segment in time
    starting -> failed                        unrecoverable configuration (forbidden URL ...)
    running  -> stalled                       no new segment for stall_factor x segment length
    running  -> backoff                       ffmpeg exited (camera closed the stream ...)
    stalled  -> backoff                       after ffmpeg is killed
    backoff  -> starting                      retry time reached (1, 2, 5, 10, 30, 60, 60 ... s), or the
                                              camera answers again after a check found it silent
    running/starting/stalled/backoff -> starting   restart()
    any      -> stopped                       stop()
    failed   -> starting                      start() or restart() after the configuration is fixed
"""
from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from db.io.stream_url import StreamURLError, validate_stream_url
from geo.vocabulary import FeedState
from relay import command, process, reach, source_list
from relay.config import RelayConfig
from relay.errors import RelayMediaError, SourceUnreachable, UnsupportedSource
from relay.observed import build_status, exit_reason
from relay.playlist import ProgressTracker, read_playlist
from relay.probe import SourceInfo, probe
from relay.probing import DEFAULT_CENSUS, ProbeBeside, StallCensus
from relay.profiles import Profile
from relay.redact import redact, url_secrets
from relay.runtime import clean_feed_dir, feed_dir, guard_feed_dir, newest_write_age
from relay.schemas import FeedStatus

log = logging.getLogger(__name__)

S = FeedState
TRANSITIONS: dict[FeedState, frozenset[FeedState]] = {
    S.STOPPED: frozenset({S.STARTING, S.STOPPED}),
    S.STARTING: frozenset({S.RUNNING, S.BACKOFF, S.FAILED, S.STOPPED, S.STARTING}),
    S.RUNNING: frozenset({S.STALLED, S.BACKOFF, S.STOPPED, S.STARTING}),
    S.STALLED: frozenset({S.BACKOFF, S.STOPPED, S.STARTING}),
    S.BACKOFF: frozenset({S.STARTING, S.STOPPED}),
    S.FAILED: frozenset({S.STARTING, S.STOPPED}),
}
# How often the loop looks at its feed, by state: quick while starting (first segment), relaxed
# while running (a stall takes seconds to declare anyway), and otherwise only when woken.
TICK_S = {FeedState.STARTING: 0.1, FeedState.RUNNING: 1.0, FeedState.STALLED: 0.1}
IDLE_TICK_S = 1.0
PROBE_GRACE_S = 2.0
OVERLOAD_FACTOR = 4      # host-wide trouble stretches limits this much; no growing file excuses more
STABLE_S = 10.0          # running this long without trouble resets the backoff ladder
GUARD_EVERY_S = 5.0
REPROBE_EVERY = 5        # retries reuse the first probe (faster recovery); every 5th failure re-probes
CHECK_EVERY_S = 0.5      # how often a feed in backoff asks whether its camera answers again
CHECK_TIMEOUT_S = 1.0    # and how long one such question may take
SAFETY_LAUNCH_EVERY = 5  # while checks find the camera silent, only every 5th ladder step launches ffmpeg


class IllegalTransition(RuntimeError):
    """A state change not in TRANSITIONS: a bug in the supervisor."""


class FeedSupervisor:
    def __init__(self, camera_code: str, source_url: str, profile: Profile, config: RelayConfig,
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[FeedStatus], None] | None = None, *,
                 prober: Callable[..., SourceInfo] = probe, spawner: Callable[..., process.FeedProcess] = process.spawn,
                 stopper: Callable[..., object] = process.stop, threaded: bool = True,
                 census: StallCensus = DEFAULT_CENSUS, jitter: float = 0.25,
                 checker: Callable[[str, float], bool | None] = reach.rtsp_answers,
                 check_budget: reach.CheckBudget = reach.DEFAULT_BUDGET) -> None:
        self.camera_code = camera_code
        self.out_dir = feed_dir(config.runtime_dir, camera_code)      # validates the code
        self._url, self._profile, self._config = source_url, profile, config
        self._secrets = tuple(url_secrets(source_url))
        self._clock, self._on_change = clock, on_change
        self._prober, self._spawner, self._stopper = prober, spawner, stopper
        self._threaded, self._census = threaded, census
        self._checker, self._check_budget = checker, check_budget
        self._check_at: float | None = None
        self._camera_silent = False     # a check found the camera silent, and none has heard it since
        self._last_answer: bool | None = None   # what the latest check of this backoff heard
        self._skipped = 0               # ladder steps in a row that a silent check replaced
        self._jitter = random.Random(camera_code).uniform if jitter > 0 else None
        self._jitter_span = jitter
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._wake, self._cancel = threading.Event(), threading.Event()
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._state, self._since = S.STOPPED, datetime.now(UTC)
        self._entered_at = clock()
        self._failures, self._launches = 0, 0
        self._retry_at: float | None = None
        self._last_error: str | None = None
        self._proc: process.FeedProcess | None = None
        self._last_tail: list[str] = []
        self._probe: SourceInfo | None = None
        self._argv_source: SourceInfo | None = None
        self._beside = ProbeBeside(on_done=self._wake.set)
        self._probe_settled = False     # False while a guessed launch waits for its probe
        self._launch_sequence: int | None = None
        self._first_segment_at: float | None = None
        self._tracker = ProgressTracker()
        self._guard_at = 0.0

    # ---- public API -------------------------------------------------------------------------
    def start(self) -> None:
        self._command("start")

    def restart(self) -> None:
        self._command("restart")

    def stop(self, wait_s: float = 15.0) -> None:
        done = threading.Event()
        self._cancel.set()
        self._command("stop", done)
        if self._threaded and self._thread is not None:
            done.wait(wait_s)

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._closed = True
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def status(self) -> FeedStatus:
        with self._lock:
            now = self._clock()
            retry_in = self._retry_at - now if self._state == S.BACKOFF and self._retry_at is not None else None
            return build_status(self.camera_code, self._state, self._since, self._probe, self._profile,
                                self._tracker, self._proc, self._last_tail, now, retry_in,
                                restarts=max(0, self._launches - 1), last_error=self._last_error,
                                playlist=command.playlist_path(self.out_dir))

    @property
    def state(self) -> FeedState:
        return self._state

    # ---- the loop ---------------------------------------------------------------------------
    def _command(self, name: str, done: threading.Event | None = None) -> None:
        if name != "stop":
            self._cancel.clear()
        self._commands.put((name, done))
        if not self._threaded:
            self.step()
            return
        self._ensure_thread()
        self._wake.set()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, daemon=True, name=f"feed-{self.camera_code}")
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._closed and self._commands.empty():
                    break
            try:
                self.step()
            except Exception:      # a bug must not kill the feed's thread silently
                log.exception("feed %s: supervisor step failed", self.camera_code)
                self._fail_safe()
            self._wake.wait(self._next_wait())
            self._wake.clear()

    def _next_wait(self) -> float:
        if self._state == S.BACKOFF and self._retry_at is not None:
            due = min(self._retry_at, self._check_at if self._check_at is not None else self._retry_at)
            return min(IDLE_TICK_S, max(0.01, due - self._clock()))
        return TICK_S.get(self._state, IDLE_TICK_S)

    def step(self) -> None:
        """Handle pending commands, then advance the state machine once."""
        while not self._commands.empty():
            name, done = self._commands.get()
            getattr(self, f"_on_{name}")()
            if done is not None:
                done.set()
        handler = {S.STARTING: self._tick_starting, S.RUNNING: self._tick_running,
                   S.BACKOFF: self._tick_backoff}.get(self._state)
        if handler is not None:
            handler(self._clock())

    # ---- commands ---------------------------------------------------------------------------
    def _on_start(self) -> None:
        if self._state in (S.STOPPED, S.FAILED):
            self._failures = 0
            self._enter(S.STARTING)

    def _on_restart(self) -> None:
        self._kill_process()
        self._probe, self._failures = None, 0
        self._enter(S.STARTING)

    def _on_stop(self) -> None:
        self._kill_process()
        clean_feed_dir(self.out_dir)
        self._tracker = ProgressTracker()
        self._retry_at = None
        self._enter(S.STOPPED)

    # ---- per-state ticks --------------------------------------------------------------------
    def _tick_starting(self, now: float) -> None:
        if self._proc is None:
            self._launch(now)
            return
        self._adopt_probe()
        if self._proc is None or self._state != S.STARTING:
            return
        self._observe(now)
        if self._new_segment_since_launch() and (self._probe_settled or self._probe_overdue(now)):
            self._enter(S.RUNNING)      # a segment is listed, and it is in a codec browsers play
        elif not self._proc.alive():
            self._back_off(self._exit_reason())
        elif self._start_overdue(now - self._entered_at):
            self._back_off(f"no playable segment within {now - self._entered_at:.0f} s of start")

    def _tick_running(self, now: float) -> None:
        self._adopt_probe()
        if self._state != S.RUNNING:
            return
        self._observe(now)
        if now - self._guard_at > GUARD_EVERY_S:
            self._guard(now)
        if now - self._entered_at > STABLE_S:
            self._failures = 0
        if self._proc is None or not self._proc.alive():
            self._back_off(self._exit_reason())
            return
        window = self._stall_window()
        age = self._tracker.age(now)
        if age is None or age <= window:
            return
        if self._census.host_wide(now):
            window *= OVERLOAD_FACTOR   # many feeds stalled together: the host is the problem
        if age > window and (self._quiet(window) or age > OVERLOAD_FACTOR * window):
            self._census.record(now)
            self._enter(S.STALLED, f"stalled: no new segment for {age:.1f} s (limit {window:.1f} s)")
            self._back_off(self._last_error)

    def _probe_overdue(self, now: float) -> bool:
        """A probe stuck in the queue (mass start) must not hide a playing feed for long: after
        PROBE_GRACE_S of segments the guess stands until the probe answers."""
        if self._first_segment_at is None:
            self._first_segment_at = now
        return now - self._first_segment_at > PROBE_GRACE_S

    def _new_segment_since_launch(self) -> bool:
        last = self._tracker.last_sequence
        return last is not None and (self._launch_sequence is None or last > self._launch_sequence)

    def _quiet(self, seconds: float) -> bool:
        """True when ffmpeg has written no byte of output for `seconds`. A late segment whose file is
        still growing means an overloaded host, not a dead camera: killing it would only add load."""
        age = newest_write_age(self.out_dir)
        return age is None or age > seconds

    def _start_overdue(self, elapsed: float) -> bool:
        """ffmpeg gives up on a silent camera itself (socket timeout); a live ffmpeg with no output is
        usually waiting in a slow handshake, so the limit grows when many feeds struggle at once."""
        limit = self._config.start_timeout_s
        if self._census.host_wide(self._clock()):
            limit *= OVERLOAD_FACTOR
        overdue = elapsed > limit and (self._quiet(self._stall_window()) or elapsed > OVERLOAD_FACTOR * limit)
        if overdue:
            self._census.record(self._clock())
        return overdue

    def _tick_backoff(self, now: float) -> None:
        if self._retry_at is not None and now >= self._retry_at:
            if self._last_answer is False and self._skipped < SAFETY_LAUNCH_EVERY - 1:
                self._skipped += 1      # still silent: this step is the check already made, not a launch
                self._retry_at = now + self._config.backoff_delay(self._failures)
                return
            self._skipped = 0
            self._enter(S.STARTING)
        elif self._camera_back(now):
            log.info("feed %s: the camera answers again; starting now", self.camera_code)
            self._failures, self._retry_at, self._skipped = 0, None, 0
            self._enter(S.STARTING)

    def _camera_back(self, now: float) -> bool:
        """Ask the camera (at most every CHECK_EVERY_S, within the shared budget) whether it answers;
        True only when it answers after an earlier check found it silent (and none has heard it since)."""
        if self._check_at is None or now < self._check_at:
            return False
        if self._retry_at is not None and self._retry_at - now <= CHECK_EVERY_S:
            return False                # the retry comes sooner than a check would help
        self._check_at = now + CHECK_EVERY_S
        if not self._check_budget.take():
            return False
        answers = self._last_answer = self._checker(self._url, CHECK_TIMEOUT_S)
        if answers is None:
            return False                # a source the check cannot ask (RTP): the ladder decides
        if not answers:
            self._camera_silent = True
            return False
        back, self._camera_silent = self._camera_silent, False
        return back

    # ---- steps ------------------------------------------------------------------------------
    def _launch(self, now: float) -> None:
        try:
            validate_stream_url(self._url)
        except StreamURLError as exc:
            self._enter(S.FAILED, f"stream URL refused: {exc}")
            return
        self._observe(now)              # the previous run's last words (final segment) are not progress
        self._launch_sequence, self._first_segment_at = self._tracker.last_sequence, None
        try:
            source = self._source_for_launch()
            self.out_dir.mkdir(parents=True, exist_ok=True)
            listed = source_list.write_list(source_list.feed_list_path(self.out_dir),
                                            command.source_list_text(self._url, self._config))
            argv = command.build_argv(listed, source, self._profile, self._config, self.out_dir,
                                      start_number=self._tracker.next_start_number())
            proc = self._spawner(argv, self.out_dir, self._secrets, self._config.stderr_lines)
        except (SourceUnreachable, UnsupportedSource, OSError, RelayMediaError) as exc:
            self._launch_failed(exc)
            return
        with self._lock:
            self._proc, self._argv_source = proc, source
            self._launches += 1
        self._entered_at = self._clock()

    def _source_for_launch(self) -> SourceInfo:
        """The probe to build the argv from. A `copy` feed without a probe yet starts at once on the
        H.264 guess while the probe runs beside it (most cameras send H.264), so the probe is not
        on the path to the first segment; transcode profiles wait for the probe."""
        self._probe_settled = True
        if self._probe is not None:
            return self._probe
        if self._profile.transcode:
            self._probe = self._prober(self._url, self._config, self._cancel)
            return self._probe
        self._probe_settled = False
        self._probe_beside()
        return command.GUESSED_SOURCE

    def _probe_beside(self) -> None:
        self._beside.start(lambda: self._prober(self._url, self._config, self._cancel), self._threaded,
                           f"probe-{self.camera_code}", self._cancel)

    def _adopt_probe(self) -> None:
        """Take a probe that finished beside ffmpeg; relaunch only if it changes the video decision."""
        result = self._beside.take()
        if result is None or self._proc is None:
            return
        self._probe_settled = True      # even a failed probe: ffmpeg's own fate decides then
        if isinstance(result, UnsupportedSource):
            self._back_off(f"camera stream unusable: {self._redact(str(result))}")
            return
        if not isinstance(result, SourceInfo):
            return                      # unreachable: ffmpeg's own fate decides; the next launch probes again
        self._probe = result
        if self._argv_source is None:
            return
        if command.video_decision(result, self._profile) != command.video_decision(self._argv_source, self._profile):
            log.info("feed %s: camera sends %s, relaunching with an encoder", self.camera_code, result.video_codec)
            self._kill_process()
            clean_feed_dir(self.out_dir)            # nothing of the guessed run may be served or counted
            with self._lock:
                self._launches -= 1     # a correction, not a restart
                self._tracker = ProgressTracker()
            self._enter(S.STARTING)
            self._launch(self._clock())

    def _launch_failed(self, exc: Exception) -> None:
        text = self._redact(str(exc))
        if isinstance(exc, SourceUnreachable):
            self._back_off(f"camera unreachable: {text}")
        elif isinstance(exc, UnsupportedSource):
            self._probe = None
            self._back_off(f"camera stream unusable: {text}")
        else:
            self._back_off(f"cannot start ffmpeg: {text}")

    def _observe(self, now: float) -> bool:
        snapshot = read_playlist(command.playlist_path(self.out_dir))
        with self._lock:
            return self._tracker.observe(snapshot, self.out_dir, now)

    def _stall_window(self) -> float:
        segment = max(self._config.segment_seconds, self._tracker.target_duration or 0.0)
        return self._config.stall_factor * segment

    def _back_off(self, reason: str | None) -> None:
        self._kill_process()
        self._failures += 1
        delay = self._config.backoff_delay(self._failures)
        if self._jitter is not None:    # feeds that failed together must not all retry together
            delay *= self._jitter(1.0, 1.0 + self._jitter_span)
        self._retry_at = self._clock() + delay
        # the camera stays "silent" across backoffs until a check hears it (a launch that fails while
        # the camera is coming back must not hide its return); what the last check heard is per backoff
        self._check_at, self._last_answer = self._clock() + CHECK_EVERY_S, None
        if self._failures % REPROBE_EVERY == 0:
            self._probe = None      # the camera may have changed (firmware, codec) while away
        self._enter(S.BACKOFF, reason)

    def _kill_process(self) -> None:
        proc = self._proc
        if proc is None:
            return
        self._stopper(proc)
        source_list.remove_list(source_list.feed_list_path(self.out_dir))     # the camera's URL, in plain
        with self._lock:
            self._last_tail = proc.tail()
            self._proc = None

    def _exit_reason(self) -> str:
        code = self._proc.returncode() if self._proc is not None else None
        tail: list[str] = self._proc.tail() if self._proc is not None else []
        return exit_reason(code, tail)

    def _guard(self, now: float) -> None:
        self._guard_at = now
        snapshot = read_playlist(command.playlist_path(self.out_dir))
        guard_feed_dir(self.out_dir, snapshot, self._config, self._tracker.target_duration)

    def _enter(self, state: FeedState, reason: str | None = None) -> None:
        with self._lock:
            if state not in TRANSITIONS[self._state]:
                raise IllegalTransition(f"feed {self.camera_code}: {self._state} -> {state}")
            changed = state != self._state
            self._state, self._entered_at = state, self._clock()
            if changed:
                self._since = datetime.now(UTC)
            if reason is not None:
                self._last_error = self._redact(reason)
            elif state == S.RUNNING:
                self._last_error = self._last_error if self._failures else None
            if state == S.RUNNING:
                self._camera_silent = False
        if changed:
            log.info("feed %s: %s%s", self.camera_code, state.value, f" ({self._last_error})" if reason else "")
            self._notify()

    def _notify(self) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(self.status())
        except Exception:
            log.exception("feed %s: on_change callback failed", self.camera_code)

    def _fail_safe(self) -> None:
        try:
            self._kill_process()
        finally:
            with self._lock:
                self._state = S.BACKOFF
                self._retry_at = self._clock() + self._config.backoff_delay(self._failures or 1)

    def _redact(self, text: str | None) -> str:
        return redact(text or "", self._secrets)
