"""RelayClient: the dashboard's way to control the relay over its HTTP API.

Thread-safe (one httpx.Client) so the dashboard can cache one instance. Every failure is one of two
exception types with a message fit to show: RelayUnavailable (cannot reach the relay, or it broke)
and RelayRefused (the relay answered and said no, with its reason and HTTP status).
"""
from __future__ import annotations

from typing import Any, Self
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from geo.vocabulary import AudioPolicy, FeedMode
from relay.api_audit import USER_HEADER
from relay.api_models import ActionResult, FeedDetail, FeedList, FeedOptions, FeedView, Health, TokenGrant


class RelayClientError(Exception):
    """Base of the relay client's errors."""


class RelayUnavailable(RelayClientError):
    """The relay did not answer, or answered with a server error."""


class RelayRefused(RelayClientError):
    """The relay refused the request (limit reached, unknown feed, bad input, wrong credential)."""

    def __init__(self, reason: str, status_code: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


def _reason(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list):   # FastAPI validation errors
        detail = "; ".join(f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg')}" for d in detail)
    return str(detail or response.reason_phrase or f"HTTP {response.status_code}")


class RelayClient:
    def __init__(self, base_url: str, operator_token: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout,
                                  headers={"Authorization": f"Bearer {operator_token}"})

    def __repr__(self) -> str:
        return f"RelayClient({self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, method: str, path: str, on_behalf_of: str | None = None, **kwargs) -> Any:
        """One request; ``on_behalf_of`` names the signed-in user for the relay's audit events."""
        headers = {USER_HEADER: on_behalf_of} if on_behalf_of else None
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException:
            raise RelayUnavailable(f"the relay at {self.base_url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise RelayUnavailable(f"cannot reach the relay at {self.base_url} ({type(exc).__name__})") from None
        if response.status_code == 401:
            raise RelayRefused("the relay rejected the operator credential; check NOBLINDSPOT_RELAY_OPERATOR_TOKEN "
                               "on both sides", 401)
        if 400 <= response.status_code < 500:
            raise RelayRefused(_reason(response), response.status_code)
        if response.status_code >= 500 and path != "/healthz":
            raise RelayUnavailable(f"the relay at {self.base_url} failed: {_reason(response)}")
        try:
            return response.json()
        except ValueError:
            raise RelayUnavailable(f"the relay at {self.base_url} sent an unreadable answer") from None

    @staticmethod
    def _path(camera_code: str, suffix: str = "") -> str:
        return f"/api/feeds/{quote(camera_code, safe='')}{suffix}"

    def _parse(self, model, data):
        try:
            return model.model_validate(data)
        except ValidationError:
            raise RelayUnavailable(f"the relay at {self.base_url} sent an answer this dashboard does not "
                                   "understand; are both on the same version?") from None

    def healthz(self) -> Health:
        return self._parse(Health, self._call("GET", "/healthz"))

    def list_feeds(self) -> list[FeedView]:
        return self._parse(FeedList, self._call("GET", "/api/feeds")).feeds

    def get_feed(self, camera_code: str) -> FeedDetail:
        return self._parse(FeedDetail, self._call("GET", self._path(camera_code)))

    def start(self, camera_code: str, on_behalf_of: str | None = None) -> FeedView:
        return self._parse(ActionResult, self._call("POST", self._path(camera_code, "/start"),
                                                    on_behalf_of=on_behalf_of)).feed

    def stop(self, camera_code: str, on_behalf_of: str | None = None) -> FeedView:
        return self._parse(ActionResult, self._call("POST", self._path(camera_code, "/stop"),
                                                    on_behalf_of=on_behalf_of)).feed

    def restart(self, camera_code: str, on_behalf_of: str | None = None) -> FeedView:
        return self._parse(ActionResult, self._call("POST", self._path(camera_code, "/restart"),
                                                    on_behalf_of=on_behalf_of)).feed

    def options(self) -> FeedOptions:
        """The profiles, audio policies and modes the relay accepts."""
        return self._parse(FeedOptions, self._call("GET", "/api/options"))

    def update(self, camera_code: str, mode: FeedMode | None = None, profile: str | None = None,
               audio: AudioPolicy | None = None, stream_url: str | None = None,
               on_behalf_of: str | None = None) -> FeedView:
        body = {k: v for k, v in {"mode": FeedMode(mode) if mode is not None else None, "profile": profile,
                                  "audio": AudioPolicy(audio) if audio is not None else None,
                                  "stream_url": stream_url}.items() if v is not None}
        return self._parse(FeedView, self._call("PUT", self._path(camera_code), json=body,
                                                on_behalf_of=on_behalf_of))

    def hls_token(self, camera_code: str, user: str, ttl_s: float = 300, purpose: str | None = None) -> TokenGrant:
        """A signed HLS token for this user and camera (the same one for every call in a window of
        ttl_s / 2: relay/tokens.py mint_windowed), so the dashboard never holds the signing secret."""
        body = {"user": user, "ttl_s": ttl_s, **({"purpose": purpose} if purpose else {})}
        return self._parse(TokenGrant, self._call("POST", self._path(camera_code, "/token"), json=body,
                                                  on_behalf_of=user))
