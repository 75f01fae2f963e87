"""Does the camera answer? One RTSP DESCRIBE with a short time-out, and a budget shared by all feeds.

A feed in backoff asks this about once a second so that it can start again as soon as its camera is
back, instead of sleeping out the backoff ladder (up to a minute); the relay also asks it of on-demand
cameras nobody watches, so that the map can tell "camera unreachable" from "live, healthy" before
anyone opens the card.

DESCRIBE rather than OPTIONS: an RTSP server answers OPTIONS for any path, while DESCRIBE names the
camera's stream, so a camera that is mounted behind a recorder or a simulator and has gone away gets
its 404. A 401 or 403 counts as an answer (the camera is there; ffmpeg sends the credentials). The
request carries no credentials (the user information is left out of the request line) and nothing of
the URL is logged or returned: the answer is a bool.

    rtsp_answers("rtsp://user:pw@10.0.0.7:554/ch1", timeout_s=1.0)  -> True / False / None (cannot tell)
    CheckBudget(per_second=50).take()                                -> False once the budget is spent
"""
from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322}
ANSWERING = frozenset({200, 401, 403})
REPLY_LIMIT = 512          # the status line is all we read


def request_uri(url: str) -> str | None:
    """The URL as it goes on the DESCRIBE line: no user name or password; None for a non-RTSP URL."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def status_code(reply: bytes) -> int | None:
    """The status of an RTSP reply's first line (``RTSP/1.0 200 OK`` -> 200), or None."""
    line = reply.split(b"\r\n", 1)[0].split(b"\n", 1)[0]
    fields = line.split()
    if len(fields) < 2 or not fields[0].startswith(b"RTSP/") or not fields[1].isdigit():
        return None
    return int(fields[1])


def rtsp_answers(url: str, timeout_s: float = 1.0) -> bool | None:
    """True when the camera's stream answers a DESCRIBE within ``timeout_s`` (200, 401 or 403);
    False when it refuses, times out or answers 404/5xx; None for a URL this cannot ask (RTP, UDP)."""
    uri = request_uri(url)
    if uri is None:
        return None
    parts = urlsplit(url)
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
        with socket.create_connection((parts.hostname, port), timeout=timeout_s) as raw:
            raw.settimeout(timeout_s)
            conn: socket.socket = raw
            if parts.scheme == "rtsps":
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE     # cameras use self-signed certificates; no secret is sent
                conn = context.wrap_socket(raw, server_hostname=parts.hostname)
            conn.sendall((f"DESCRIBE {uri} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n"
                          "User-Agent: noblindspot-check\r\n\r\n").encode("ascii", "strict"))
            reply = b""
            while b"\n" not in reply and len(reply) < REPLY_LIMIT:
                chunk = conn.recv(REPLY_LIMIT)
                if not chunk:
                    break
                reply += chunk
    except (OSError, ValueError, UnicodeError):
        return False
    return status_code(reply) in ANSWERING


class CheckBudget:
    """A token bucket: at most ``per_second`` checks a second across every feed, bursts up to ``burst``.

    A thousand dead cameras in backoff then cost at most ``per_second`` connection attempts a second
    between them, however many there are; a feed that finds the budget spent tries again a second later.
    """

    def __init__(self, per_second: float = 50.0, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.per_second = per_second
        self.burst = burst if burst is not None else per_second
        self._clock = clock
        self._tokens = self.burst
        self._at = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.per_second)
            self._at = now
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True


DEFAULT_BUDGET = CheckBudget()
