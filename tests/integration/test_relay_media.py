"""The relay's media side on real components: GStreamer RTSP cameras, real ffprobe and ffmpeg."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from geo.vocabulary import FeedState as S
from relay import process
from relay.command import build_argv, playlist_path, source_list_text
from relay.config import RelayConfig
from relay.playlist import read_playlist
from relay.probe import probe
from relay.profiles import get_profile
from relay.simulator.control import CameraSpec, Simulator
from relay.source_list import CONCAT_INPUT, feed_list_path, write_list
from relay.supervisor import FeedSupervisor
from tests.support.components import need_ffmpeg, need_rtsp_server

pytestmark = [pytest.mark.media, pytest.mark.timeout(120)]

USER, PASSWORD = "operator", "Rahasia:42/x"
SMALL = {"width": 480, "height": 270, "bitrate_kbps": 600}


@pytest.fixture(scope="module")
def sim():
    need_ffmpeg()
    need_rtsp_server()
    cameras = [
        CameraSpec("h264-a", **SMALL),
        CameraSpec("h264-pcma", audio="pcma", **SMALL),
        CameraSpec("h265", codec="h265", **SMALL),
        CameraSpec("reboot", audio="pcma", **SMALL),
        CameraSpec("outage", **SMALL),
        CameraSpec("killme", **SMALL),
        CameraSpec("orphan", **SMALL),
        CameraSpec("gop4", audio="aac", gop_s=4.0, **SMALL),
    ]
    with Simulator(cameras, user=USER, password=PASSWORD) as simulator:
        yield simulator


@pytest.fixture
def config(tmp_path) -> RelayConfig:
    return RelayConfig(runtime_dir=tmp_path / "runtime", backoff_steps=(1, 1, 2))


@pytest.fixture
def supervisors():
    made: list[FeedSupervisor] = []
    yield made
    for sup in made:
        sup.close()


def supervise(made, sim, config, code, profile="copy", url=None) -> FeedSupervisor:
    sup = FeedSupervisor(code, url or sim.url(code), get_profile(profile), config)
    made.append(sup)
    sup.start()
    return sup


def wait_for(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def last_sequence(sup: FeedSupervisor) -> int | None:
    snap = read_playlist(playlist_path(sup.out_dir))
    return snap.last_sequence if snap else None


def newest_segment(sup: FeedSupervisor) -> Path:
    snap = read_playlist(playlist_path(sup.out_dir))
    return sup.out_dir / snap.segments[-1].name


def stream_codecs(path: Path) -> dict[str, str]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "json",
                          str(path)], capture_output=True, text=True, timeout=30, check=True).stdout
    return {s["codec_type"]: s["codec_name"] for s in json.loads(out)["streams"]}


def ffmpeg_pids_under(root: Path) -> list[int]:
    prefix = str(root.resolve())
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if "ffmpeg" in cmd.split("\0")[0] and prefix in cmd:
                found.append(int(entry.name))
    return found


def assert_no_secret(sup: FeedSupervisor):
    text = json.dumps(sup.status().to_dict())
    for secret in (PASSWORD, "Rahasia", "Rahasia%3A42%2Fx"):
        assert secret not in text


def test_h264_feed_is_remuxed_and_its_playlist_advances(sim, config, supervisors):
    sup = supervise(supervisors, sim, config, "h264-pcma")
    wait_for(lambda: sup.state == S.RUNNING, 20, "running")
    first = last_sequence(sup)
    wait_for(lambda: last_sequence(sup) > first + 1, 10, "two more segments")
    status = sup.status()
    assert status.source_codec == "h264" and not status.transcoding and status.pid is not None
    argv = build_argv(feed_list_path(sup.out_dir), probe(sim.url("h264-pcma"), config), get_profile("copy"),
                      config, sup.out_dir)
    assert argv[argv.index("-c:v") + 1] == "copy" and "libx264" not in argv
    assert stream_codecs(newest_segment(sup)) == {"video": "h264", "audio": "aac"}   # G.711 -> AAC
    assert status.bytes_out > 0 and status.segment_age_s is not None and status.segment_age_s < 3
    assert_no_secret(sup)


def test_h265_camera_is_transcoded_to_h264(sim, config, supervisors):
    sup = supervise(supervisors, sim, config, "h265")
    wait_for(lambda: sup.state == S.RUNNING and sup.status().transcoding, 25, "running with an encoder")
    status = sup.status()
    assert status.source_codec == "hevc" and status.transcoding and status.codec == "h264"
    assert stream_codecs(newest_segment(sup)) == {"video": "h264"}


def test_4_s_gop_makes_4_s_segments_without_false_stalls(sim, config, supervisors):
    sup = supervise(supervisors, sim, config, "gop4")
    wait_for(lambda: sup.state == S.RUNNING, 25, "running")
    first = last_sequence(sup)
    wait_for(lambda: last_sequence(sup) >= first + 2, 15, "two more 4 s segments")
    snap = read_playlist(playlist_path(sup.out_dir))
    assert snap.target_duration == 4 and all(abs(seg.duration - 4.0) < 0.2 for seg in snap.segments[1:])
    assert sup.state == S.RUNNING and sup.status().restarts == 0       # 3 s of silence is not a stall here
    assert stream_codecs(newest_segment(sup)) == {"video": "h264", "audio": "aac"}


def test_kill_9_of_ffmpeg_comes_back_running(sim, config, supervisors):
    sup = supervise(supervisors, sim, config, "killme")
    pid = wait_for(lambda: sup.state == S.RUNNING and sup.status().pid, 20, "running")
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: sup.state == S.BACKOFF, 5, "backoff after kill -9")
    assert "signal 9" in sup.status().last_error
    wait_for(lambda: sup.state == S.RUNNING, 20, "running again")
    status = sup.status()
    assert status.restarts == 1 and status.pid not in (None, pid)
    before = last_sequence(sup)
    wait_for(lambda: last_sequence(sup) > before, 5, "advancing after restart")


def test_camera_reboot_backs_off_with_reason_then_returns_with_video(sim, config, supervisors):
    sup = supervise(supervisors, sim, config, "reboot")
    wait_for(lambda: sup.state == S.RUNNING, 20, "running")
    sim.stop_camera("reboot")
    try:
        wait_for(lambda: sup.state == S.BACKOFF, 10, "backoff while the camera is away")
        wait_for(lambda: "404" in (sup.status().last_error or ""), 10, "a 404 reason while away")
        status = sup.status()
        assert status.next_retry_s is not None and status.pid is None
        assert_no_secret(sup)
    finally:
        sim.start_camera("reboot")
    wait_for(lambda: sup.state == S.RUNNING, 20, "running after the camera is back")
    before = last_sequence(sup)
    wait_for(lambda: last_sequence(sup) > before, 5, "a new segment after the reboot")
    assert "video" in stream_codecs(newest_segment(sup))        # video, not audio only
    assert_no_secret(sup)


def test_a_camera_back_after_an_outage_plays_again_without_waiting_for_the_ladder(sim, tmp_path, supervisors):
    """The ladder here jumps to 60 s after one failure: without the camera check the feed would wait
    out most of a minute after the camera came back. (How soon it plays is bench/recovery.py's figure.)"""
    config = RelayConfig(runtime_dir=tmp_path / "runtime", backoff_steps=(1, 60))
    sup = supervise(supervisors, sim, config, "outage")
    wait_for(lambda: sup.state == S.RUNNING, 20, "running")
    sim.stop_camera("outage")
    try:
        wait_for(lambda: (sup.status().next_retry_s or 0) > 30, 20, "the 60 s step of the ladder")
        time.sleep(3)                            # a few checks find the camera silent
        assert sup.state == S.BACKOFF and sup.status().pid is None
        launches = sup.status().restarts
        mark = last_sequence(sup) or -1
        ladder_retry_in = sup.status().next_retry_s
    finally:
        sim.start_camera("outage")
    assert ladder_retry_in > 25
    back = time.monotonic()
    wait_for(lambda: sup.state == S.RUNNING and (last_sequence(sup) or -1) > mark, 20, "a new segment")
    assert time.monotonic() - back < ladder_retry_in     # it did not sleep out the ladder step
    assert sup.status().restarts == launches + 1          # one relaunch, not one per check
    assert_no_secret(sup)


def test_wrong_password_is_refused_and_never_shown(sim, config, supervisors):
    sup = supervise(supervisors, sim, config, "h264-a", url=sim.url("h264-a", password="Salah:99/y"))
    wait_for(lambda: sup.state == S.BACKOFF, 15, "backoff on 401")
    status = sup.status()
    assert "401" in status.last_error
    text = json.dumps(status.to_dict())
    assert "Salah" not in text and USER not in text


def test_forbidden_scheme_fails_without_running_anything(config, supervisors, tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("x")
    sup = FeedSupervisor("bad", f"file://{secret_file}", get_profile("copy"), config)
    supervisors.append(sup)
    sup.start()
    wait_for(lambda: sup.state == S.FAILED, 5, "failed")
    assert "not allowed" in sup.status().last_error and sup.status().pid is None


def test_ffmpeg_refuses_non_network_protocols_even_if_asked(config, tmp_path):
    need_ffmpeg()
    source = tmp_path / "clip.ts"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=5", "-t", "1",
                    str(source)], check=True, timeout=30)
    # the list names a local file: its own whitelist (the camera's) refuses it, although the argv's allows file
    listed = write_list(tmp_path / "source.ffconcat", source_list_text(f"file:{source}", config))
    proc = process.spawn(["ffmpeg", *CONCAT_INPUT, "-i", str(listed), "-f", "null", "-"], secrets=())
    assert proc.popen.wait(timeout=20) != 0
    time.sleep(0.2)
    assert any("not on whitelist" in line for line in proc.tail())


def test_stderr_tail_is_redacted(config):
    need_ffmpeg()
    url = f"rtsp://{USER}:{PASSWORD.replace(':', '%3A').replace('/', '%2F')}@127.0.0.1:1/none"
    proc = process.spawn(["ffmpeg", "-rtsp_transport", "tcp", "-timeout", "2000000", "-i", url, "-f", "null", "-"],
                         secrets=[PASSWORD, "Rahasia%3A42%2Fx"])
    proc.popen.wait(timeout=20)
    time.sleep(0.2)
    tail = "\n".join(proc.tail())
    assert "127.0.0.1" in tail and "Rahasia" not in tail and f"{USER}:" not in tail


def test_close_leaves_no_ffmpeg(sim, config):
    sup = FeedSupervisor("h264-a", sim.url("h264-a"), get_profile("copy"), config)
    sup.start()
    pid = wait_for(lambda: sup.state == S.RUNNING and sup.status().pid, 20, "running")
    sup.close()
    assert sup.state == S.STOPPED and not sup.out_dir.exists()
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]
    assert ffmpeg_pids_under(config.runtime_dir) == []


def test_reap_orphans_kills_ffmpeg_left_by_a_previous_relay(sim, config):
    out_dir = config.runtime_dir / "orphan"
    out_dir.mkdir(parents=True)
    url = sim.url("orphan")
    listed = write_list(feed_list_path(out_dir), source_list_text(url, config))
    argv = build_argv(listed, probe(url, config), get_profile("copy"), config, out_dir)
    leftover = process.spawn(argv, marker_dir=out_dir)         # "forgotten": never stopped
    wait_for(lambda: playlist_path(out_dir).exists(), 15, "the orphan to produce a playlist")
    assert (out_dir / process.MARKER_NAME).exists()
    bystander = subprocess.Popen(["sleep", "30"])               # not ffmpeg, not ours to kill
    try:
        reaped = process.reap_orphans(config.runtime_dir)
        assert reaped == [leftover.pid]
        assert leftover.popen.wait(timeout=5) is not None
        assert bystander.poll() is None and ffmpeg_pids_under(config.runtime_dir) == []
        assert not (out_dir / process.MARKER_NAME).exists()
    finally:
        bystander.kill()
        bystander.wait()
