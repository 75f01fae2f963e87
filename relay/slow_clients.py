"""Deadlines for slow HTTP clients: a request's headers, then its body, must arrive in time.

uvicorn's h11 protocol waits as long as a client likes for the rest of a request's headers, so a
thousand connections that send one header byte at a time hold a thousand sockets (slowloris).
``DeadlineH11Protocol`` adds the two deadlines a hardened server keeps (nginx's
``client_header_timeout`` / ``client_body_timeout``, Apache's ``mod_reqtimeout``):

* **headers**: from the connection being opened, or from the first byte of the next request on a
  kept-alive connection, to the end of the request's headers: ``header_timeout_s`` (10 s);
* **body**: from the end of the headers to the end of the body: ``body_timeout_s`` (30 s).

A client past a deadline gets ``408 Request Timeout`` when no response has begun, and the
connection is closed; an application waiting for the body sees a disconnect. An idle kept-alive
connection is uvicorn's own ``timeout_keep_alive``. The phase a connection is in follows h11's view
of the client (``IDLE`` = waiting for headers, ``SEND_BODY``, ``DONE``), so nothing here parses HTTP.

Use: ``uvicorn.Config(app, http=deadline_protocol(10, 30))``.
"""
from __future__ import annotations

import asyncio
import logging
from enum import StrEnum

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 30.0
REQUEST_TIMEOUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                   b"connection: close\r\ncontent-length: 46\r\n\r\n"
                   b"the request did not arrive in time; send again")


class Phase(StrEnum):
    HEADERS = "headers"    # the request's headers are on their way (the deadline runs)
    BODY = "body"          # headers complete, the body is on its way (the deadline runs)
    SERVED = "served"      # the request is complete, or the connection waits between requests


class DeadlineH11Protocol(H11Protocol):
    header_timeout_s: float = HEADER_TIMEOUT_S
    body_timeout_s: float = BODY_TIMEOUT_S

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.phase = Phase.HEADERS
        self._deadline: asyncio.TimerHandle | None = None
        self._arm(self.header_timeout_s)
        self.timed_out: Phase | None = None

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def data_received(self, data: bytes) -> None:
        if self.phase is Phase.SERVED and self.conn.their_state is h11.IDLE:
            self.phase = Phase.HEADERS          # the first byte of the next request: its clock starts
            self._arm(self.header_timeout_s)
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def _follow(self) -> None:
        """Move the deadline with h11's view of the client's request."""
        their = self.conn.their_state
        if their is h11.SEND_BODY and self.phase is Phase.HEADERS:
            self.phase = Phase.BODY
            self._arm(self.body_timeout_s)
        elif their in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR) and self.phase is not Phase.SERVED:
            self.phase = Phase.SERVED
            self._disarm()
        elif their is h11.IDLE and self.phase is Phase.BODY:   # a new cycle began after the response
            self.phase = Phase.SERVED
            self._disarm()

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or self.phase is Phase.SERVED:
            return
        self.timed_out = self.phase
        log.debug("closing a connection from %s: its request's %s did not arrive in time", self.client, self.phase)
        if self.conn.our_state is h11.IDLE:          # no response has begun: say why before closing
            self.transport.write(REQUEST_TIMEOUT)
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def deadline_protocol(header_timeout_s: float = HEADER_TIMEOUT_S,
                      body_timeout_s: float = BODY_TIMEOUT_S) -> type[DeadlineH11Protocol]:
    """The protocol class for ``uvicorn.Config(http=...)`` with these deadlines."""
    if header_timeout_s <= 0 or body_timeout_s <= 0:
        raise ValueError("the header and body time-outs must be positive seconds")
    return type("DeadlineH11ProtocolConfigured", (DeadlineH11Protocol,),
                {"header_timeout_s": float(header_timeout_s), "body_timeout_s": float(body_timeout_s)})
