"""Sign-in gate for the dashboard: local accounts, OIDC through st.login when configured, session expiry,
and server-side checks of what the signed-in role may do.

Every page calls ``require_permission(action)`` (or ``require_role``) first: a page opened by URL, or a
rerun triggered by a widget the role should never have seen, stops on the server before any data is
read. The signed-in identity lives in this server session's state and, so that a reload, a new tab or
a bookmark does not sign the user out, in a cookie holding a random token whose hash is in the
database (db/web_sessions.py). A new browser session with a known, unexpired token resumes the sign-in
without asking again; the expiry rules (a shift, an idle hour, a week for the briefing screen) are
applied to the stored times, so a reload never extends a session. On every run the account is re-read
from the database, so a disabled account or a changed role takes effect on the next page load.

The cookie is written by a script in the page (Streamlit cannot set a response header), so it is not
HttpOnly; it is SameSite=Strict, Secure over HTTPS, and worthless once signed out or expired.
"""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import deps
from dashboard.i18n import _
from db import audit, users, web_sessions
from db.users import Actor, PermissionDenied
from db.users import can as role_can
from geo.vocabulary import Role

AUTH_KEY = "auth_session"
MAX_SESSION_S = 12 * 3600            # one shift
IDLE_TIMEOUT_S = 60 * 60
BRIEFING_MAX_SESSION_S = 7 * 24 * 3600  # a wall screen runs unattended; it has no idle timeout
EXPIRED_NOTICE = "auth_expired_notice"
RUN_ACTOR = "_auth_run_actor"     # the actor resolved for this run (see begin_run)
COOKIE = "nb_session"
COOKIE_WRITE = "_auth_cookie_write"   # what the next render writes to the cookie: a token, or "" to clear it
REFUSED_NOTICE = "_auth_refused_page"  # (page refused, page shown instead), said once on the page shown instead
TOUCH_EVERY_S = 60                    # how often a session's last activity is written to the database


def _session_factory():
    return deps.session_factory()


def _now() -> float:
    return time.time()


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):
        return False
    except Exception as exc:
        if type(exc).__name__ == "StreamlitSecretNotFoundError":
            return False
        raise


def _oidc_provider() -> str | None:
    section = st.secrets["auth"]
    nested = [k for k, v in section.items() if hasattr(v, "items")]
    return nested[0] if nested else None


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _max_age_s(role: str) -> int:
    return BRIEFING_MAX_SESSION_S if role == Role.BRIEFING.value else MAX_SESSION_S


def _store(actor: Actor, method: str) -> None:
    _remember(actor)
    now = _now()
    with _session_factory().begin() as session:
        web_sessions.purge(session, _utc(now - BRIEFING_MAX_SESSION_S))
        token = web_sessions.open_session(session, actor.username, method, _utc(now))
    st.session_state[AUTH_KEY] = {"username": actor.username, "role": actor.role.value,
                                  "display_name": actor.display_name, "method": method,
                                  "signed_in_at": now, "last_seen": now, "token": token, "touched": now}
    st.session_state[COOKIE_WRITE] = token


def _resume_from_cookie() -> dict[str, Any] | None:
    """The sign-in a browser's cookie names (a reload, a new tab, a bookmark), or None."""
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token:   # AppTest has no browser and no cookies
        return None
    with _session_factory()() as session:
        found = web_sessions.find(session, token)
        actor = users.active_actor(session, found.username) if found is not None else None
    if found is None or actor is None:
        st.session_state[COOKIE_WRITE] = ""   # unknown, signed out elsewhere, or the account is gone
        return None
    record = {"username": actor.username, "role": actor.role.value, "display_name": actor.display_name,
              "method": found.method, "signed_in_at": found.signed_in_at.timestamp(),
              "last_seen": found.last_seen_at.timestamp(), "token": token,
              "touched": found.last_seen_at.timestamp()}
    st.session_state[AUTH_KEY] = record
    return record


def _end(record: dict[str, Any]) -> None:
    """Forget a sign-in here, in the database and in the browser's cookie."""
    st.session_state.pop(AUTH_KEY, None)
    if record.get("token"):
        with _session_factory().begin() as session:
            web_sessions.close(session, record["token"])
        st.session_state[COOKIE_WRITE] = ""


def render_cookie_write() -> None:
    """Write (or clear) the sign-in cookie when a sign-in or sign-out asked for it; call once per run."""
    if COOKIE_WRITE not in st.session_state:
        return
    token = st.session_state.pop(COOKIE_WRITE)
    record = st.session_state.get(AUTH_KEY) or {}
    max_age = _max_age_s(record.get("role", "")) if token else 0
    script = (f"<script>(function(){{var secure = location.protocol === 'https:' ? '; Secure' : '';"
              f"document.cookie = {json.dumps(COOKIE)} + '=' + {json.dumps(token)} + '; Path=/; Max-Age={max_age}"
              f"; SameSite=Strict' + secure;}})();</script>")
    st.html(script, unsafe_allow_javascript=True)


def _expired(record: dict[str, Any], now: float) -> bool:
    if record.get("role") == Role.BRIEFING.value:
        return now - record["signed_in_at"] > BRIEFING_MAX_SESSION_S
    return now - record["signed_in_at"] > MAX_SESSION_S or now - record["last_seen"] > IDLE_TIMEOUT_S


def _oidc_user() -> Actor | None:
    """Sign in the OIDC identity (once per server session) when the provider has vouched for one."""
    if not oidc_configured() or not st.user.get("is_logged_in"):
        return None
    email = st.user.get("email")
    with _session_factory()() as session:
        try:
            actor = users.sign_in_external(session, email or "", "oidc")
        except users.SignInRefused:
            session.commit()
            st.error(_("Your organisation account ({email}) has no access to this dashboard. Ask an "
                       "administrator to add it.", email=email or "?"))
            return None
        session.commit()
    _store(actor, "oidc")
    return actor


def _run_token() -> object | None:
    """An object unique to this script run: Streamlit gives each run (and fragment run) a new cursors
    dict (ScriptRunContext.reset). None outside a Streamlit run."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.cursors if ctx is not None else None


def _remember(actor: Actor | None) -> None:
    token = _run_token()
    if token is not None:
        st.session_state[RUN_ACTOR] = (token, actor)   # holding the token keeps its identity unique


def current_user() -> Actor | None:
    """The signed-in user for this run, or None (never signed in, expired, disabled).

    Resolved once per run: the account is checked in the database on the first call of each run (so a
    disabled, expired or demoted account is noticed on the next click) and reused by every later call.
    """
    held = st.session_state.get(RUN_ACTOR)
    token = _run_token()
    if held is not None and token is not None and held[0] is token:
        return held[1]
    actor = _resolve_actor()
    _remember(actor)
    return actor


def current_username() -> str:
    """The signed-in user's name, which binds HLS tokens and audit events to a person."""
    actor = current_user()
    return actor.username if actor is not None else "anonymous"


def _resolve_actor() -> Actor | None:
    record = st.session_state.get(AUTH_KEY) or _resume_from_cookie()
    if not record:
        return _oidc_user()
    now = _now()
    if _expired(record, now):
        _end(record)
        st.session_state[EXPIRED_NOTICE] = True
        return None
    with _session_factory()() as session:
        actor = users.active_actor(session, record["username"])
    if actor is None:
        _end(record)
        return None
    record["last_seen"] = now
    record["role"] = actor.role.value
    if record.get("token") and now - record.get("touched", 0) >= TOUCH_EVERY_S:
        with _session_factory().begin() as session:
            alive = web_sessions.touch(session, record["token"], _utc(now))
        if not alive:   # ended elsewhere: an open tab follows within TOUCH_EVERY_S, without a reload
            _end(record)
            return None
        record["touched"] = now
    return actor


def can(user: Actor | None, action: str) -> bool:
    """Whether ``user`` may do ``action`` (see db.users.PERMISSIONS)."""
    return user is not None and role_can(user.role, action)


def _forbidden(user: Actor) -> None:
    st.error(_("Your role ({role}) may not open this page or do this. Ask an administrator if you need "
               "access.", role=_(user.role.value)))
    st.stop()


def require_signed_in() -> Actor:
    user = current_user()
    if user is None:
        render_sign_in()
        st.stop()
    return user


def require_permission(action: str) -> Actor:
    """The signed-in user when the role may do ``action``; otherwise the page stops here."""
    user = require_signed_in()
    if not can(user, action):
        _forbidden(user)
    return user


def require_role(*roles: Role | str) -> Actor:
    """The signed-in user when its role is one of ``roles``; otherwise the page stops here."""
    user = require_signed_in()
    if user.role not in {Role(r) for r in roles}:
        _forbidden(user)
    return user


def check(user: Actor, action: str) -> None:
    """Re-check an action at the moment it is carried out (a button press is a new request)."""
    try:
        user.require(action)
    except PermissionDenied:
        _forbidden(user)


def _attempt(username: str, password: str) -> Actor | None:
    with _session_factory()() as session:
        try:
            actor = users.authenticate(session, username, password)
        except users.SignInRefused:
            session.commit()  # keep the failure count and the audit event
            return None
        session.commit()
    return actor


def render_sign_in() -> None:
    """The sign-in form (and the OIDC button when configured)."""
    st.title(_("Sign in"))
    if st.session_state.pop(EXPIRED_NOTICE, False):
        st.info(_("Your session has expired. Please sign in again."))
    with st.form("sign_in_form"):
        username = st.text_input(_("User name"), key="sign_in_username", autocomplete="username")
        password = st.text_input(_("Password"), type="password", key="sign_in_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(_("Sign in"), type="primary")
    if submitted:
        if not username.strip() or not password:
            st.error(_("Enter your user name and password."))
        else:
            actor = _attempt(username, password)
            if actor is None:
                st.error(_("Sign-in failed: check the user name and password. After several failed attempts, "
                           "wait a few minutes before trying again."))
            else:
                _store(actor, "local")
                st.rerun()
    if oidc_configured() and st.button(_("Sign in with your organisation account")):
        st.login(_oidc_provider())


def sign_out() -> None:
    _remember(None)
    record = st.session_state.get(AUTH_KEY)
    if record:
        _end(record)
        with _session_factory().begin() as session:
            audit.record(session, record["username"], audit.AuditAction.SIGN_OUT, target=record["username"])
    if record and record.get("method") == "oidc":
        st.logout()
    st.rerun()


def user_menu(container=None) -> None:
    """Who is signed in, with a sign-out button (for the sidebar of the app frame)."""
    user = current_user()
    if user is None:
        return
    target = container if container is not None else st.sidebar
    target.caption(_("Signed in as {name} ({role})", name=user.display_name or user.username,
                     role=_(user.role.value)))
    if target.button(_("Sign out"), key="sign_out_button"):
        sign_out()


def refused_page(url_path: str, title: str, instead: st.Page, quiet: bool = False) -> st.Page:
    """A hidden page at the address of a page the signed-in role may not open (a link, a bookmark, a role
    changed since): it goes to ``instead``, a page the role may use, which then says why
    (``render_refused_notice``), instead of Streamlit silently showing its default page. ``quiet``
    for the product's start address (the map): a role without the map simply starts on its own page."""
    def refuse() -> None:
        if not quiet:
            st.session_state[REFUSED_NOTICE] = (title, instead.title)
        st.switch_page(instead)

    return st.Page(refuse, title=title, url_path=url_path, visibility="hidden")


def render_refused_notice() -> None:
    """Say once, on the page shown instead, that the role may not open the page asked for."""
    refused = st.session_state.pop(REFUSED_NOTICE, None)
    user = current_user()
    if refused is None or user is None:
        return
    page, instead = refused
    st.warning(_("Your role ({role}) may not open the page “{page}”, so “{instead}” is shown instead. Ask an "
                 "administrator if you need access.", role=_(user.role.value), page=page, instead=instead),
               icon=":material/block:")


def sign_in_pages(url_paths: list[str]) -> list[st.Page]:
    """What to hand st.navigation before sign-in: the sign-in form under every page's address.

    A bookmark or deep link (``/incidents``) then shows the sign-in form instead of Streamlit's "Page
    not found", and after signing in the same address runs the page asked for. No page file is
    registered, so none is listed or reachable before sign-in. The first path is the default page.
    """
    return [st.Page(render_sign_in, title=_("Sign in"), icon=":material/login:", url_path=path, default=i == 0)
            for i, path in enumerate(url_paths)]
