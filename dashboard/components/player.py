"""The live player: an iframe running hls.js (from npm, served by the relay) against one feed.

The browser only ever receives the relay's public URL, the camera code and a signed token the relay
minted for this user and camera (the dashboard asks for it with its operator credential and never holds
the signing secret); the camera's stream URL stays in the database and in the relay. hls.js is tuned
for live viewing: it starts two segments behind the live edge, speeds up to catch up when it falls
behind, and the page shows what is happening (connecting, live, offline with the reason, retrying).
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import streamlit as st

from dashboard import deps
from dashboard.components import audit_hooks, purpose_gate, relay_access
from dashboard.components.player_script import PLAYER_JS
from dashboard.i18n import _
from geo.feed_health import feed_health, player_down
from geo.purpose import Purpose
from geo.vocabulary import Connection
from relay.api_models import FeedView
from relay.runtime import PLAYLIST

# The relay mints the same token for every request inside a window of TOKEN_TTL_S / 2 (relay/tokens.py
# mint_windowed), so reruns produce the same page and the browser keeps the iframe (and its video)
# instead of reloading it; a token stays valid at least an hour after any render.
TOKEN_TTL_S = 2 * 3600
RETRY_BACKOFF_S = (1, 2, 5, 10, 30)
STALL_AFTER_S = 8
HLS_SCRIPT_PATH = "/static/hls.min.js"


@dataclass(frozen=True)
class PlayerSource:
    """What the browser may know about a feed: where hls.js and the signed playlist are."""

    script_url: str
    playlist_url: str
    camera_code: str


@dataclass(frozen=True)
class PlayerOptions:
    low_bitrate: bool = False
    reason: str | None = None          # the relay's reason when the feed is not running
    offline: bool = False              # the relay says the feed is down: start in the offline state
    labels: dict[str, str] = field(default_factory=dict)


def public_base_url(settings) -> str:
    """The relay address browsers use (may differ from the address the dashboard server uses)."""
    return (settings.relay_public_url or settings.relay_url).rstrip("/")


def player_source(base_url: str, camera_code: str, token: str, hls_path: str | None = None) -> PlayerSource:
    """Where the browser fetches hls.js and the playlist; ``hls_path`` is the relay's (TokenGrant.hls_path)."""
    base = base_url.rstrip("/")
    path = hls_path or f"/hls/{quote(camera_code, safe='')}/{PLAYLIST}"
    playlist = f"{base}{path}?{urlencode({'token': token})}"
    return PlayerSource(script_url=base + HLS_SCRIPT_PATH, playlist_url=playlist, camera_code=camera_code)


def _script_json(value) -> str:
    """JSON that is safe inside a <script> element (no '</script>' or '<!--' can appear)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def player_config(source: PlayerSource, options: PlayerOptions) -> dict:
    return {
        "scriptUrl": source.script_url,
        "playlistUrl": source.playlist_url,
        "lowBitrate": options.low_bitrate,
        "initialReason": options.reason or "",
        "startOffline": options.offline,
        "backoff": list(RETRY_BACKOFF_S),
        "stallAfter": STALL_AFTER_S,
        "labels": options.labels,
    }


def player_html(source: PlayerSource, options: PlayerOptions, script: str) -> str:
    """The whole iframe document. Text from the database or relay is escaped or set via textContent."""
    title = html.escape(source.camera_code)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><style>
html,body{{margin:0;height:100%;background:#000;overflow:hidden;font-family:system-ui,sans-serif}}
.nbs-player{{position:relative;width:100%;height:100%}}
video{{width:100%;height:100%;object-fit:contain;background:#111;display:block}}
.nbs-badge{{position:absolute;top:6px;left:6px;padding:2px 8px;border-radius:4px;font-size:13px;
  color:#fff;background:#0b5cad}}
.nbs-badge[data-state=live]{{background:#1a7f37}}
.nbs-badge[data-state=offline]{{background:#b42318}}
.nbs-badge[data-state=retrying]{{background:#9a6700}}
.nbs-title{{position:absolute;top:6px;right:6px;color:#fff;font-size:12px;background:rgba(0,0,0,.55);
  padding:2px 6px;border-radius:4px}}
.nbs-reason{{position:absolute;left:6px;right:6px;bottom:6px;color:#fff;font-size:12px;
  background:rgba(0,0,0,.6);padding:2px 6px;border-radius:4px}}
.nbs-reason:empty{{display:none}}
</style></head>
<body data-state="connecting">
<div class="nbs-player">
<video id="nbs-video" muted autoplay playsinline></video>
<div class="nbs-badge" id="nbs-badge" data-state="connecting"></div>
<div class="nbs-title">{title}</div>
<div class="nbs-reason" id="nbs-reason"></div>
</div>
<script>window.NBS_PLAYER = {_script_json(player_config(source, options))};</script>
<script>{script}</script>
</body></html>"""


def player_labels() -> dict[str, str]:
    return {
        "connecting": _("Connecting…"),
        "live": _("Live"),
        "offline": _("Offline"),
        "retrying": _("Retrying in {seconds} s"),
        "unreachable": _("The relay cannot be reached; check that it is running."),
        "refused": _("Access refused or expired; reload the page for a new token."),
        "notFound": _("The relay has no such feed running; start it on the Feeds page."),
        "busy": _("The relay is at its limit of running feeds; stop another feed or try later."),
        "starting": _("The feed is starting; the video follows in a moment."),
        "stalled": _("The video stopped advancing; reconnecting."),
        "media": _("The browser could not decode the video."),
        "unsupported": _("This browser cannot play HLS video."),
    }


def offline_reason(feed: FeedView | None) -> tuple[bool, str | None]:
    """Whether the feed is down (geo.feed_health.player_down), and its reason, from the relay's view."""
    if feed is None:
        return False, None
    down = player_down(feed_health(Connection.CONNECTED, feed.mode, feed.state))
    # Only a feed that is down carries a reason into the page: a running feed's page stays byte-identical
    # across refreshes (an old last_error clearing must not reload the video).
    if not down:
        return False, None
    return True, feed.last_error or feed.state.value


def render_player(camera_code: str, user: str, *, height: int = 360, low_bitrate: bool = False,
                  feed: FeedView | None = None, purpose: Purpose | None = None) -> None:
    """Embed a live player for one camera, with a token the relay minted for this user.

    ``feed`` is the relay's view of the feed (relay/api_models.FeedView): its reason is shown while the
    feed is down, and its ``node_url`` says which relay node serves it when the relay runs on several.
    ``purpose`` is why the user looks (an incident page passes its case); without one the session's
    purpose is used, and when there is none yet the player asks for it and plays nothing until then.
    """
    purpose = purpose or purpose_gate.ask(f"player_{camera_code}")
    if purpose is None:
        return
    settings = deps.settings()
    try:
        grant = deps.relay_client().hls_token(camera_code, user, ttl_s=TOKEN_TTL_S, purpose=purpose.audit_value)
    except relay_access.relay_errors() as exc:
        st.warning(relay_access.describe_for_viewer(exc))
        return
    audit_hooks.live_view(user, camera_code, grant.expires_at, purpose.audit_value)
    node_url = feed.node_url if feed is not None else None
    source = player_source(node_url or public_base_url(settings), camera_code, grant.token, grant.hls_path)
    down, reason = offline_reason(feed)
    options = PlayerOptions(low_bitrate=low_bitrate, reason=reason, offline=down, labels=player_labels())
    st.iframe(player_html(source, options, PLAYER_JS), height=height)
