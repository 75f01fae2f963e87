"""The commander's workflow through the pages (AppTest, real database): mark an incident, see the
cameras that saw it, watch a connected one, request footage from the other owners, work the request
in urgency order, print the letter; every step lands in the audit log. The admin then reads it."""
# ruff: noqa: F811 - tests take the shared app_env fixture imported from test_roles
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from dashboard.i18n import DISPLAY_TZ
from db.models import AuditEvent
from db.models_ops import FootageRequest, Incident
from geo.urgency import FootageStatus
from geo.vocabulary import Role
from tests.app.test_roles import app_env, signed_in  # noqa: F401 - the fixture is used by name
from tests.support.dashboard import RelayOver

CREATE = "FormSubmitter:new_incident-Create incident"
REQUEST = "FormSubmitter:footage_request_form-Request footage"
CHANGE = "FormSubmitter:footage_status_form-Change status"


def _keyed(widgets, prefix: str):
    """The one widget whose key starts with ``prefix`` (keys carry the case code)."""
    [widget] = [w for w in widgets if (w.key or "").startswith(prefix)]
    return widget


def _create_incident(app):
    event = datetime.now(DISPLAY_TZ) - timedelta(hours=1)
    app.date_input(key="incident_day").set_value(event.date())
    app.time_input(key="incident_time").set_value(event.time().replace(second=0, microsecond=0))
    app.selectbox(key="incident_category").set_value("robbery")
    app.radio(key="incident_where").set_value("coordinates")
    app.text_input(key="incident_coordinates").input("-6.1700, 106.7500")
    app.text_area(key="incident_description").input("<img src=x onerror=alert(1)> =cmd|' /C calc'!A0")
    return app.button(key=CREATE).click().run()


def test_commander_incident_to_footage_requests_all_audited(app_env, database_url, tmp_path):
    from db.feeds import set_desired

    with app_env.begin() as session:
        set_desired(session, "CAM-LIVE", mode="on_demand")   # the connected camera's relay feed
    relay = RelayOver(database_url, tmp_path / "relay-runtime")   # the live view asks it for a token
    try:
        _incident_to_footage(app_env, relay)
    finally:
        relay.close()


def _incident_to_footage(app_env, relay):
    app = signed_in(Role.COMMANDER, "incidents")
    app.session_state["relay_client_override"] = relay.client
    app = app.run()
    app = _create_incident(app)
    assert not app.exception, app.exception
    assert any("created" in s.value for s in app.success)
    assert any("Cameras that can see this point: 3" in m.value for m in app.markdown)
    seeing = app.dataframe[0].value
    assert list(seeing["Camera"]) == ["CAM-LIVE", "CAM-WEEK", "CAM-TWO"]  # nearest first
    assert "Owner phone" in seeing.columns
    assert [t.value for t in app.text] == ["<img src=x onerror=alert(1)> =cmd|' /C calc'!A0"]  # inert text

    app = app.button(key="watch_CAM-LIVE").click().run()
    assert not app.exception, app.exception
    assert app.session_state["incident_watching"] == "CAM-LIVE"

    assert _keyed(app.multiselect, "footage_cameras_").value == ["CAM-WEEK", "CAM-TWO"]
    app = app.button(key=REQUEST).click().run()
    assert any("2 footage requests sent" in s.value for s in app.success)

    footage = signed_in(Role.COMMANDER, "footage_requests").run()
    assert not footage.exception, footage.exception
    queue = footage.dataframe[0].value
    assert list(queue["Camera"]) == ["CAM-TWO", "CAM-WEEK"]  # 2-day DVR before 7-day DVR
    assert queue["Time left"].iloc[0] == "47 h left"
    footage.selectbox(key="footage_new_status").set_value("owner_contacted")
    footage.text_input(key="footage_note").input("spoke to Pak RT")
    footage = footage.button(key=CHANGE).click().run()
    assert not footage.exception, footage.exception
    footage = footage.button(key="footage_letter_button").click().run()
    assert not footage.exception, footage.exception

    with app_env() as s:
        request = s.scalars(select(FootageRequest).order_by(FootageRequest.deadline)).first()
        assert request.status is FootageStatus.OWNER_CONTACTED
        events = s.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.target)
                           .order_by(AuditEvent.id)).all()
    actions = [a for actor, a, _ in events if not a.startswith("user_") and actor != "relay-api"]
    assert actions == ["incident_create", "live_view", "footage_request", "footage_request", "footage_status",
                       "footage_letter"]
    assert ("budi", "live_view", "CAM-LIVE") in events
    assert ("relay-api", "token_grant", "CAM-LIVE") in events     # the relay's own record of the grant
    with app_env() as s:
        purposes = s.scalars(select(AuditEvent.detail).where(AuditEvent.action.in_(["live_view", "footage_request"]))
                             .order_by(AuditEvent.id)).all()
        [case] = s.scalars(select(Incident.code)).all()
    # watching from the incident and asking for its footage both name the case as their purpose
    assert len(purposes) == 3 and {d["purpose"] for d in purposes} == {f"case:{case}"}

    audit = signed_in(Role.ADMIN, "audit").run()
    assert not audit.exception, audit.exception
    log = audit.dataframe[0].value
    assert {"incident_create", "live_view", "footage_request", "footage_status"} <= set(log["Action"])
    audit = audit.button(key="audit_prepare_export").click().run()
    csv_text = audit.session_state["audit_export_csv"]
    assert "live_view" in csv_text and "budi" in csv_text


def test_bad_coordinates_show_what_is_wrong_and_save_nothing(app_env):
    app = signed_in(Role.COMMANDER, "incidents").run()
    app.radio(key="incident_where").set_value("coordinates")
    app.text_input(key="incident_coordinates").input("Jl. Panjang <b>5</b>")
    app = app.button(key=CREATE).click().run()
    assert "The incident was not saved" in app.error[0].value and "lat, lon" in app.error[0].value
    with app_env() as s:
        assert "incident_create" not in s.scalars(select(AuditEvent.action)).all()


def test_dispatch_and_close_from_the_incident_view(app_env):
    app = _create_incident(signed_in(Role.COMMANDER, "incidents").run())
    police = app.dataframe[1].value
    assert list(police["Post"])[:2] == ["Polsek Kebon Jeruk", "Pos <Duri>"]  # markup in names stays text
    assert "Polsek of the jurisdiction (Kebon Jeruk)" in list(police["What"])
    _keyed(app.selectbox, "dispatch_post_").set_value("POS-1")
    app = app.button(key="dispatch_button").click().run()
    assert not app.exception, app.exception
    assert any("Dispatched to Pos" in i.value and "budi" in i.value for i in app.info)
    app = app.button(key="close_incident").click().run()
    assert not app.exception, app.exception
    assert any("No incidents yet." in i.value for i in app.info)  # closed ones are hidden by default
    app = app.toggle(key="incident_show_closed").set_value(True).run()
    assert app.button(key="reopen_incident")
    with app_env() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.actor == "budi")
                            .order_by(AuditEvent.id)).all()
    assert actions == ["incident_create", "incident_dispatch", "incident_status"]


def test_camera_handed_over_by_the_map_prefills_the_incident_form(app_env):
    footage = signed_in(Role.COMMANDER, "footage_requests")
    footage.session_state["footage_request_for"] = "CAM-TWO"
    footage = footage.run()
    assert "CAM" in footage.info[0].value and "Incidents page" in footage.info[0].value
    app = signed_in(Role.COMMANDER, "incidents")
    app.session_state["footage_request_for"] = "CAM-TWO"
    app = app.run()
    assert app.radio(key="incident_where").value == "camera"
    assert app.text_input(key="incident_camera").value == "CAM-TWO"
    app = app.button(key=CREATE).click().run()
    assert not app.exception, app.exception
    assert any("created" in s.value for s in app.success)
    with app_env() as s:
        assert s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "incident_create"))["camera"] == "CAM-TWO"


def test_a_second_incident_shows_and_acts_on_the_new_case_and_switching_keeps_the_camera_choice(app_env):
    """Issue 10, defect 2: after a second incident was created the message named it, but the facts and the
    buttons below belonged to the previous case; switching cases by hand emptied the footage choice."""
    from db.models_ops import Incident

    app = _create_incident(signed_in(Role.COMMANDER, "incidents").run())
    first = app.session_state["incident_selected"]
    app = _create_incident(app)
    assert not app.exception, app.exception
    second = app.session_state["incident_selected"]
    assert second != first and any(second in s.value for s in app.success)
    assert app.selectbox(key="incident_pick").value == second
    assert app.subheader[0].value.startswith(second)
    app = app.button(key=REQUEST).click().run()
    with app_env() as s:
        ids = {i.code: i.id for i in s.scalars(select(Incident))}
        asked_for = set(s.scalars(select(FootageRequest.incident_id)))
    assert asked_for == {ids[second]}   # the request went to the case on the screen

    app = app.selectbox(key="incident_pick").set_value(first).run()
    assert app.subheader[0].value.startswith(first)
    assert _keyed(app.multiselect, "footage_cameras_").value == ["CAM-WEEK", "CAM-TWO"]
    app = app.selectbox(key="incident_pick").set_value(second).run()
    assert _keyed(app.multiselect, "footage_cameras_").value == ["CAM-WEEK", "CAM-TWO"]
