"""Read the HLS playlist ffmpeg writes, and turn successive reads into a progress signal.

A feed is healthy only while its playlist advances: the newest segment's sequence number must
keep growing. A PID that exists proves nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Segment:
    sequence: int
    name: str
    duration: float


@dataclass(frozen=True)
class PlaylistSnapshot:
    target_duration: float | None
    media_sequence: int
    segments: tuple[Segment, ...]

    @property
    def last_sequence(self) -> int | None:
        return self.segments[-1].sequence if self.segments else None


def parse_playlist(text: str) -> PlaylistSnapshot:
    target: float | None = None
    duration: float | None = None
    media_sequence = 0
    segments: list[Segment] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = _float(line.partition(":")[2])
        elif line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            media_sequence = int(_float(line.partition(":")[2]) or 0)
        elif line.startswith("#EXTINF:"):
            duration = _float(line.partition(":")[2].split(",")[0]) or 0.0
        elif line and not line.startswith("#") and duration is not None:
            segments.append(Segment(media_sequence + len(segments), line, duration))
            duration = None
    return PlaylistSnapshot(target, media_sequence, tuple(segments))


def read_playlist(path: Path) -> PlaylistSnapshot | None:
    try:
        return parse_playlist(Path(path).read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return None


@dataclass
class ProgressTracker:
    """Remembers the newest segment seen; `observe()` says whether a new one has arrived."""

    last_sequence: int | None = None
    last_progress_at: float | None = None
    target_duration: float | None = None
    bytes_out: int = 0
    bitrate_kbps: float | None = None
    _sizes: dict = field(default_factory=dict)

    def observe(self, snapshot: PlaylistSnapshot | None, out_dir: Path, now: float) -> bool:
        if snapshot is None or snapshot.last_sequence is None:
            return False
        self.target_duration = snapshot.target_duration or self.target_duration
        if self.last_sequence is not None and snapshot.last_sequence <= self.last_sequence:
            return False
        self._count_new_segments(snapshot, out_dir)
        self.last_sequence = snapshot.last_sequence
        self.last_progress_at = now
        return True

    def age(self, now: float) -> float | None:
        return None if self.last_progress_at is None else max(0.0, now - self.last_progress_at)

    def next_start_number(self) -> int:
        return 0 if self.last_sequence is None else self.last_sequence + 1

    def _count_new_segments(self, snapshot: PlaylistSnapshot, out_dir: Path) -> None:
        total_bits, total_seconds = 0.0, 0.0
        for segment in snapshot.segments:
            size = self._sizes.get(segment.name)
            if size is None:
                size = _size(Path(out_dir) / segment.name)
                if size is not None:
                    self._sizes[segment.name] = size
                    if self.last_sequence is None or segment.sequence > self.last_sequence:
                        self.bytes_out += size
            if size is not None and segment.duration > 0:
                total_bits += size * 8
                total_seconds += segment.duration
        if total_seconds > 0:
            self.bitrate_kbps = round(total_bits / total_seconds / 1000, 1)
        live = {s.name for s in snapshot.segments}
        self._sizes = {name: size for name, size in self._sizes.items() if name in live}


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _float(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None
