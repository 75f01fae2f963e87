"""Prometheus metrics of one relay node, collected at scrape time from the manager.

Labels carry camera codes only, never stream URLs. An own CollectorRegistry per app, so several
apps (tests, nodes in one process) never share or clash.
"""
from __future__ import annotations

import threading
from collections import defaultdict

import psutil
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from geo.vocabulary import FeedState

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class ServedBytes:
    """Bytes of playlists and segments sent to viewers, per camera (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bytes: dict[str, int] = defaultdict(int)

    def add(self, camera_code: str, count: int) -> None:
        with self._lock:
            self._bytes[camera_code] += count

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._bytes)


def _process_usage(pid: int | None) -> tuple[float, int] | None:
    """CPU seconds (user + system) and resident memory of one ffmpeg, or None if it is gone."""
    if not pid:
        return None
    try:
        proc = psutil.Process(pid)
        with proc.oneshot():
            times = proc.cpu_times()
            return times.user + times.system, proc.memory_info().rss
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


class RelayCollector:
    def __init__(self, manager, served: ServedBytes) -> None:
        self._manager = manager
        self._served = served

    def describe(self):
        return []

    def collect(self):
        statuses = self._manager.local_statuses()
        yield self._by_state(statuses)
        restarts = CounterMetricFamily("relay_feed_restarts", "ffmpeg restarts per feed", labels=["camera"])
        age = GaugeMetricFamily("relay_feed_segment_age_seconds", "Seconds since the playlist last advanced",
                                labels=["camera"])
        ingest = CounterMetricFamily("relay_feed_bytes_in", "Bytes of HLS segments written from the camera",
                                     labels=["camera"])
        cpu = CounterMetricFamily("relay_ffmpeg_cpu_seconds", "CPU seconds used by the feed's ffmpeg",
                                  labels=["camera"])
        memory = GaugeMetricFamily("relay_ffmpeg_memory_bytes", "Resident memory of the feed's ffmpeg",
                                   labels=["camera"])
        for code, status in sorted(statuses.items()):
            restarts.add_metric([code], status.restarts)
            ingest.add_metric([code], status.bytes_out)
            if status.segment_age_s is not None:
                age.add_metric([code], status.segment_age_s)
            usage = _process_usage(status.pid)
            if usage is not None:
                cpu.add_metric([code], usage[0])
                memory.add_metric([code], usage[1])
        served = CounterMetricFamily("relay_feed_bytes_out", "Bytes of HLS sent to viewers", labels=["camera"])
        for code, count in sorted(self._served.snapshot().items()):
            served.add_metric([code], count)
        yield from (restarts, age, ingest, served, cpu, memory)
        yield from self._limits()

    def _by_state(self, statuses) -> GaugeMetricFamily:
        family = GaugeMetricFamily("relay_feeds", "Feeds on this relay node by state", labels=["state"])
        for state in FeedState:
            family.add_metric([state.value], sum(1 for s in statuses.values() if s.state == state))
        return family

    def _limits(self):
        cfg = self._manager.config
        yield GaugeMetricFamily("relay_max_feeds", "Configured maximum of running feeds", value=cfg.max_feeds)
        yield GaugeMetricFamily("relay_max_transcodes", "Configured maximum of transcoding feeds",
                                value=cfg.max_transcodes)


def make_registry(manager, served: ServedBytes) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RelayCollector(manager, served))
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
