"""Fakes and seed helpers shared by the relay manager and API tests (no tests here)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from db.models import Camera, Feed
from geo.vocabulary import Connection, ConsentLevel, FeedMode, FeedState
from relay.profiles import get_profile
from relay.schemas import FeedStatus

SECRET_URL = "rtsp://admin:s3cr3t-pass@10.0.0.{n}:554/stream1"


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeWallClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeSupervisor:
    """Records what the manager asked; optionally writes a tiny HLS playlist like the real one."""

    camera_code: str
    source_url: str
    profile: str
    audio: str
    runtime_dir: Path | None = None
    journal: list | None = None                 # shared by all fakes of one factory, in call order
    calls: list[str] = field(default_factory=list)
    state: FeedState = FeedState.STOPPED
    restarts: int = 0

    def start(self) -> None:
        self.calls.append("start")
        if self.journal is not None:
            self.journal.append((self.camera_code, "start"))
        self.state = FeedState.RUNNING
        if self.runtime_dir is not None:
            write_fake_hls(self.runtime_dir / self.camera_code)

    def stop(self) -> None:
        self.calls.append("stop")
        if self.journal is not None:
            self.journal.append((self.camera_code, "stop"))
        self.state = FeedState.STOPPED

    def restart(self) -> None:
        self.calls.append("restart")
        if self.journal is not None:
            self.journal.append((self.camera_code, "restart"))
        self.restarts += 1

    def close(self) -> None:
        self.calls.append("close")
        if self.journal is not None:
            self.journal.append((self.camera_code, "close"))
        self.state = FeedState.STOPPED

    def status(self) -> FeedStatus:
        return FeedStatus(camera_code=self.camera_code, state=self.state,
                          since=datetime(2026, 11, 22, tzinfo=UTC), fps=25.0, bitrate_kbps=2000.0,
                          codec="h264", width=1280, height=720, restarts=self.restarts,
                          transcoding=get_profile(self.profile).transcode, bytes_out=1234)


class FakeSupervisorFactory:
    def __init__(self, runtime_dir: Path | None = None) -> None:
        self.made: list[FakeSupervisor] = []
        self.runtime_dir = runtime_dir
        self.journal: list[tuple[str, str]] = []

    def __call__(self, source) -> FakeSupervisor:
        supervisor = FakeSupervisor(source.camera_code, source.source_url, source.profile, source.audio,
                                    runtime_dir=self.runtime_dir, journal=self.journal)
        self.made.append(supervisor)
        return supervisor

    def latest(self, code: str) -> FakeSupervisor:
        return [s for s in self.made if s.camera_code == code][-1]


def write_fake_hls(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "seg_00001.ts").write_bytes(b"\x47" * 188 * 4)
    (directory / "seg_00002.ts").write_bytes(b"\x47" * 188 * 4)
    (directory / "index.m3u8").write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:1\n"
        "#EXTINF:1.000,\nseg_00001.ts\n#EXTINF:1.000,\nseg_00002.ts\n")


def seed_feeds(session_factory, spec: dict[str, tuple[FeedMode | None, str]], url: str = SECRET_URL) -> None:
    """spec: camera code -> (mode or None for a camera without a feed, profile)."""
    with session_factory.begin() as session:
        for n, (code, (mode, profile)) in enumerate(sorted(spec.items()), start=1):
            camera = Camera(code=code, name=f"Camera {code}", lon=106.8, lat=-6.17,
                            stream_url=url.format(n=n) if "{n}" in url else url,
                            connection=Connection.CONNECTED, consent=ConsentLevel.LIVE)
            session.add(camera)
            session.flush()
            if mode is not None:
                session.add(Feed(camera_id=camera.id, mode=mode, profile=profile, audio="aac",
                                 state=FeedState.STOPPED, restarts=0))
