"""AppTest of the map page on a real (SQLite or PostgreSQL) database: filters, counts, card, fly-to."""
from __future__ import annotations

import pytest

from dashboard.components.camera_card import markdown_text
from tests.support.dashboard import XSS_NAME, RelayOver, app_test, seed_database


@pytest.fixture
def seeded(database_url):
    return database_url, seed_database(database_url)


@pytest.fixture
def relay(seeded, tmp_path):
    """The relay's API over the seeded database: the camera card asks it for the feed and a token."""
    over = RelayOver(seeded[0], tmp_path / "relay-runtime")
    yield over
    over.close()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def card_values(at, raw: bool = False) -> dict[str, str]:
    """The card's label -> value, as a reader sees them (the Markdown escapes removed) or ``raw``."""
    import re

    frames = [table.value for table in at.table]
    assert frames, "no camera card on the page"
    values = dict(zip(frames[-1].iloc[:, 0], frames[-1].iloc[:, 1], strict=True))
    return values if raw else {k: re.sub(r"\\(.)", r"\1", v) for k, v in values.items()}


def run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def test_map_counts_every_camera_by_connection_and_health(seeded):
    url, codes = seeded
    at = run(app_test(url, "commander", lang="en"))
    assert metrics(at) == {"Cameras shown": "12", "Live, healthy": str(len(codes["healthy"])),
                           "Live, not started": "0", "Live, with a fault": str(len(codes["fault"])),
                           "Registered only": str(len(codes["registered"]))}


@pytest.mark.parametrize(("key", "choice", "shown"), [
    ("f_district", "31.73.01", "6"),
    ("f_owner", "government", "3"),
    ("f_connection", "connected", "4"),
    ("f_consent", "registry_only", "2"),
    ("f_health", "camera_unreachable", "1"),
])
def test_each_filter_changes_the_counts(seeded, key, choice, shown):
    url, _codes = seeded
    at = run(app_test(url, "commander", lang="en"))
    at.sidebar.multiselect(key=key).select(choice)
    run(at)
    assert metrics(at)["Cameras shown"] == shown


def test_text_search_filters_and_flies_to_the_chosen_camera(seeded):
    url, _codes = seeded
    at = run(app_test(url, "commander", lang="en"))
    at.sidebar.text_input(key="f_text").input("onerror")
    run(at)
    assert metrics(at)["Cameras shown"] == "1"
    fly = at.sidebar.selectbox(key="fly_to_choice")
    fly.select("CAM-06")
    run(at)
    lon, lat, zoom = at.session_state["fly_to"]
    assert zoom >= 16 and abs(lon - 106.794) < 1e-6 and abs(lat - (-6.153)) < 1e-6
    assert at.session_state["selected_camera"] == "CAM-06"
    assert card_values(at)["Name"] == XSS_NAME
    assert card_values(at, raw=True)["Name"] == markdown_text(XSS_NAME)   # inert: the card's table renders Markdown


def test_selecting_a_registered_camera_opens_its_card_with_a_footage_action(seeded):
    url, codes = seeded
    at = app_test(url, "commander", lang="en")
    at.session_state["selected_camera"] = codes["registered"][0]
    run(at)
    card = card_values(at)
    assert card["Status"] == "Registered only"
    assert card["Phone"] == "+62 21 555 0101" and card["DVR retention"] == "14 days"
    assert not any(b.label == "Request footage" and b.disabled for b in at.button)
    at.button(key=f"request-footage-{codes['registered'][0]}").click()
    run(at)
    assert at.session_state["footage_request_for"] == codes["registered"][0]


def test_a_connected_camera_with_a_fault_shows_the_relay_reason_and_never_the_stream_url(seeded, relay):
    url, codes = seeded
    at = app_test(url, "commander", lang="en")
    at.session_state["relay_client_override"] = relay.client
    at.session_state["selected_camera"] = codes["fault"][0]
    run(at)
    card = card_values(at)
    assert card["Status"] == "Camera unreachable"      # a stalled feed: the camera is at fault
    assert card["Last error"] == "no segments for 12 s"
    assert card["Relay state"].startswith("stalled")
    page_text = " ".join(str(e.value) for e in at.main if hasattr(e, "value"))
    assert "rtsp://" not in page_text and "secret" not in page_text
    [frame] = at.get("iframe")   # the player, with a token the relay minted (the dashboard holds no secret)
    assert relay.HLS_SECRET not in frame.proto.srcdoc and relay.OPERATOR not in frame.proto.srcdoc
    assert f"/hls/{codes['fault'][0]}/index.m3u8?token=" in frame.proto.srcdoc


def test_the_card_says_when_the_relay_does_not_answer_without_technical_detail(seeded):
    url, codes = seeded
    from relay.client import RelayClient
    from tests.support.dashboard import free_port

    at = app_test(url, "commander", lang="id")
    at.session_state["relay_client_override"] = RelayClient(f"http://127.0.0.1:{free_port()}", "x")   # nobody there
    at.session_state["selected_camera"] = codes["healthy"][0]
    run(at)
    assert card_values(at)["Status"]
    assert at.get("iframe") == []
    [warning] = [w.value for w in at.warning if "relay" in w.value]
    assert "tidak menjawab" in warning and "ConnectError" not in warning and "http" not in warning


def test_map_selection_callback_opens_the_card_for_camera_layers_only(monkeypatch):
    import types

    from dashboard.views import map as map_page

    fake = types.SimpleNamespace(session_state={})
    monkeypatch.setattr(map_page, "st", fake)
    fake.session_state[map_page.MAP_KEY] = {"selection": {"indices": {"posts": [0]},
                                                          "objects": {"posts": [{"t": "Polsek X"}]}}}
    map_page._on_map_select()
    assert "selected_camera" not in fake.session_state
    fake.session_state[map_page.MAP_KEY] = {"selection": {"indices": {"cameras-registered-private": [4]},
                                                          "objects": {"cameras-registered-private": [{"t": "CAM-08"}]}}}
    map_page._on_map_select()
    assert fake.session_state["selected_camera"] == "CAM-08"
    fake.session_state[map_page.MAP_KEY] = {"selection": {"indices": {}, "objects": {}}}
    map_page._on_map_select()
    assert "selected_camera" not in fake.session_state


def test_empty_registry_explains_how_to_load_data(database_url):
    at = run(app_test(database_url, "commander", lang="en"))
    assert any("noblindspot demo" in i.value for i in at.info)


def test_a_connected_camera_whose_feed_never_started_opens_its_card(seeded, relay):
    """Issue 10, defect 1: a feed row with a state but no state_since (never started), read back beside
    feeds that have one, became pandas' NaT; the card passed it to format_datetime and crashed."""
    from sqlalchemy import update

    from db.engine import make_engine
    from db.models import Camera, Feed, FeedState

    url, codes = seeded
    never = codes["healthy"][0]
    engine = make_engine(url)
    with engine.begin() as conn:
        camera_id = conn.execute(Camera.__table__.select().where(Camera.code == never)).first().id
        conn.execute(update(Feed).where(Feed.camera_id == camera_id).values(state=FeedState.STOPPED,
                                                                             state_since=None))
    engine.dispose()
    at = app_test(url, "commander", lang="en")
    at.session_state["relay_client_override"] = relay.client
    at.session_state["selected_camera"] = never
    run(at)
    card = card_values(at)
    assert card["Relay state"] == "stopped"


def test_the_signed_in_account_is_read_once_per_rerun(seeded):
    """Issue 11: the current actor is resolved once per run (it was about 14 identity queries a rerun)."""
    from sqlalchemy import Engine, event

    url, _codes = seeded
    at = run(app_test(url, "commander", lang="en"))
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        run(at)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    identity = [s for s in statements if "app_user" in s]
    assert statements, "the rerun ran no query at all: the listener saw nothing"
    assert 1 <= len(identity) <= 2, identity


def test_a_connected_camera_without_valid_live_consent_says_so_and_plays_nothing(seeded, relay):
    """Issue 15: the map shows a camera whose consent expired (or was never live) as such, in the user's
    words, with no player and the footage action instead."""
    from datetime import date

    from sqlalchemy import update

    from db.engine import make_engine
    from db.models import Camera

    url, codes = seeded
    expired, asked = codes["healthy"][0], codes["healthy"][1]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(update(Camera).where(Camera.code == expired).values(consent_expires_on=date(2025, 1, 31)))
        conn.execute(update(Camera).where(Camera.code == asked).values(consent="on_request"))
    engine.dispose()
    for code, words in ((expired, "berakhir pada 31 Jan 2025"), (asked, "belum menyetujui tayangan langsung")):
        at = app_test(url, "commander", lang="id")
        at.session_state["relay_client_override"] = relay.client
        at.session_state["selected_camera"] = code
        run(at)
        assert any(words in w.value for w in at.warning), [w.value for w in at.warning]
        assert at.get("iframe") == []
        assert at.button(key=f"request-footage-{code}")


def test_a_camera_without_live_consent_says_withdrawn_or_expired_on_the_map(seeded):
    """Issue 15: the map shows such a camera as 'consent withdrawn' or 'consent expired'."""
    import json
    from datetime import timedelta

    from sqlalchemy import select

    from dashboard.i18n import now_local
    from db.engine import make_engine, make_session_factory
    from db.models import Camera
    from db.repositories import bump_version
    from geo.vocabulary import ConsentLevel

    url, codes = seeded
    healthy = sorted(codes["healthy"])
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        cams = {c.code: c for c in session.scalars(select(Camera).where(Camera.code.in_(healthy)))}
        cams[healthy[0]].consent_expires_on = now_local().date() - timedelta(days=1)
        cams[healthy[1]].consent = ConsentLevel.ON_REQUEST
        bump_version(session)
    engine.dispose()
    at = run(app_test(url, "commander", lang="en"))
    assert metrics(at)["Live, healthy"] == str(len(healthy) - 2)
    chart = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layer = next(layer for layer in chart["layers"] if layer["id"] == "cameras-connected")
    said = {row["t"]: row["d"].splitlines()[-1] for row in layer["data"]}
    assert said[healthy[0]] == "Consent expired" and said[healthy[1]] == "Consent withdrawn"
    grey = [row["f"][:3] for row in layer["data"] if row["t"] in healthy[:2]]
    assert grey == [[150, 150, 150]] * 2
