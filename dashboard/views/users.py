"""Users (Pengguna), admins only: accounts, roles, passwords, disabling. Every change is audited."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard.components import ops_data
from dashboard.components.camera_card import markdown_text
from dashboard.i18n import _, format_datetime
from db import users
from db.users import Actor
from geo.vocabulary import Role

FLASH = "users_flash"


def _role_labels() -> dict[str, str]:
    return {r.value: _(r.value) for r in Role}


def _table(rows) -> None:
    st.dataframe(pd.DataFrame([{
        _("User name"): u.username, _("Name"): u.display_name or "", _("Rank"): u.rank or "", "NRP": u.nrp or "",
        _("Role"): _(u.role.value),
        _("State"): _("disabled") if u.disabled else (_("locked") if u.locked_until else _("active")),
        _("Sign-in"): _("password") if u.password_hash else _("organisation account"),
        _("Last sign-in"): format_datetime(u.last_login_at, "short")} for u in rows]),
        hide_index=True, width="stretch")


def user_error_text(exc: users.UserError) -> str:
    """Why an account change was refused, in the user's language (the English text for an unknown code)."""
    p = exc.params
    texts = {
        "bad_username": lambda: _("a user name has 2 to 80 characters: letters, digits and . _ @ -, starting with a "
                                  "letter or a digit"),
        "password_short": lambda: _("the password needs at least {n} characters", n=p.get("n")),
        "password_long": lambda: _("the password may have at most {n} characters", n=p.get("n")),
        "password_space": lambda: _("the password starts or ends with a space; remove it (pasted by mistake?)"),
        "bad_role": lambda: _("choose one of the listed roles"),
        "no_user": lambda: _("there is no user {name}", name=p.get("name")),
        "exists": lambda: _("user {name} exists already; change its password or enable it below",
                            name=p.get("name")),
        "disable_self": lambda: _("you cannot disable your own account; ask another admin"),
        "rank_long": lambda: _("a rank has at most {n} characters", n=p.get("n")),
        "bad_nrp": lambda: _("an NRP has 8 digits (a NIP 18)"),
    }
    text = texts.get(exc.code)
    return text() if text else str(exc)


def _apply(user: Actor, action, done: str) -> None:
    auth.check(user, "users")
    try:
        with ops_data.session_factory().begin() as session:
            action(session)
    except users.UserError as exc:
        st.error(_("Not saved: {reason}", reason=markdown_text(user_error_text(exc))))
        return
    st.session_state[FLASH] = done
    st.rerun()


def _add_form(user: Actor) -> None:
    roles = _role_labels()
    with st.form("user_add", clear_on_submit=True):
        st.markdown("**" + _("Add a user") + "**")
        c1, c2, c3 = st.columns(3)
        name = c1.text_input(_("User name"), key="user_add_name")
        display = c2.text_input(_("Name"), key="user_add_display")
        role = c3.selectbox(_("Role"), list(roles), format_func=roles.__getitem__, key="user_add_role")
        c4, c5 = st.columns(2)
        password = c4.text_input(_("Password"), type="password", key="user_add_password")
        again = c5.text_input(_("Password again"), type="password", key="user_add_again")
        c6, c7 = st.columns(2)
        rank = c6.text_input(_("Rank (signs letters, e.g. AKP)"), max_chars=40, key="user_add_rank")
        nrp = c7.text_input(_("NRP (8 digits)"), max_chars=20, key="user_add_nrp")
        oidc_only = st.checkbox(_("Organisation sign-in only (no password)"), key="user_add_oidc")
        submitted = st.form_submit_button(_("Add user"))
    if not submitted:
        return
    if not oidc_only and password != again:
        st.error(_("The two passwords differ; type them again."))
        return
    _apply(user, lambda s: users.add_user(s, user, name, role, None if oidc_only else password, display, rank, nrp),
           _("User {name} added.", name=markdown_text(name.strip().lower())))


def _change_form(user: Actor, names: list[str]) -> None:
    roles = _role_labels()
    with st.form("user_change"):
        st.markdown("**" + _("Change a user") + "**")
        c1, c2 = st.columns(2)
        target = c1.selectbox(_("User name"), names, key="user_change_name")
        action = c2.radio(_("Change"), ["role", "password", "identity", "disable", "enable"], horizontal=True,
                          format_func={"role": _("Role"), "password": _("Password"),
                                       "identity": _("Name, rank and NRP"), "disable": _("Disable"),
                                       "enable": _("Enable")}.__getitem__, key="user_change_action")
        role = st.selectbox(_("New role"), list(roles), format_func=roles.__getitem__, key="user_change_role")
        password = st.text_input(_("New password"), type="password", key="user_change_password")
        c3, c4, c5 = st.columns(3)
        display = c3.text_input(_("Name"), max_chars=120, key="user_change_display")
        rank = c4.text_input(_("Rank (signs letters, e.g. AKP)"), max_chars=40, key="user_change_rank")
        nrp = c5.text_input(_("NRP (8 digits)"), max_chars=20, key="user_change_nrp")
        submitted = st.form_submit_button(_("Apply"))
    if not submitted or not target:
        return
    actions = {"role": lambda s: users.set_role(s, user, target, role),
               "password": lambda s: users.set_password(s, user, target, password),
               "identity": lambda s: users.set_identity(s, user, target, display, rank, nrp),
               "disable": lambda s: users.set_disabled(s, user, target, True),
               "enable": lambda s: users.set_disabled(s, user, target, False)}
    _apply(user, actions[action], _("Saved."))


def render() -> None:
    user = auth.require_permission("users")
    st.title(_("Users"))
    if st.session_state.get(FLASH):
        st.success(st.session_state.pop(FLASH))
    with ops_data.session_factory()() as session:
        rows = users.list_users(session)
    _table(rows)
    _add_form(user)
    if rows:
        _change_form(user, [u.username for u in rows])


render()
