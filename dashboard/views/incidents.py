"""Incidents (Insiden): mark an incident, see which cameras saw it, watch the connected ones, ask the
owners of the others for footage, dispatch officers, close it. Every step is audited by db/."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import time as dtime

import pandas as pd
import streamlit as st

from dashboard import auth, deps, i18n
from dashboard.components import incident_map, ops_data
from dashboard.components import value_labels as vl
from dashboard.components.basemap_layers import ATTRIBUTION as OSM_ATTRIBUTION
from dashboard.components.camera_card import markdown_text
from dashboard.components.error_notice import show_error
from dashboard.components.player import render_player
from dashboard.i18n import DISPLAY_TZ, _, format_datetime, format_number, now_local
from db.footage import FootageError, footage_queue, request_footage
from db.incidents import (
    CATEGORIES,
    IncidentError,
    IncidentInput,
    IncidentNotFound,
    create_incident,
    dispatch_incident,
    list_incidents,
    set_incident_status,
)
from db.users import Actor
from geo.purpose import Purpose, PurposeKind
from geo.urgency import IncidentStatus

SELECTED = "incident_selected"      # case code shown below the list
PICK = "incident_pick"              # the case chooser's widget key (set before it is drawn to switch cases)
WATCHING = "incident_watching"      # camera code whose player is open
DRAFT_POINT = "incident_point"      # (lon, lat) handed over by the map page
DRAFT_CAMERA = "footage_request_for"  # camera code handed over by the map's camera card (state.FOOTAGE_REQUEST_FOR)


def category_label(value: str) -> str:
    return {"theft": _("Theft"), "robbery": _("Robbery"), "assault": _("Assault"), "brawl": _("Brawl"),
            "traffic_accident": _("Traffic accident"), "fire": _("Fire"), "flood": _("Flood"),
            "vandalism": _("Vandalism"), "suspicious": _("Suspicious activity"),
            "missing_person": _("Missing person"), "other": _("Other")}.get(value, value)


def status_label(value: str) -> str:
    return {"open": _("Open"), "dispatched": _("Dispatched"), "closed": _("Closed")}.get(value, value)


def _location_input(point) -> tuple[str, str]:
    modes = ["coordinates", "camera"] + (["map"] if point else [])
    labels = {"coordinates": _("Typed coordinates"), "camera": _("A camera"), "map": _("The point picked on the map")}
    default = "map" if point else ("camera" if st.session_state.get(DRAFT_CAMERA) else "coordinates")
    mode = st.radio(_("Where"), modes, index=modes.index(default), format_func=labels.__getitem__,
                    horizontal=True, key="incident_where")
    coords = st.text_input(_("Coordinates (lat, lon or lon lat)"), placeholder="-6.1683, 106.7589",
                           key="incident_coordinates")
    camera = st.text_input(_("Camera code"), value=st.session_state.get(DRAFT_CAMERA) or "", key="incident_camera")
    return mode, coords if mode == "coordinates" else camera


def _new_incident_form(user: Actor) -> None:
    point = st.session_state.get(DRAFT_POINT)
    expanded = bool(point or st.session_state.get(DRAFT_CAMERA))
    with st.expander(_("New incident"), expanded=expanded), st.form("new_incident"):
        now = now_local()
        c1, c2, c3 = st.columns(3)
        day = c1.date_input(_("Date of the event"), value=now.date(), key="incident_day")
        at = c2.time_input(_("Time of the event (WIB)"), value=dtime(now.hour, now.minute), step=60,
                           key="incident_time")
        categories = {c: category_label(c) for c in CATEGORIES}  # labels fixed now (AppTest calls it later)
        category = c3.selectbox(_("Category"), CATEGORIES, format_func=categories.__getitem__,
                                key="incident_category")
        mode, where = _location_input(point)
        description = st.text_area(_("Description"), max_chars=2000, key="incident_description")
        submitted = st.form_submit_button(_("Create incident"), type="primary")
    if submitted:
        _create(user, datetime.combine(day, at, tzinfo=DISPLAY_TZ), category, description, mode, where, point)


def _create(user, event_time, category, description, mode, where, point) -> None:
    auth.check(user, "incidents.edit")
    data = IncidentInput(event_time=event_time, category=category, description=description,
                         lon=point[0] if mode == "map" else None, lat=point[1] if mode == "map" else None,
                         coordinates=where if mode == "coordinates" else None,
                         camera_code=where if mode == "camera" and where.strip() else None)
    try:
        with ops_data.session_factory().begin() as session:
            code = create_incident(session, user, data, region_bbox=ops_data.region_bbox()).code
    except IncidentError as exc:
        show_error(_("The incident was not saved. Check the time (not in the future, at most a year ago), the place "
                     "(a point on the map, coordinates as “lat, lon” such as -6.1683, 106.7589 inside the region, or "
                     "the code of a registered camera) and the description, then save again."), exc)
        return
    st.session_state[SELECTED] = code
    st.session_state[PICK] = code   # the form is drawn above the chooser, so the chooser follows the new case
    st.session_state.pop(DRAFT_POINT, None)
    st.session_state.pop(DRAFT_CAMERA, None)
    st.success(_("Incident {code} created.", code=code))


def _incident_list(user: Actor):
    show_closed = st.toggle(_("Show closed incidents"), key="incident_show_closed")
    statuses = () if show_closed else (IncidentStatus.OPEN, IncidentStatus.DISPATCHED)
    with ops_data.session_factory()() as session:
        incidents = list_incidents(session, user, statuses)
    if not incidents:
        st.info(_("No incidents yet."))
        return None
    codes = [i.code for i in incidents]
    by_code = {i.code: i for i in incidents}
    if st.session_state.get(PICK) not in codes:   # first visit, or the case was closed and is hidden now
        chosen = st.session_state.get(SELECTED)
        st.session_state[PICK] = chosen if chosen in codes else codes[0]
    labels = {c: f"{c} · {category_label(i.category)} · {status_label(i.status.value)} · "
                 f"{format_datetime(i.event_time, 'short')}" for c, i in by_code.items()}
    code = st.selectbox(_("Incident"), codes, key=PICK, format_func=labels.__getitem__)
    st.session_state[SELECTED] = code
    return by_code[code]


def _facts(incident) -> None:
    st.subheader(f"{incident.code} · {category_label(incident.category)}")
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Status"), status_label(incident.status.value))
    c2.metric(_("Time of the event"), format_datetime(incident.event_time, "short"))
    c3.metric(_("Position"), f"{incident.lat:.5f}, {incident.lon:.5f}")
    if incident.description:
        st.text(incident.description)  # plain text: markup typed by users stays inert


def _cameras_table(seeing: pd.DataFrame, contacts: bool) -> None:
    columns = {"code": _("Camera"), "name": _("Name"), "distance_m": _("Distance (m)"),
               "connection": _("Connection"), "consent": _("Consent"), "owner_name": _("Owner"),
               "dvr_retention_days": _("DVR retention (days)")}
    if contacts:
        columns["owner_phone"] = _("Owner phone")
    shown = seeing[[c for c in columns if c in seeing]].copy()
    words = {"connection": vl.connection_label, "consent": vl.consent_label, "distance_m": vl.number,
             "dvr_retention_days": vl.number}
    for column in shown:
        shown[column] = [words.get(column, vl.text)(v) for v in shown[column]]
    st.dataframe(shown.rename(columns=columns), hide_index=True, width="stretch")


def _live_players(user: Actor, connected: pd.DataFrame, incident_code: str) -> None:
    if connected.empty:
        return
    st.markdown("**" + _("Connected cameras: watch live") + "**")
    cols = st.columns(min(len(connected), 4))
    for col, code in zip(cols, connected["code"].head(4), strict=False):
        if col.button(_("Watch {code}", code=markdown_text(code)), key=f"watch_{code}"):
            st.session_state[WATCHING] = code
    watching = st.session_state.get(WATCHING)
    if watching in set(connected["code"]):
        auth.check(user, "live_view")
        # the player records the live view in the audit log, with this incident as its purpose
        render_player(watching, user.username, purpose=Purpose(PurposeKind.CASE, incident_code, datetime.now(UTC)))


def _footage_form(user: Actor, incident, registered: pd.DataFrame) -> None:
    askable = registered[registered["owner_name"].notna()] if "owner_name" in registered else registered.iloc[0:0]
    if askable.empty or not auth.can(user, "footage.edit"):
        return
    with st.form("footage_request_form"):
        st.markdown("**" + _("Request footage from the owners") + "**")
        # keys per case: another case's cameras are other options, and a shared key would empty the choice
        chosen = st.multiselect(_("Cameras"), list(askable["code"]), default=list(askable["code"]),
                                key=f"footage_cameras_{incident.code}", placeholder=_("Choose the cameras"),
                                select_all=i18n.streamlit_select_all())
        c1, c2 = st.columns(2)
        before = c1.number_input(_("Minutes before the event"), 0, 720, 30, key="footage_before")
        after = c2.number_input(_("Minutes after the event"), 0, 720, 30, key="footage_after")
        submitted = st.form_submit_button(_("Request footage"))
    if submitted:
        auth.check(user, "footage.edit")
        window = (incident.event_time - timedelta(minutes=int(before)),
                  incident.event_time + timedelta(minutes=int(after)))
        try:
            with ops_data.session_factory().begin() as session:
                outcome = request_footage(session, user, incident.id, chosen, window)
                made = len(outcome.created)
        except (FootageError, IncidentError) as exc:
            show_error(_("No footage request was made. Choose at least one camera whose owner is registered and "
                         "whose footage was not requested for this incident yet, then try again."), exc)
            return
        st.success(_("{count} footage requests sent; see Footage requests.", count=made))
        for skipped in outcome.skipped:
            st.warning(_("No request for camera {code}: it has no registered owner to ask, or its footage was "
                         "already requested for this incident.", code=markdown_text(skipped.camera_code)))


def _dispatch(user: Actor, incident, posts: list[dict]) -> None:
    if not auth.can(user, "incidents.edit"):
        return
    c1, c2, c3 = st.columns([3, 1, 1])
    labels = {p["code"]: f"{p['name']} ({format_number(p['distance_m'], 0)} m)" for p in posts}
    if incident.status == IncidentStatus.OPEN and labels:
        target = c1.selectbox(_("Dispatch officers from"), list(labels), format_func=labels.__getitem__,
                              key=f"dispatch_post_{incident.code}")
        if c2.button(_("Dispatch"), key="dispatch_button"):
            _act(user, lambda s: dispatch_incident(s, user, incident.id, target))
    if incident.status != IncidentStatus.CLOSED and c3.button(_("Close incident"), key="close_incident"):
        _act(user, lambda s: set_incident_status(s, user, incident.id, IncidentStatus.CLOSED))
    if incident.status == IncidentStatus.CLOSED and c3.button(_("Re-open"), key="reopen_incident"):
        _act(user, lambda s: set_incident_status(s, user, incident.id, IncidentStatus.OPEN))


def _act(user: Actor, action) -> None:
    auth.check(user, "incidents.edit")
    try:
        with ops_data.session_factory().begin() as session:
            action(session)
    except (IncidentError, IncidentNotFound) as exc:
        show_error(_("The change was not saved: the incident may have changed in the meantime. Reload the page "
                     "and try again."), exc)
        return
    st.rerun()


def _posts_panel(incident, near: dict) -> list[dict]:
    st.markdown("**" + _("Police nearby") + "**")
    rows = []
    for label, post in ((_("Nearest Polsek"), near["polsek"]), (_("Nearest security post"), near["security_post"])):
        if post:
            rows.append({_("What"): label, _("Post"): vl.post_name(post["name"]),
                         _("Distance (m)"): vl.number(post["distance_m"]),
                         _("Personnel"): vl.number(post.get("personnel"))})
    juris = near["jurisdiction"]
    if juris.get("polsek_name"):
        rows.append({_("What"): _("Polsek of the jurisdiction ({district})", district=juris["district_name"]),
                     _("Post"): vl.text(juris["polsek_name"]),
                     _("Distance (m)"): vl.number(juris["polsek_distance_m"]), _("Personnel"): vl.EMPTY})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if incident.dispatched_to is not None:
        st.info(_("Dispatched to {post} by {user} at {when}.", post=markdown_text(incident.dispatched_to.name),
                  user=markdown_text(incident.dispatched_by), when=format_datetime(incident.dispatched_at, "short")))
    return [p for p in (near["polsek"], near["security_post"]) if p]


def _map(incident, seeing: pd.DataFrame, posts: list[dict]) -> None:
    basemap = deps.vector_basemap()
    st.pydeck_chart(incident_map.incident_deck(incident, seeing, posts, deps.settings().basemap_url, basemap))
    if basemap is not None:
        st.caption(OSM_ATTRIBUTION)


def _incident_view(user: Actor, incident) -> None:
    _facts(incident)
    seeing = ops_data.cameras_seeing(incident.lon, incident.lat)
    st.markdown("**" + _("Cameras that can see this point: {count}", count=len(seeing)) + "**")
    if not seeing.empty:
        _cameras_table(seeing, auth.can(user, "owner_contacts"))
        connected = seeing[seeing["connection"] == "connected"]
        _live_players(user, connected, incident.code)
        _footage_form(user, incident, seeing[seeing["connection"] != "connected"])
    near = ops_data.posts_near(incident.lon, incident.lat)
    posts = _posts_panel(incident, near)
    _dispatch(user, incident, posts)
    with ops_data.session_factory()() as session:
        requests = footage_queue(session, user, incident=incident.id, include_finished=True)
    if requests:
        st.markdown("**" + _("Footage requests for this incident") + "**")
        st.dataframe(pd.DataFrame([{_("Camera"): vl.text(r.camera_code), _("Owner"): vl.text(r.owner_name),
                                    _("Status"): vl.footage_status_label(r.status),
                                    _("Deadline"): format_datetime(r.deadline, "short")} for r in requests]),
                     hide_index=True, width="stretch")
    _map(incident, seeing, posts)


def render() -> None:
    user = auth.require_permission("incidents")
    st.title(_("Incidents"))
    if auth.can(user, "incidents.edit"):
        _new_incident_form(user)
    incident = _incident_list(user)
    if incident is not None:
        _incident_view(user, incident)


render()
