"""The HTTP headers a hardened web application sends, for the dashboard's Streamlit server.

Streamlit has no setting for response headers, so ``dashboard/server.py`` serves the app as an
``st.App`` with this ASGI middleware around it. Every HTTP response gets:

* ``Content-Security-Policy: frame-ancestors 'self'`` and ``X-Frame-Options: SAMEORIGIN``: no
  other site may frame the dashboard (clickjacking), while Streamlit's own component frames,
  served from the dashboard itself, still load;
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (an address with a camera
  code never leaves in a Referer), ``Cross-Origin-Opener-Policy: same-origin`` and a
  ``Permissions-Policy`` that turns off the camera, microphone, location and payment APIs the
  dashboard never uses.

The full script and style policy is left out on purpose: Streamlit's page relies on inline styles
and scripts, so a strict ``script-src`` would break it; framing is what the policy must stop.

Streamlit's ``/_stcore/metrics`` (per-session figures, no credential) answers 404: the dashboard
has no use for it, and the relay's metrics are behind the operator credential.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": "frame-ancestors 'self'",
    "x-frame-options": "SAMEORIGIN",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HIDDEN_PATHS = ("/_stcore/metrics",)


def _with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    kept = [(name, value) for name, value in headers if name.lower().decode("latin-1") not in SECURITY_HEADERS]
    return kept + [(name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()]


class SecurityHeaders:
    """Pure ASGI middleware (WebSocket and streamed responses pass through untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if any(path == hidden or path.endswith(hidden) for hidden in HIDDEN_PATHS):
            await self._not_found(send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_security_headers(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    async def _not_found(send: Send) -> None:
        body = b"not found"
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 404, "headers": _with_security_headers(headers)})
        await send({"type": "http.response.body", "body": body})
