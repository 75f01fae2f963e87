"""A seeded dashboard for the AppTest and browser suites: a small registry, users, free ports, AppTest setup."""
from __future__ import annotations

import os
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import shapely
from sqlalchemy.orm import Session

from db.engine import make_engine, make_session_factory
from db.models import Camera, District, DutyUnit, Feed, Owner, Post, RelayNode
from db.repositories import bump_version
from geo.vocabulary import (
    CameraKind,
    Connection,
    ConsentLevel,
    DistrictLevel,
    FeedMode,
    FeedState,
    OwnerClass,
    PostKind,
)

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
XSS_NAME = "<img src=x onerror=alert(1)>"

# Two kecamatan side by side in West Jakarta, each with one kelurahan.
KECAMATAN = [("31.73.01", "Cengkareng", (106.70, -6.18, 106.76, -6.13)),
             ("31.73.02", "Grogol Petamburan", (106.76, -6.18, 106.82, -6.13))]


def _box(bounds):
    return shapely.box(*bounds).wkb


RELAY_ALIVE_FOR = timedelta(hours=2)   # the seeded relay node's heartbeat stays fresh this long


def seed_database(url: str, connected_fault: bool = True, relay_up: bool = True) -> dict[str, list[str]]:
    """A small registry: 2 kecamatan (+1 kelurahan each), 4 owners, 12 cameras, posts and duty units.

    With ``relay_up`` a relay node's heartbeat is written that stays fresh for the tests' duration
    (a real relay beats every sync; no relay runs in these tests).

    Returns the camera codes by kind of marker: healthy, fault, registered.
    """
    engine = make_engine(url)
    now = datetime.now(UTC)
    codes = {"healthy": [], "fault": [], "registered": []}
    with make_session_factory(engine).begin() as s:
        parents = {}
        for code, name, bounds in KECAMATAN:
            parent = District(code=code, name=name, level=DistrictLevel.KECAMATAN, population=300_000,
                              area_km2=20.0, geometry_wkb=_box(bounds), synthetic=True)
            s.add(parent)
            s.flush()
            parents[code] = parent
            s.add(District(code=code + ".1001", name=f"{name} Satu", level=DistrictLevel.KELURAHAN,
                           parent_id=parent.id, population=100_000, area_km2=5.0,
                           geometry_wkb=_box((bounds[0], bounds[1], bounds[0] + 0.03, bounds[3])), synthetic=True))
        owners = [Owner(code=f"OWN-{c.value}", name=f"Owner {c.value}", owner_class=c, phone="+62 21 555 0101",
                        email=f"{c.value}@example.org") for c in OwnerClass]
        s.add_all(owners)
        s.flush()
        cameras = _cameras(owners, parents)
        s.add_all(cameras)
        s.flush()
        for cam in cameras:
            if cam.connection == Connection.CONNECTED:
                fault = connected_fault and cam.code.endswith("02")
                s.add(Feed(camera_id=cam.id, mode=FeedMode.ON_DEMAND,
                           state=FeedState.STALLED if fault else FeedState.RUNNING, state_since=now,
                           last_error="no segments for 12 s" if fault else None))
                codes["fault" if fault else "healthy"].append(cam.code)
            else:
                codes["registered"].append(cam.code)
        _posts(s, parents, now)
        if relay_up:
            s.add(RelayNode(node_id="seeded-node", public_url="http://127.0.0.1:8090",
                            heartbeat_at=now + RELAY_ALIVE_FOR, started_at=now))
        bump_version(s)
    engine.dispose()
    return codes


def _cameras(owners, parents) -> list[Camera]:
    cameras = []
    for i in range(12):
        kec = list(parents.values())[i % 2]
        connected = i < 4
        name = XSS_NAME if i == 5 else f"Kamera Jalan {i:02d}"
        cameras.append(Camera(
            code=f"CAM-{i + 1:02d}", name=name, lon=106.73 + (i % 2) * 0.06 + (i // 2) * 0.002,
            lat=-6.155 + (i // 2) * 0.001, address=f"Jl. Contoh No. {i + 1}", district_id=kec.id,
            owner_id=owners[i % 4].id, kind=CameraKind.FIXED, bearing_deg=90.0, fov_deg=90.0, range_m=30.0,
            height_m=4.0, connection=Connection.CONNECTED if connected else Connection.REGISTERED,
            consent=(ConsentLevel.LIVE if connected
                     else ConsentLevel.ON_REQUEST if i % 3 else ConsentLevel.REGISTRY_ONLY),
            dvr_retention_days=14, sticker_installed=bool(i % 2),
            stream_url=f"rtsp://admin:secret{i}@10.0.0.{i + 1}/stream" if connected else None))
    return cameras


def _posts(s: Session, parents, now) -> None:
    for n, kec in enumerate(parents.values()):
        post = Post(code=f"POLSEK-{n + 1}", kind=PostKind.POLSEK, name=f"Polsek {kec.name}",
                    lon=106.72 + n * 0.06, lat=-6.16, district_id=kec.id, personnel=120)
        s.add(post)
        s.flush()
        s.add(DutyUnit(callsign=f"UNIT-{n + 1}", post_id=post.id, headcount=6, shift_start=now - timedelta(hours=2),
                       shift_end=now + timedelta(hours=6), last_lon=106.725 + n * 0.06, last_lat=-6.165,
                       last_seen_at=now))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def add_user(url: str, username: str, role: str) -> None:
    from sqlalchemy import select

    from db.models import AppUser
    from geo.vocabulary import Role

    engine = make_engine(url)
    with make_session_factory(engine).begin() as s:
        if s.scalar(select(AppUser.id).where(AppUser.username == username)) is None:
            s.add(AppUser(username=username, display_name=username.title(), role=Role(role)))
    engine.dispose()


PATROL = "patrol_monitoring"


def state_purpose(at, reason: str | None = PATROL):
    """The session's stated purpose for looking (dashboard/components/purpose_gate.py), as a user who
    answered the question at the start of the shift has it; ``None`` leaves it unstated."""
    from datetime import UTC, datetime

    from dashboard.components.purpose_gate import PURPOSE_KEY
    from geo.purpose import Purpose, PurposeKind

    if reason is not None:
        at.session_state[PURPOSE_KEY] = Purpose(PurposeKind.REASON, reason, datetime.now(UTC))
    return at


def app_test(url: str, role: str | None = "commander", lang: str | None = None, query: dict | None = None):
    """An AppTest of dashboard/app.py on the database at ``url``, signed in as a user with ``role``."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["NOBLINDSPOT_DATABASE_URL"] = url
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
    if role is not None:
        username = f"{role}-user"
        add_user(url, username, role)
        now = time.time()
        at.session_state["auth_session"] = {"username": username, "role": role, "display_name": None,
                                            "method": "local", "signed_in_at": now, "last_seen": now}
        state_purpose(at)
    if lang:
        at.session_state["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


class RelayOver:
    """The relay's real API (FastAPI on uvicorn) over the seeded database, and a real RelayClient to it.

    No background sync runs, so the feed rows stay as seeded: the API answers from the database as a
    relay node that runs nothing yet would. Supervisors are fakes (no ffmpeg) in case a test starts one.
    """

    OPERATOR = "app-test-operator-credential-0123456789"
    HLS_SECRET = "app-test-hls-secret-for-the-relay-0123456789"

    def __init__(self, url: str, runtime_dir: Path) -> None:
        from pydantic import SecretStr

        from db.feeds import LeasePolicy
        from relay.api import ApiSettings, create_app
        from relay.client import RelayClient
        from relay.manager import FeedManager, ManagerConfig
        from tests.support.manager import FakeSupervisorFactory
        from tests.support.relay_api import ServerThread

        self.engine = make_engine(url)
        config = ManagerConfig(node_id="node-app-test", public_url="http://relay.test:8787", runtime_dir=runtime_dir,
                               lease=LeasePolicy(single_node=True))
        self.manager = FeedManager(make_session_factory(self.engine), config, FakeSupervisorFactory(runtime_dir))
        app = create_app(self.manager, ApiSettings(operator_token=SecretStr(self.OPERATOR),
                                                   hls_secret=SecretStr(self.HLS_SECRET)))
        self.server = ServerThread(app).start()
        self.client = RelayClient(self.server.url, self.OPERATOR)

    def close(self) -> None:
        self.client.close()
        self.server.stop()
        self.manager.shutdown(leave=False)
        self.engine.dispose()
