"""The relay's HTTP API (FastAPI): feeds control, HLS with signed tokens, health, metrics, check page.

``create_app(manager, settings)`` builds the app; nothing happens at import. Control and feed
endpoints need the operator bearer credential; HLS needs a token from ``relay.tokens`` bound to the
camera; responses never carry stream URLs.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from db.feeds import FeedConsentRefused, FeedError, FeedNotFound, FeedRecord, FeedSourceRefused
from geo.feed_health import FAILING_STATES
from geo.vocabulary import AudioPolicy, FeedMode, FeedState
from relay import hls
from relay.api_audit import USER_HEADER, ApiAudit, AuditUnavailable, claimed_user
from relay.api_models import (
    ActionResult,
    ErrorBody,
    FeedDetail,
    FeedList,
    FeedOptions,
    FeedUpdate,
    FeedView,
    Health,
    ProfileView,
    TokenGrant,
    TokenRequest,
)
from relay.config import RelayConfigError
from relay.errors import RelayMediaError
from relay.intake import IntakeRefused, IntakeSettings, intake_router, refusal_response
from relay.manager import (
    FeedElsewhere,
    FeedIsOff,
    FeedManager,
    LimitReached,
    ShuttingDown,
    UnknownProfileError,
)
from relay.metrics import CONTENT_TYPE, ServedBytes, make_registry, render
from relay.profiles import DEFAULT_PROFILE, LOW_BITRATE_PROFILE, PROFILES, UnknownProfile
from relay.rate_limit import RateLimiter
from relay.tokens import SecretTooShort, TokenError, mint_windowed, secret_bytes, verify_token

log = logging.getLogger(__name__)
CHECK_PAGE_DIR = Path(__file__).resolve().parent / "check_page"
HLS_JS_DEFAULT = Path(__file__).resolve().parents[1] / "node_modules" / "hls.js" / "dist" / "hls.min.js"
NO_STORE = {"Cache-Control": "no-store"}
BEARER = HTTPBearer(auto_error=False)   # a plain description of the Authorization header: no I/O


@dataclass(frozen=True)
class ApiSettings:
    operator_token: SecretStr
    hls_secret: SecretStr
    playlist_wait_s: float = 8.0      # how long a first playlist request waits for ffmpeg's first segment
    hls_per_client_s: float = 500.0   # HLS requests a second from one address (a 16-tile wall: ~40; NAT) ...
    hls_per_token_s: float = 20.0     # ... and from one address with one viewer's token (a player: 2-3)
    hls_js_path: Path = HLS_JS_DEFAULT

    def __post_init__(self) -> None:
        """Refuse secrets no request could work with (an open API, an HMAC that fails with 500)."""
        if self.operator_token is None or not self.operator_token.get_secret_value():
            raise RelayConfigError("the relay operator token is empty, so anyone could control the relay; "
                                   "set NOBLINDSPOT_RELAY_OPERATOR_TOKEN (or run `noblindspot up` once)")
        try:
            secret_bytes(self.hls_secret)
        except SecretTooShort as exc:
            raise RelayConfigError(str(exc)) from None


_ERRORS = [(FeedNotFound, 404), (LimitReached, 429), (FeedIsOff, 409), (FeedElsewhere, 409),
           (FeedConsentRefused, 403), (FeedSourceRefused, 422), (UnknownProfileError, 422), (FeedError, 422),
           (ShuttingDown, 503), (UnknownProfile, 422), (RelayMediaError, 422), (AuditUnavailable, 503)]
_ACTION_ERRORS: tuple[type[Exception], ...] = tuple(kind for kind, _ in _ERRORS)

# What each error status means, for the OpenAPI document; every error body is ErrorBody.
_ERROR_TEXT = {
    400: "the body is not readable JSON",
    401: "no operator credential, or a wrong one (Authorization: Bearer ...)",
    403: "refused: no live, unexpired owner consent, or an HLS token that is missing, expired or for "
         "another camera",
    404: "no such feed (or segment)",
    409: "the feed is off, or another relay node serves it",
    422: "the request or the change it asks for is not acceptable (the detail says which field and why)",
    429: "a relay limit is reached, or this client asks too often (see Retry-After)",
    503: "the relay is shutting down, the feed is not ready yet (see Retry-After), or the audit log "
         "cannot be written",
}


def _errors(*codes: int) -> dict[int | str, dict]:
    return {code: {"model": ErrorBody, "description": _ERROR_TEXT[code]} for code in codes}


def _validation_text(exc: RequestValidationError) -> str:
    """One line naming each refused field, e.g. ``body.mode: Input should be 'off', ...``."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'not acceptable')}")
    return "; ".join(parts)[:2000] or "the request is not acceptable"


def _status_for(exc: Exception) -> int:
    for kind, code in _ERRORS:
        if isinstance(exc, kind):
            return code
    raise exc


def _view(manager: FeedManager, record: FeedRecord, detail: bool = False) -> FeedView:
    data = {k: getattr(record, k) for k in FeedView.model_fields if hasattr(record, k)}
    data["hls_path"] = f"/hls/{record.camera_code}/{hls.PLAYLIST}"
    status = manager.local_status(record.camera_code)
    if record.node_id in (None, manager.config.node_id):
        data["demand"] = manager.demand_state(record.camera_code)
    if status is not None:
        data.update(state=status.state, state_since=status.since, fps=status.fps,
                    bitrate_kbps=status.bitrate_kbps, codec=status.codec, width=status.width,
                    height=status.height, restarts=status.restarts, last_error=status.last_error,
                    transcoding=status.transcoding, segment_age_s=status.segment_age_s, served_here=True,
                    node_id=manager.config.node_id, node_url=manager.config.public_url)
    if detail:
        return FeedDetail(**data, log_tail=list(status.stderr_tail) if status is not None else [])
    return FeedView(**data)


def feed_options() -> FeedOptions:
    profiles = [ProfileView(name=p.name, transcode=p.transcode, height=p.height,
                            video_bitrate_kbps=p.video_bitrate_kbps, max_fps=p.max_fps) for p in PROFILES.values()]
    return FeedOptions(profiles=profiles, default_profile=DEFAULT_PROFILE, low_bitrate_profile=LOW_BITRATE_PROFILE,
                       audio=list(AudioPolicy), modes=list(FeedMode))


def _code(camera_code: str) -> str:
    try:
        return hls.check_camera_code(camera_code)
    except hls.UnsafeName:
        raise HTTPException(404, "no such feed") from None


def create_app(manager: FeedManager, settings: ApiSettings, lifespan=None,
               trail: ApiAudit | None = None, intake: IntakeSettings | None = None) -> FastAPI:
    """The relay's ASGI app; ``lifespan`` (an async context manager factory) runs around serving;
    ``trail`` writes the audit events of control actions (by default into the manager's database);
    ``intake`` adds the owners' footage upload links (relay/intake.py)."""
    app = FastAPI(title="No Blindspot relay", version="1.0", lifespan=lifespan,
                  description="RTSP camera feeds as HLS for the No Blindspot dashboard. Every error "
                              "answers with a JSON body `{\"detail\": \"...\"}` that says what to do.")
    trail = trail or ApiAudit(manager.sessions())
    served = ServedBytes()
    registry = make_registry(manager, served)

    def operator(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> None:
        expected = settings.operator_token.get_secret_value().encode("utf-8")
        given = credentials.credentials.encode("utf-8") if credentials else b""
        if not hmac.compare_digest(given, expected):
            raise HTTPException(401, "operator credential required (Authorization: Bearer ...)",
                                headers={"WWW-Authenticate": "Bearer"})

    async def _domain_error(request: Request, exc: Exception):
        return JSONResponse({"detail": str(exc)}, status_code=_status_for(exc))

    for kind, _ in _ERRORS:
        app.add_exception_handler(kind, _domain_error)

    async def _invalid_request(request: Request, exc: Exception):
        assert isinstance(exc, RequestValidationError)
        return JSONResponse({"detail": _validation_text(exc)}, status_code=422)

    app.add_exception_handler(RequestValidationError, _invalid_request)

    @app.get("/healthz", response_model=Health, tags=["health"],
             responses={503: {"model": Health, "description": "the relay cannot reach its database"}})
    def healthz() -> JSONResponse:
        db = "ok" if manager.last_sync_error is None else manager.last_sync_error
        states = [status.state for status in manager.local_statuses().values()]
        body = Health(status="ok" if db == "ok" else "degraded", node_id=manager.config.node_id,
                      public_url=manager.config.public_url, local_feeds=len(states),
                      running=sum(1 for st in states if st == FeedState.RUNNING),
                      failing=sum(1 for st in states if st in FAILING_STATES), database=db)
        return JSONResponse(body.model_dump(), status_code=200 if db == "ok" else 503)

    # feed states, restarts and bytes per camera are operations data: the operator credential reads them
    # (Prometheus: `authorization: {credentials_file: ...}` in the scrape config)
    @app.get("/metrics", tags=["health"], response_class=Response, dependencies=[Depends(operator)],
             responses=_errors(401))
    def metrics() -> Response:
        return Response(render(registry), media_type=CONTENT_TYPE)

    _feed_routes(app, manager, operator, settings, trail)
    _hls_routes(app, manager, settings, served)
    _check_routes(app, settings)
    if intake is not None:
        app.add_exception_handler(IntakeRefused, refusal_response)
        app.include_router(intake_router(manager.sessions(), intake))
    return app


def _caller(request: Request) -> dict[str, str | None]:
    return {"client": request.client.host if request.client else None,
            "claimed": claimed_user(request.headers.get(USER_HEADER))}


def _feed_routes(app: FastAPI, manager: FeedManager, operator, settings: ApiSettings, trail: ApiAudit) -> None:
    guarded = [Depends(operator)]
    read_errors = _errors(401, 404, 422)
    control_errors = _errors(401, 403, 404, 409, 422, 429, 503)
    body_errors = _errors(400, 401, 403, 404, 409, 422, 429, 503)

    def audited(command: str, code: str, request: Request, run, changes: dict | None = None):
        """Run one control action and record it, refused or done (an HTTP 401 never gets here)."""
        caller = _caller(request)
        try:
            result = run()
        except _ACTION_ERRORS as exc:
            trail.control(command, code, **caller, outcome=f"refused ({_status_for(exc)})", reason=str(exc),
                          changes=changes)
            raise
        trail.control(command, code, **caller, outcome="done", changes=changes)
        return result

    @app.get("/api/feeds", response_model=FeedList, dependencies=guarded, tags=["feeds"], responses=_errors(401))
    def list_feeds() -> FeedList:
        views = [_view(manager, r) for r in manager.list_feeds()]
        return FeedList(node_id=manager.config.node_id, feeds=views)

    @app.get("/api/options", response_model=FeedOptions, dependencies=guarded, tags=["feeds"],
             responses=_errors(401))
    def options() -> FeedOptions:
        return feed_options()

    @app.get("/api/feeds/{camera_code}", response_model=FeedDetail, dependencies=guarded, tags=["feeds"],
             responses=read_errors)
    def get_feed(camera_code: str) -> FeedView:
        return _view(manager, manager.get_feed(_code(camera_code)), detail=True)

    def action(camera_code: str, name: str, request: Request) -> ActionResult:
        code = _code(camera_code)
        audited(name, code, request, lambda: getattr(manager, name)(code))
        return ActionResult(camera_code=code, action=name, feed=_view(manager, manager.get_feed(code)))

    @app.post("/api/feeds/{camera_code}/start", response_model=ActionResult, dependencies=guarded,
              tags=["feeds"], responses=control_errors)
    def start(camera_code: str, request: Request) -> ActionResult:
        return action(camera_code, "start", request)

    @app.post("/api/feeds/{camera_code}/stop", response_model=ActionResult, dependencies=guarded,
              tags=["feeds"], responses=control_errors)
    def stop(camera_code: str, request: Request) -> ActionResult:
        return action(camera_code, "stop", request)

    @app.post("/api/feeds/{camera_code}/restart", response_model=ActionResult, dependencies=guarded,
              tags=["feeds"], responses=control_errors)
    def restart(camera_code: str, request: Request) -> ActionResult:
        return action(camera_code, "restart", request)

    @app.put("/api/feeds/{camera_code}", response_model=FeedView, dependencies=guarded, tags=["feeds"],
             responses=body_errors)
    def update(camera_code: str, change: FeedUpdate, request: Request) -> FeedView:
        code = _code(camera_code)
        url = change.stream_url.get_secret_value() if change.stream_url is not None else None
        changes = {key: str(value) for key, value in
                   {"mode": change.mode, "profile": change.profile, "audio": change.audio}.items()
                   if value is not None}
        if url is not None:
            changes["source_address_changed"] = "yes"    # never the address: it may hold a password
        record = audited("update", code, request, changes=changes, run=lambda: manager.update(
            code, mode=change.mode, profile=change.profile, audio=change.audio, stream_url=url))
        return _view(manager, record)

    @app.post("/api/feeds/{camera_code}/token", response_model=TokenGrant, dependencies=guarded,
              tags=["feeds"], responses=_errors(400, 401, 404, 422, 503))
    def token(camera_code: str, grant: TokenRequest, request: Request) -> TokenGrant:
        record = manager.get_feed(_code(camera_code))
        minted = mint_windowed(settings.hls_secret, record.camera_code, grant.user, ttl=grant.ttl_s)
        expires_at = int(minted.split(".")[0])
        trail.token_granted(record.camera_code, grant.user, expires_at, purpose=grant.purpose, **_caller(request))
        return TokenGrant(camera_code=record.camera_code, token=minted, expires_at=expires_at,
                          hls_path=f"/hls/{record.camera_code}/{hls.PLAYLIST}",
                          node_url=record.node_url or manager.config.public_url)


def _hls_routes(app: FastAPI, manager: FeedManager, settings: ApiSettings, served: ServedBytes) -> None:
    cors = {"Access-Control-Allow-Origin": "*", **NO_STORE}

    def authorise(code: str, token: str | None) -> None:
        try:
            verify_token(settings.hls_secret, token, code)
        except TokenError as exc:
            raise HTTPException(403, str(exc), headers=cors) from None

    def elsewhere(request: Request, exc: FeedElsewhere) -> Response:
        public_url = exc.holder.public_url or ""
        base = urlsplit(public_url)
        if not base.scheme or not base.netloc:
            raise HTTPException(409, str(exc))
        target = f"{public_url.rstrip('/')}{request.url.path}?{request.url.query}"
        return RedirectResponse(target, status_code=307, headers=cors)

    per_client = RateLimiter(settings.hls_per_client_s, 2 * settings.hls_per_client_s)
    per_token = RateLimiter(settings.hls_per_token_s, 2 * settings.hls_per_token_s)

    def within_budget(request: Request, token: str | None) -> None:
        """429 with Retry-After for a client far beyond what players ask (checked before the token)."""
        host = request.client.host if request.client else "?"
        wait = per_client.take(host)
        if wait is None:
            wait = per_token.take((host, (token or "")[:200]))
        if wait is not None:
            raise HTTPException(429, "too many requests from this client; slow down",
                                headers={**cors, "Retry-After": str(max(1, math.ceil(wait)))})

    @app.get(f"/hls/{{camera_code}}/{hls.PLAYLIST}", tags=["hls"], response_class=Response,
             responses={200: {"content": {"application/vnd.apple.mpegurl": {}}, "description": "the playlist"},
                        307: {"description": "another relay node serves this feed: ask there"},
                        **_errors(403, 404, 409, 429, 503)})
    async def playlist(camera_code: str, request: Request, token: str | None = None) -> Response:
        within_budget(request, token)
        code = _code(camera_code)
        authorise(code, token)
        try:
            await asyncio.to_thread(manager.demand, code)
        except FeedElsewhere as exc:
            return elsewhere(request, exc)
        except (FeedNotFound, LimitReached, FeedIsOff, FeedSourceRefused, ShuttingDown, UnknownProfile,
                RelayMediaError) as exc:
            raise HTTPException(_status_for(exc), str(exc), headers=cors) from None
        text = await _wait_for_playlist(manager, code, settings.playlist_wait_s)
        if text is None:
            detail, retry_s = _not_ready(manager.local_status(code))
            raise HTTPException(503, detail, headers={**cors, "Retry-After": str(retry_s)})
        body = hls.rewrite_playlist(text, token or "").encode("utf-8")   # authorise() refused a missing token
        served.add(code, len(body))
        return Response(body, media_type="application/vnd.apple.mpegurl", headers=cors)

    @app.get("/hls/{camera_code}/{name}", tags=["hls"], response_class=Response,
             responses={200: {"content": {"video/mp2t": {}, "video/mp4": {}}, "description": "a segment"},
                        **_errors(403, 404, 429)})
    def segment(camera_code: str, name: str, request: Request, token: str | None = None) -> Response:
        within_budget(request, token)
        code = _code(camera_code)
        authorise(code, token)
        try:
            path = hls.media_path(manager.feed_dir(code), name)
        except hls.UnsafeName:
            raise HTTPException(404, "no such segment", headers=cors) from None
        try:
            body = path.read_bytes()   # whole: ffmpeg may delete the file while it is being sent
        except (FileNotFoundError, IsADirectoryError):
            raise HTTPException(404, "no such segment (it may have rotated out; reload the playlist)",
                                headers=cors) from None
        manager.touch(code)
        served.add(code, len(body))
        media = "video/mp2t" if path.suffix == ".ts" else "video/mp4"
        return Response(body, media_type=media, headers=cors)


def _not_ready(status) -> tuple[str, int]:
    """Why a playlist is not there yet, and when to ask again: starting, or a camera that does not answer."""
    if status is None or status.state in (FeedState.STARTING, FeedState.RUNNING):
        return "the feed is starting; try again in a moment", 1
    retry_s = max(1, math.ceil(status.next_retry_s)) if status.next_retry_s is not None else 5
    reason = f" ({status.last_error})" if status.last_error else ""
    return f"the camera does not answer{reason}; the relay tries again in {retry_s} s", retry_s


async def _wait_for_playlist(manager: FeedManager, code: str, wait_s: float) -> str | None:
    """The playlist once it lists a segment (the viewer counts as watching while waiting)."""
    path = manager.feed_dir(code) / hls.PLAYLIST
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        manager.touch(code)
        try:
            text = path.read_text(encoding="utf-8")
            if "#EXTINF" in text:
                manager.mark_ready(code)
                return text
        except (FileNotFoundError, UnicodeDecodeError):
            pass
        if loop.time() >= deadline:
            return None
        await asyncio.sleep(0.1)


def _check_routes(app: FastAPI, settings: ApiSettings) -> None:
    page_headers = {"Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                               "media-src 'self' blob:; "
                                               "worker-src 'self' blob:; object-src 'none'",
                    "Referrer-Policy": "no-referrer", **NO_STORE}

    @app.get("/check/{camera_code}", tags=["check"], response_class=FileResponse,
             responses={200: {"content": {"text/html": {}}, "description": "the check page"}, **_errors(404)})
    def check_page(camera_code: str) -> Response:
        _code(camera_code)
        return FileResponse(CHECK_PAGE_DIR / "index.html", media_type="text/html", headers=page_headers)

    @app.get("/static/check.js", tags=["check"], response_class=FileResponse,
             responses={200: {"content": {"text/javascript": {}}, "description": "the check page's script"}})
    def check_script() -> Response:
        return FileResponse(CHECK_PAGE_DIR / "check.js", media_type="text/javascript", headers=NO_STORE)

    @app.get("/static/hls.min.js", tags=["check"], response_class=FileResponse,
             responses={200: {"content": {"text/javascript": {}}, "description": "hls.js"}, **_errors(503)})
    def hls_js() -> Response:
        if not settings.hls_js_path.is_file():
            raise HTTPException(503, "hls.js is not installed; run `npm ci` in the repository root")
        return FileResponse(settings.hls_js_path, media_type="text/javascript")
