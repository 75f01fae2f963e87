"""The camera check: what goes on the wire, how replies are read, the shared budget (a real socket)."""
from __future__ import annotations

import socket
import threading

import pytest

from relay.reach import CheckBudget, request_uri, rtsp_answers, status_code


class OneReplyServer:
    """A TCP server on localhost that records the request and answers one status line."""

    def __init__(self, reply: bytes | None) -> None:
        self.reply, self.received = reply, b""
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.settimeout(2)
            while b"\r\n\r\n" not in self.received:
                chunk = conn.recv(1024)
                if not chunk:
                    break
                self.received += chunk
            if self.reply is not None:
                conn.sendall(self.reply)
            else:
                threading.Event().wait(1.5)      # says nothing: the check must give up on its own

    def close(self) -> None:
        self.thread.join(timeout=3)
        self.sock.close()


@pytest.mark.parametrize(("reply", "answers"), [
    (b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n", True),
    (b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\r\n", True),
    (b"RTSP/1.0 404 Not Found\r\nCSeq: 1\r\n\r\n", False),
    (b"RTSP/1.0 503 Service Unavailable\r\n\r\n", False),
    (b"HTTP/1.1 200 OK\r\n\r\n", False),
])
def test_the_status_line_decides_and_no_credential_goes_on_the_wire(reply, answers):
    server = OneReplyServer(reply)
    try:
        url = f"rtsp://admin:s3cret%40x@127.0.0.1:{server.port}/cam/01?password=hunter2&ch=1"
        assert rtsp_answers(url, timeout_s=2.0) is answers
    finally:
        server.close()
    line = server.received.split(b"\r\n")[0]
    assert line == f"DESCRIBE rtsp://127.0.0.1:{server.port}/cam/01?password=hunter2&ch=1 RTSP/1.0".encode()
    assert b"admin" not in server.received and b"s3cret" not in server.received


def test_a_camera_that_says_nothing_is_silent_within_the_time_out():
    server = OneReplyServer(None)
    try:
        assert rtsp_answers(f"rtsp://127.0.0.1:{server.port}/x", timeout_s=0.3) is False
    finally:
        server.close()


def test_a_closed_port_and_an_unknown_host_are_silent_and_rtp_cannot_be_asked():
    free = socket.create_server(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    assert rtsp_answers(f"rtsp://127.0.0.1:{port}/x", timeout_s=0.5) is False
    assert rtsp_answers("rtsp://no-such-camera.invalid/x", timeout_s=0.5) is False
    assert rtsp_answers("rtp://239.0.0.1:5004", timeout_s=0.5) is None
    assert rtsp_answers("rtsp:///nohost", timeout_s=0.5) is None


def test_request_uri_and_status_code():
    assert request_uri("rtsp://u:p@[::1]:8554/a") == "rtsp://[::1]:8554/a"
    assert request_uri("rtsps://cam.example/") == "rtsps://cam.example/"
    assert request_uri("http://cam.example/") is None
    assert status_code(b"RTSP/1.0 200 OK\r\n") == 200
    assert status_code(b"RTSP/1.0 abc\r\n") is None
    assert status_code(b"") is None


def test_budget_refills_at_its_rate_and_never_beyond_its_burst():
    now = [0.0]
    budget = CheckBudget(per_second=2, burst=2, clock=lambda: now[0])
    assert [budget.take() for _ in range(3)] == [True, True, False]
    now[0] += 0.5
    assert budget.take() is True and budget.take() is False
    now[0] += 100
    assert sum(budget.take() for _ in range(10)) == 2
    with pytest.raises(ValueError):
        CheckBudget(per_second=0)
