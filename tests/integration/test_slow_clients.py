"""Slow HTTP clients against a real uvicorn server with the relay's protocol (relay/slow_clients.py).

Raw sockets play the clients: one that stops in the middle of its headers, one that trickles them a
byte at a time, one that stops in its body, a well-behaved keep-alive client that pauses between
requests, and a few hundred idle half-requests next to a normal client. The deadlines are short
here (0.5 s) so each case ends quickly; the assertions are about what happens, not how fast.
"""
from __future__ import annotations

import asyncio
import socket
import time

import pytest

from relay.slow_clients import deadline_protocol
from tests.support.relay_api import ServerThread

HEADERS_S = 0.5
BODY_S = 0.5
KEEP_ALIVE_S = 5


async def app(scope, receive, send):
    """Answers GET /slow after 1 s and echoes the size of a POST body."""
    if scope["type"] == "lifespan":
        while True:
            kind = (await receive())["type"]
            await send({"type": f"{kind}.complete"})
            if kind == "lifespan.shutdown":
                return
    body, more = b"", True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            app.disconnects += 1
            return
        body += message.get("body", b"")
        more = message.get("more_body", False)
    if scope["path"] == "/slow":
        await asyncio.sleep(1.0)
    reply = f"ok {len(body)}".encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(reply)).encode())]})
    await send({"type": "http.response.body", "body": reply})


app.disconnects = 0


@pytest.fixture
def server():
    app.disconnects = 0
    thread = ServerThread(app, http=deadline_protocol(HEADERS_S, BODY_S), timeout_keep_alive=KEEP_ALIVE_S).start()
    yield thread
    thread.stop()


def connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection (or 10 s pass)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def request(sock: socket.socket, path: str = "/", raw: bytes | None = None) -> bytes:
    """Send one request and read its whole answer (every answer of the test app starts with "ok")."""
    sock.sendall(raw or f"GET {path} HTTP/1.1\r\nhost: relay\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data or not data.split(b"\r\n\r\n", 1)[1].startswith(b"ok"):
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection: {data!r}"
        data += chunk
    return data


def test_headers_that_stop_halfway_get_408_and_the_connection_closes(server):
    with connect(server) as sock:
        sock.sendall(b"GET /feeds HTTP/1.1\r\nhost: rel")
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout") and b"did not arrive in time" in answer


def test_a_trickle_of_header_bytes_does_not_keep_the_deadline_away(server):
    line = b"GET / HTTP/1.1\r\nhost: relay\r\nx-padding: " + b"a" * 40 + b"\r\n\r\n"   # ~ 4 s at 0.1 s a byte
    with connect(server) as sock:
        sent = 0
        try:
            for byte in line:
                sock.sendall(bytes([byte]))
                sent += 1
                time.sleep(0.1)
        except OSError:          # the server closed the connection under us
            pass
        answer = read_all(sock) if sent < len(line) else b""
    assert sent < len(line), "the whole trickled request was accepted"
    assert answer.startswith(b"HTTP/1.1 408") or answer == b""


def test_a_body_that_stops_is_cut_off_and_the_application_sees_a_disconnect(server):
    with connect(server) as sock:
        sock.sendall(b"POST /upload HTTP/1.1\r\nhost: relay\r\ncontent-length: 100\r\n\r\n" + b"x" * 10)
        answer = read_all(sock)
    assert b"200 OK" not in answer
    deadline = time.monotonic() + 5
    while app.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert app.disconnects == 1


def test_a_kept_alive_client_may_pause_between_requests_and_a_slow_answer_is_not_cut(server):
    with connect(server) as sock:
        assert b"ok 0" in request(sock)
        time.sleep(3 * HEADERS_S)                    # idle between requests: the keep-alive time counts
        assert b"ok 0" in request(sock)
        assert b"ok 0" in request(sock, "/slow")      # the application takes longer than a deadline
        assert b"ok 5" in request(sock, raw=b"POST / HTTP/1.1\r\nhost: relay\r\ncontent-length: 5\r\n\r\nhello")


def test_hundreds_of_idle_half_requests_are_released_and_a_normal_client_is_served(server):
    idle = []
    for _ in range(300):
        sock = connect(server)
        sock.sendall(b"GET / HTTP/1.1\r\n")
        idle.append(sock)
    with connect(server) as sock:
        assert b"ok 0" in request(sock)
    closed = 0
    for sock in idle:
        with sock:
            if read_all(sock).startswith(b"HTTP/1.1 408"):
                closed += 1
    assert closed == len(idle)


def test_deadlines_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        deadline_protocol(0, 30)
