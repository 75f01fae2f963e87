"""The feed state machine, driven step by step with a fake clock, fake ffmpeg and fake probe."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from geo.vocabulary import FeedState as S
from relay.config import RelayConfig
from relay.errors import SourceUnreachable
from relay.probe import SourceInfo
from relay.probing import StallCensus
from relay.profiles import get_profile
from relay.reach import CheckBudget
from relay.redact import redact
from relay.supervisor import TRANSITIONS, FeedSupervisor, IllegalTransition

URL = "rtsp://admin:topsecret@10.0.0.7:554/ch1"
H264 = SourceInfo("h264", 1280, 720, 25.0, "pcm_alaw", 8000)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeProcess:
    _next_pid = 5000

    def __init__(self, argv: list[str]) -> None:
        FakeProcess._next_pid += 1
        self.pid, self.argv, self.code, self.stopped = FakeProcess._next_pid, argv, None, False
        self.lines: list[str] = []

    def alive(self) -> bool:
        return self.code is None

    def returncode(self):
        return self.code

    def tail(self) -> list[str]:
        return list(self.lines)


class FakeMedia:
    """Stands in for ffprobe + ffmpeg; the test decides what the camera does."""

    def __init__(self) -> None:
        self.probes, self.spawned = 0, []
        self.unreachable: str | None = None
        self.answering: bool | None = None       # what a reachability check hears; None: "not unreachable"
        self.checks = 0
        self.info = H264

    def answers(self, url, timeout_s) -> bool | None:
        self.checks += 1
        return self.answering if self.answering is not None else self.unreachable is None

    def probe(self, url, config, cancel=None) -> SourceInfo:
        self.probes += 1
        if self.unreachable:
            raise SourceUnreachable(self.unreachable)
        return self.info

    def spawn(self, argv, marker_dir, secrets, tail_lines) -> FakeProcess:
        proc = FakeProcess(argv)
        if self.unreachable:                     # ffmpeg meets the same camera as the probe
            proc.code, proc.lines = 1, [redact(self.unreachable, secrets)]
        self.spawned.append(proc)
        return proc

    def stop(self, proc: FakeProcess) -> int:
        proc.stopped = True
        if proc.code is None:
            proc.code = -15
        return proc.code


@pytest.fixture
def rig(tmp_path):
    clock, media, seen = FakeClock(), FakeMedia(), []
    config = RelayConfig(runtime_dir=tmp_path)
    sup = FeedSupervisor("cam-1", URL, get_profile("copy"), config, clock=clock,
                         on_change=lambda st: seen.append(st.state), prober=media.probe,
                         spawner=media.spawn, stopper=media.stop, threaded=False, census=StallCensus(), jitter=0,
                         checker=media.answers, check_budget=CheckBudget(1000, clock=clock))
    return sup, clock, media, seen


def long_ladder_rig(tmp_path, budget_per_s: float = 1000):
    clock, media = FakeClock(), FakeMedia()
    config = RelayConfig(runtime_dir=tmp_path, backoff_steps=(1, 60))
    sup = FeedSupervisor("cam-1", URL, get_profile("copy"), config, clock=clock, prober=media.probe,
                         spawner=media.spawn, stopper=media.stop, threaded=False, census=StallCensus(), jitter=0,
                         checker=media.answers, check_budget=CheckBudget(budget_per_s, burst=1, clock=clock))
    return sup, clock, media


def fail_until_long_backoff(sup, clock, media) -> None:
    """The camera goes away; the feed climbs the ladder to its 60 s step."""
    media.unreachable = "Connection refused"
    sup.start()
    for _ in range(3):
        sup.step()
    assert sup.state == S.BACKOFF and sup.status().next_retry_s == 1.0
    clock.advance(1.0)
    for _ in range(3):
        sup.step()
    assert sup.state == S.BACKOFF and sup.status().next_retry_s == 60.0


def emit_segment(sup: FeedSupervisor, sequence: int) -> None:
    sup.out_dir.mkdir(parents=True, exist_ok=True)
    (sup.out_dir / f"seg_{sequence:06d}.ts").write_bytes(b"\0" * 1880)
    (sup.out_dir / "index.m3u8").write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:{sequence}\n#EXTINF:1.0,\nseg_{sequence:06d}.ts\n")


def age_files(sup: FeedSupervisor, seconds: float) -> None:
    past = time.time() - seconds
    for path in sup.out_dir.iterdir():
        os.utime(path, (past, past))


def run_until_running(sup, clock, first_sequence=0):
    sup.step()                                   # probe + launch
    emit_segment(sup, first_sequence)
    clock.advance(0.2)
    sup.step()
    assert sup.state == S.RUNNING


def test_start_goes_through_starting_to_running_on_first_segment(rig):
    sup, _clock, media, seen = rig
    sup.start()
    assert sup.state == S.STARTING and len(media.spawned) == 1
    sup.step()
    assert sup.state == S.STARTING               # a live PID alone is not health
    emit_segment(sup, 0)
    sup.step()
    status = sup.status()
    assert status.state == S.RUNNING and status.pid == media.spawned[0].pid and status.codec == "h264"
    assert seen == [S.STARTING, S.RUNNING] and status.restarts == 0 and status.bytes_out == 1880


def test_no_new_segment_for_three_segment_times_is_a_stall_then_backoff(rig):
    sup, clock, media, seen = rig
    sup.start()
    run_until_running(sup, clock)
    clock.advance(2.9)
    sup.step()
    assert sup.state == S.RUNNING
    clock.advance(0.3)
    age_files(sup, 60)                           # and ffmpeg wrote nothing meanwhile
    sup.step()
    assert seen[-2:] == [S.STALLED, S.BACKOFF] and media.spawned[0].stopped
    assert "stalled" in sup.status().last_error and sup.status().next_retry_s == 1.0


def test_a_late_segment_still_being_written_is_overload_not_a_stall(rig):
    sup, clock, media, seen = rig
    sup.start()
    run_until_running(sup, clock)
    growing = sup.out_dir / "seg_000001.ts.tmp"
    for _ in range(11):                          # 11 s without a finished segment, file still growing
        clock.advance(1.0)
        growing.write_bytes(b"\0" * 188)
        sup.step()
    assert sup.state == S.RUNNING and not media.spawned[0].stopped
    clock.advance(1.5)                           # past 4x the stall window: a real stall after all
    growing.write_bytes(b"\0" * 188)
    sup.step()
    assert seen[-2:] == [S.STALLED, S.BACKOFF] and "stalled" in sup.status().last_error


def test_backoff_ladder_keeps_trying_forever_with_the_reason_visible(rig):
    """The ladder itself, for a camera the check cannot ask (an RTP source, say)."""
    sup, clock, media, _seen = rig
    sup._checker = lambda url, timeout_s: None
    media.unreachable = "rtsp://admin:topsecret@10.0.0.7:554/ch1: Server returned 404 Not Found"
    sup.start()
    assert sup.state == S.STARTING
    delays = []
    for _ in range(8):
        for _step in range(3):                   # launch; ffmpeg (beside the probe) dies at once
            if sup.state == S.BACKOFF:
                break
            sup.step()
        assert sup.state == S.BACKOFF
        status = sup.status()
        delays.append(status.next_retry_s)
        assert "404" in status.last_error and "topsecret" not in json.dumps(status.to_dict())
        clock.advance(status.next_retry_s - 0.01)
        sup.step()
        assert sup.state == S.BACKOFF            # not a moment early
        clock.advance(0.01)
        sup.step()
        assert sup.state == S.STARTING
    assert delays == [1, 2, 5, 10, 30, 60, 60, 60]
    assert len(media.spawned) == 8 and all(p.stopped for p in media.spawned)
    media.unreachable = None
    sup.step()
    emit_segment(sup, 0)
    sup.step()
    assert sup.state == S.RUNNING


def test_ffmpeg_exit_backs_off_and_the_next_run_continues_segment_numbers(rig):
    sup, clock, media, _seen = rig
    sup.start()
    run_until_running(sup, clock, first_sequence=7)
    media.spawned[0].code = 0
    media.spawned[0].lines = ["[rtsp @ 0x1] rtsp://***@10.0.0.7:554/ch1: End of file"]
    sup.step()
    assert sup.state == S.BACKOFF and sup.status().last_error.startswith("stream ended")
    assert "End of file" in sup.status().last_error
    clock.advance(1.0)
    sup.step()
    sup.step()
    argv = media.spawned[1].argv
    assert argv[argv.index("-start_number") + 1] == "8" and "+discont_start" in argv[argv.index("-hls_flags") + 1]
    assert media.probes == 1                     # retries reuse the first probe
    emit_segment(sup, 8)
    sup.step()
    assert sup.state == S.RUNNING and sup.status().restarts == 1


def test_forbidden_url_is_failed_not_retried(tmp_path):
    media = FakeMedia()
    sup = FeedSupervisor("cam-2", "file:///etc/passwd", get_profile("copy"), RelayConfig(runtime_dir=tmp_path),
                         clock=FakeClock(), prober=media.probe, spawner=media.spawn, stopper=media.stop,
                         threaded=False)
    sup.start()
    sup.step()
    status = sup.status()
    assert status.state == S.FAILED and "rtsp://" in status.last_error
    assert media.probes == 0 and media.spawned == []
    sup.step()
    assert sup.state == S.FAILED


def test_stop_kills_ffmpeg_and_removes_the_feed_directory(rig):
    sup, clock, media, _seen = rig
    sup.start()
    run_until_running(sup, clock)
    assert sup.out_dir.is_dir()
    sup.stop()
    assert sup.state == S.STOPPED and media.spawned[0].stopped and not sup.out_dir.exists()
    assert sup.status().pid is None


def test_restart_reprobes_and_starts_at_once(rig):
    sup, clock, media, _seen = rig
    sup.start()
    run_until_running(sup, clock)
    sup.restart()
    assert sup.state == S.STARTING and media.spawned[0].stopped and len(media.spawned) == 2
    assert media.probes == 2


def test_long_stable_run_resets_the_backoff_ladder(rig):
    sup, clock, media, _seen = rig
    sup.start()
    run_until_running(sup, clock)
    media.spawned[-1].code = 1
    sup.step()
    assert sup.status().next_retry_s == 1.0
    clock.advance(1.0)
    sup.step()
    emit_segment(sup, 1)
    sup.step()
    for seq in range(2, 14):                     # 12 s of healthy segments
        clock.advance(1.0)
        emit_segment(sup, seq)
        sup.step()
    media.spawned[-1].code = 1
    sup.step()
    assert sup.status().next_retry_s == 1.0      # not 2: the earlier failure is forgotten


def test_transition_table_is_enforced(rig):
    sup, *_ = rig
    assert S.RUNNING not in TRANSITIONS[S.STOPPED]
    with pytest.raises(IllegalTransition, match="stopped -> running"):
        sup._enter(S.RUNNING)


def test_status_never_carries_the_stream_url(rig):
    sup, clock, _media, _seen = rig
    sup.start()
    run_until_running(sup, clock)
    text = json.dumps(sup.status().to_dict())
    assert "topsecret" not in text and "admin" not in text and "10.0.0.7" not in text
    assert Path(sup.status().playlist_path).name == "index.m3u8"


def test_copy_feed_starts_before_the_probe_and_switches_to_an_encoder_for_h265(rig):
    sup, _clock, media, _seen = rig
    media.info = SourceInfo("hevc", 1920, 1080, 25.0, None)
    sup.start()
    first = media.spawned[0].argv
    assert first[first.index("-c:v") + 1] == "copy"          # launched on the H.264 guess
    sup.step()                                               # the probe's answer arrives
    assert media.spawned[0].stopped and len(media.spawned) == 2
    second = media.spawned[1].argv
    assert second[second.index("-c:v") + 1] == "libx264" and sup.state == S.STARTING
    emit_segment(sup, 0)
    sup.step()
    status = sup.status()
    assert status.state == S.RUNNING and status.transcoding and status.restarts == 0
    assert status.source_codec == "hevc" and (status.width, status.height) == (1920, 1080)


def test_h264_probe_answer_keeps_the_guessed_process(rig):
    sup, _clock, media, _seen = rig
    sup.start()
    sup.step()
    assert len(media.spawned) == 1 and not media.spawned[0].stopped
    assert sup.status().source_codec == "h264"


def test_when_many_feeds_stall_together_the_next_ones_wait_longer(tmp_path):
    census, clock = StallCensus(threshold=2, horizon_s=15), FakeClock()
    rigs = []
    for i in range(3):
        media = FakeMedia()
        sup = FeedSupervisor(f"cam-{i}", URL, get_profile("copy"), RelayConfig(runtime_dir=tmp_path), clock=clock,
                             prober=media.probe, spawner=media.spawn, stopper=media.stop, threaded=False,
                             census=census, jitter=0)
        sup.start()
        run_until_running(sup, clock)
        rigs.append(sup)
    clock.advance(3.5)
    for sup in rigs:
        age_files(sup, 60)
        sup.step()
    assert [s.state for s in rigs] == [S.BACKOFF, S.BACKOFF, S.RUNNING]   # 2 stalls: host-wide now
    clock.advance(9.0)                                   # 12.5 s quiet > 4 x 3 s
    rigs[2].step()
    assert rigs[2].state == S.BACKOFF and "limit 12.0 s" in rigs[2].status().last_error


def test_backoff_jitter_spreads_retries_but_never_shortens_them(tmp_path):
    delays = set()
    for i in range(5):
        media = FakeMedia()
        media.unreachable = "down"
        sup = FeedSupervisor(f"cam-{i}", URL, get_profile("copy"), RelayConfig(runtime_dir=tmp_path),
                             clock=FakeClock(), prober=media.probe, spawner=media.spawn, stopper=media.stop,
                             threaded=False, census=StallCensus())
        sup.start()
        sup.step()
        delays.add(sup.status().next_retry_s)
    assert len(delays) > 1 and all(1.0 <= d <= 1.25 for d in delays)


def test_the_segment_a_killed_ffmpeg_writes_on_its_way_out_is_not_progress_of_the_next_run(rig):
    sup, clock, media, _seen = rig
    sup.start()
    run_until_running(sup, clock, first_sequence=7)
    media.stop = lambda proc: (emit_segment(sup, 8), setattr(proc, "code", -15))   # SIGTERM flushes seg 8
    sup._stopper = media.stop
    clock.advance(3.5)
    age_files(sup, 60)
    sup.step()
    assert sup.state == S.BACKOFF
    clock.advance(1.0)
    sup.step()
    sup.step()                                   # relaunched; only the old run's seg 8 is on disk
    argv = media.spawned[-1].argv
    assert sup.state == S.STARTING and argv[argv.index("-start_number") + 1] == "9"
    emit_segment(sup, 9)
    sup.step()
    assert sup.state == S.RUNNING


def test_a_feed_directory_over_its_budget_drops_unlisted_files_at_once(tmp_path):
    media, clock = FakeMedia(), FakeClock()
    sup = FeedSupervisor("cam-b", URL, get_profile("copy"), RelayConfig(runtime_dir=tmp_path,
                         max_runtime_bytes=1024**2), clock=clock, prober=media.probe, spawner=media.spawn,
                         stopper=media.stop, threaded=False, census=StallCensus(), jitter=0)
    sup.start()
    run_until_running(sup, clock)
    leftover = sup.out_dir / "seg_999999.ts"
    leftover.write_bytes(b"\0" * (2 * 1024**2))
    past = time.time() - 5
    os.utime(leftover, (past, past))             # recent enough for the stale guard to keep it
    clock.advance(6.0)
    emit_segment(sup, 1)
    sup.step()
    assert not leftover.exists() and (sup.out_dir / "seg_000001.ts").exists()


def test_a_playing_feed_whose_probe_is_stuck_in_the_queue_is_running_after_a_grace(tmp_path):
    media, clock = FakeMedia(), FakeClock()
    sup = FeedSupervisor("cam-q", URL, get_profile("copy"), RelayConfig(runtime_dir=tmp_path), clock=clock,
                         prober=media.probe, spawner=media.spawn, stopper=media.stop, threaded=False,
                         census=StallCensus(), jitter=0)
    sup._beside.start = lambda *args, **kw: None       # the probe never answers
    sup.start()
    for seq in range(3):
        emit_segment(sup, seq)
        sup.step()
        assert sup.state == S.STARTING
        clock.advance(1.0)
    emit_segment(sup, 3)
    sup.step()
    assert sup.state == S.RUNNING and sup.status().source_codec is None


def test_a_camera_back_after_a_long_outage_starts_at_the_next_check_not_at_the_ladder_step(tmp_path):
    sup, clock, media = long_ladder_rig(tmp_path)
    fail_until_long_backoff(sup, clock, media)
    for _ in range(40):                          # 40 s of outage, one check a second, all silent
        clock.advance(1.0)
        sup.step()
        assert sup.state == S.BACKOFF
    checks, launches = media.checks, len(media.spawned)
    assert checks >= 39 and launches == 2       # checking is not launching ffmpeg
    media.unreachable = None                     # the camera is back
    clock.advance(1.0)
    sup.step()
    assert sup.state == S.STARTING and media.checks == checks + 1
    sup.step()
    emit_segment(sup, 0)
    sup.step()
    assert sup.state == S.RUNNING and len(media.spawned) == 3
    media.spawned[-1].code = 1                   # and the ladder starts again from its first step
    sup.step()
    assert sup.state == S.BACKOFF and sup.status().next_retry_s == 1.0


def test_a_camera_that_answers_but_whose_stream_fails_keeps_its_ladder(tmp_path):
    sup, clock, media = long_ladder_rig(tmp_path)
    fail_until_long_backoff(sup, clock, media)
    media.answering = True                       # DESCRIBE answers, yet ffmpeg fails (say a bad path)
    for _ in range(30):
        clock.advance(1.0)
        sup.step()
    assert sup.state == S.BACKOFF and len(media.spawned) == 2


def test_checks_wait_for_the_shared_budget(tmp_path):
    sup, clock, media = long_ladder_rig(tmp_path, budget_per_s=0.2)   # one check every 5 s for all feeds
    fail_until_long_backoff(sup, clock, media)
    before = media.checks
    for _ in range(20):
        clock.advance(1.0)
        sup.step()
    assert 3 <= media.checks - before <= 5


def test_no_check_when_the_retry_comes_sooner(rig):
    sup, clock, media, _seen = rig
    media.unreachable = "Connection refused"
    sup.start()
    for _ in range(3):
        sup.step()
    assert sup.status().next_retry_s == 1.0
    clock.advance(0.5)
    sup.step()
    assert media.checks == 0


def test_while_the_camera_stays_silent_ladder_steps_are_checks_with_a_launch_every_fifth(tmp_path):
    sup, clock, media = long_ladder_rig(tmp_path)
    fail_until_long_backoff(sup, clock, media)
    for _ in range(60 * 11):                     # eleven minutes of a dead camera
        clock.advance(1.0)
        sup.step()
        sup.step()
    # 11 ladder steps of 60 s: two of them (the 5th and 10th) launch ffmpeg, the others are checks
    assert len(media.spawned) == 2 + 2 and sup.state == S.BACKOFF
    assert sup.status().next_retry_s is not None and sup.status().next_retry_s <= 60
    media.unreachable = None
    clock.advance(1.0)
    sup.step()
    assert sup.state == S.STARTING               # and the camera's return is still seen at once


def test_a_launch_that_fails_as_the_camera_comes_back_does_not_hide_its_return(tmp_path):
    """The 5th ladder step launches ffmpeg; the camera is mounting and refuses it. The next check hears
    the camera: it starts at once, not at the next ladder step."""
    sup, clock, media = long_ladder_rig(tmp_path)
    fail_until_long_backoff(sup, clock, media)
    while len(media.spawned) == 2:               # silent checks until the safety launch
        clock.advance(1.0)
        sup.step()
    sup.step()                                   # that launch fails: the camera is still away
    assert sup.state == S.BACKOFF and sup.status().next_retry_s == 60.0
    media.unreachable = None                     # ... and is back a moment later
    clock.advance(1.0)
    sup.step()
    assert sup.state == S.STARTING
