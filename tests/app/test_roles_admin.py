"""Admin pages under every role (AppTest, real database): users and posts/duty; an admin manages
accounts and imports the roster through the page; bad rows are shown and nothing is written."""
# ruff: noqa: F811 - tests take the shared app_env fixture imported from test_roles
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import AppUser, AuditEvent, DutyUnit, Post
from geo.vocabulary import Role
from tests.app.test_roles import app_env, signed_in  # noqa: F401 - fixture used by name

ALLOWED = {"users": {Role.ADMIN}, "posts": {Role.COMMANDER, Role.OPERATOR, Role.ADMIN}}
TITLES = {"users": "Users", "posts": "Posts and duty"}
GOOD = b"unit,post,headcount,shift_start,shift_end\nRAIMAS-01,PS-KJ,6,2026-11-22 07:00,2026-11-22 19:00\n"
BAD = b"unit,post,headcount,shift_start,shift_end\nRAIMAS-01,NOPE,6,2026-11-22 07:00,2026-11-22 19:00\n"


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("page", list(TITLES))
def test_admin_pages_per_role(app_env, role, page):
    app = signed_in(role, page).run()
    assert not app.exception, app.exception
    if role in ALLOWED[page]:
        assert [t.value for t in app.title] == [TITLES[page]]
    else:
        assert not app.title and "may not open this page" in app.error[0].value
        assert not app.dataframe and not app.button


def test_only_admin_sees_the_roster_and_personnel_forms(app_env):
    commander = signed_in(Role.COMMANDER, "posts").run()
    assert not commander.file_uploader and not commander.number_input
    admin = signed_in(Role.ADMIN, "posts").run()
    assert len(admin.file_uploader) == 2 and admin.number_input(key="post_personnel_count")


def test_admin_adds_and_disables_a_user_through_the_page(app_env):
    app = signed_in(Role.ADMIN, "users").run()
    assert len(app.dataframe[0].value) == 4
    app.text_input(key="user_add_name").input("Dewi")
    app.selectbox(key="user_add_role").set_value("operator")
    app.text_input(key="user_add_password").input("a long password 1")
    app.text_input(key="user_add_again").input("a long password 2")
    app = app.button(key="FormSubmitter:user_add-Add user").click().run()
    assert "passwords differ" in app.error[0].value
    app.text_input(key="user_add_name").input("Dewi")
    app.selectbox(key="user_add_role").set_value("operator")
    app.text_input(key="user_add_password").input("a long password 1")
    app.text_input(key="user_add_again").input("a long password 1")
    app = app.button(key="FormSubmitter:user_add-Add user").click().run()
    assert not app.exception, app.exception
    assert "User dewi added." in app.success[0].value and len(app.dataframe[0].value) == 5
    app.selectbox(key="user_change_name").set_value("dewi")
    app.radio(key="user_change_action").set_value("disable")
    app = app.button(key="FormSubmitter:user_change-Apply").click().run()
    with app_env() as s:
        dewi = s.scalar(select(AppUser).where(AppUser.username == "dewi"))
        assert dewi.role is Role.OPERATOR and dewi.disabled
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.actor == "sari")).all()
    assert actions == ["user_add", "user_disable"]


def test_roster_upload_reports_bad_lines_then_imports(app_env):
    app = signed_in(Role.ADMIN, "posts").run()
    app.file_uploader(key="roster_upload").set_value(("roster.csv", BAD, "text/csv"))
    app = app.run()
    app = app.button(key="roster_import").click().run()
    assert "Nothing was imported" in app.error[0].value
    assert "line 2: post 'NOPE' is not in the registry" in app.code[0].value
    with app_env() as s:
        assert s.scalar(select(func.count(DutyUnit.id))) == 0
    app.file_uploader(key="roster_upload").set_value(("roster.csv", GOOD, "text/csv"))
    app = app.run()
    app = app.button(key="roster_import").click().run()
    assert not app.exception, app.exception
    assert "Roster imported." in app.success[0].value
    with app_env() as s:
        assert s.scalars(select(DutyUnit.callsign)).all() == ["RAIMAS-01"]


def test_admin_corrects_personnel(app_env):
    app = signed_in(Role.ADMIN, "posts").run()
    app.selectbox(key="post_personnel_code").set_value("PS-KJ")
    app.number_input(key="post_personnel_count").set_value(75)
    app = app.button(key="FormSubmitter:post_personnel-Save personnel").click().run()
    assert not app.exception, app.exception
    with app_env() as s:
        assert s.scalar(select(Post.personnel).where(Post.code == "PS-KJ")) == 75


def test_a_refused_account_change_says_why_in_indonesian(app_env):
    app = signed_in(Role.ADMIN, "users", lang="id").run()
    form = "FormSubmitter:user_add-Tambah pengguna"
    for name, password, expected in (("dewi", "pendek", "Tidak disimpan: kata sandi paling sedikit 10 karakter"),
                                     ("budi", "a long password 1", "Tidak disimpan: pengguna budi sudah ada"),
                                     ("-x", "a long password 1", "Tidak disimpan: nama pengguna terdiri dari")):
        app.text_input(key="user_add_name").input(name)
        app.text_input(key="user_add_password").input(password)
        app.text_input(key="user_add_again").input(password)
        app = app.button(key=form).click().run()
        assert not app.exception, app.exception
        assert app.error[0].value.startswith(expected), app.error[0].value
        assert "password" not in app.error[0].value and "exists" not in app.error[0].value
    with app_env() as s:
        assert s.scalar(select(func.count()).select_from(AppUser)) == 4      # nothing was added


def test_admin_sets_the_name_rank_and_nrp_an_officer_signs_with(app_env):
    app = signed_in(Role.ADMIN, "users").run()
    app.selectbox(key="user_change_name").set_value("budi")
    app.radio(key="user_change_action").set_value("identity")
    app.text_input(key="user_change_display").input("Budi Santoso")
    app.text_input(key="user_change_rank").input("AKP")
    app.text_input(key="user_change_nrp").input("87051234")
    app = app.button(key="FormSubmitter:user_change-Apply").click().run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value.set_index("User name")
    assert (table.loc["budi", "Rank"], table.loc["budi", "NRP"]) == ("AKP", "87051234")
    with app_env() as s:
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.actor == "sari")).all() == ["user_identity"]


def test_a_refused_roster_says_why_in_indonesian(app_env):
    app = signed_in(Role.ADMIN, "posts", lang="id").run()
    bad = (BAD + b"RAIMAS-02,PS-KJ,enam,2026-11-22 07:00,2026-11-22 19:00\n"
           b"RAIMAS-03,PS-KJ,4,2026-11-22 07:00,2026-11-22 06:00\n")
    app.file_uploader(key="roster_upload").set_value(("piket.csv", bad, "text/csv"))
    app = app.run()
    app = app.button(key="roster_import").click().run()
    assert not app.exception, app.exception
    report = app.code[0].value
    assert "piket.csv: 3 masalah dalam 3 baris; tidak ada yang diimpor" in report
    assert "baris 2: pos 'NOPE' tidak ada di registri" in report
    assert "baris 3: jumlah personel 'enam' bukan angka" in report
    assert "baris 4: giliran berakhir sebelum dimulai" in report
    assert "line" not in report and "registry" not in report
    app.file_uploader(key="roster_upload").set_value(("piket.csv", GOOD, "text/csv"))
    app = app.run()
    app = app.button(key="roster_import").click().run()
    assert "1 baris: 1 ditambahkan, 0 diperbarui" in app.success[0].value
