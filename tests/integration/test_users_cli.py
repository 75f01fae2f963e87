"""`noblindspot users|roster|audit` against a real migrated database."""
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from db.models import AppUser, AuditEvent, DutyUnit
from noblindspot.cli import cli
from tests.support.ops_registry import seed_registry


@pytest.fixture
def run(database_url, monkeypatch):
    monkeypatch.setenv("NOBLINDSPOT_DATABASE_URL", database_url)
    monkeypatch.delenv("NOBLINDSPOT_CONFIG", raising=False)

    def invoke(*args, stdin=None):
        return CliRunner().invoke(cli, list(args), input=stdin)
    return invoke


def test_users_add_passwd_disable_list(run, session_factory):
    result = run("users", "add", "Budi", "--role", "commander", "--password-stdin", stdin="correct horse battery\n")
    assert result.exit_code == 0, result.output
    assert "user budi added with role commander" in result.output
    result = run("users", "passwd", "budi", "--password-stdin", stdin="another long password\n")
    assert result.exit_code == 0, result.output
    assert run("users", "disable", "budi").exit_code == 0
    listing = run("users", "list")
    assert listing.exit_code == 0 and "budi" in listing.output and "disabled" in listing.output
    assert "password" in listing.output and "correct horse" not in listing.output
    with session_factory() as s:
        user = s.scalar(select(AppUser))
        assert user.disabled and user.password_hash.startswith("$argon2id$")
        events = s.execute(select(AuditEvent.actor, AuditEvent.action).order_by(AuditEvent.id)).all()
    assert [a for _, a in events] == ["user_add", "user_password", "user_disable"]
    assert all(actor.startswith("cli:") for actor, _ in events)


@pytest.mark.parametrize("args,stdin,message", [
    (("users", "add", "x", "--role", "commander", "--password-stdin"), "long enough pw\n", "2-80 characters"),
    (("users", "add", "eve", "--role", "general", "--password-stdin"), "long enough pw\n", "not a valid role"),
    (("users", "add", "eve", "--role", "admin", "--password-stdin"), "short\n", "at least 10"),
    (("users", "add", "eve", "--role", "admin", "--password-stdin"), "", "standard input is empty"),
    (("users", "passwd", "ghost", "--password-stdin"), "long enough pw\n", "no user named"),
])
def test_bad_user_commands_say_why_and_write_nothing(run, session_factory, args, stdin, message):
    result = run(*args, stdin=stdin)
    assert result.exit_code != 0 and message in result.output
    with session_factory() as s:
        assert s.scalar(select(AppUser)) is None


def test_roster_import_command(run, session_factory, tmp_path):
    with session_factory.begin() as s:
        seed_registry(s)
    good = tmp_path / "roster.csv"
    good.write_text("unit,post,headcount,shift_start,shift_end\nU1,PS-KJ,4,2026-11-22 07:00,2026-11-22 19:00\n")
    result = run("roster", "import", str(good))
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,post,headcount,shift_start,shift_end\nU2,NOPE,4,2026-11-22 07:00,2026-11-22 19:00\n")
    result = run("roster", "import", str(bad))
    assert result.exit_code == 1
    assert "line 2: post 'NOPE' is not in the registry" in result.output
    assert "nothing imported" in result.output
    with session_factory() as s:
        assert s.scalars(select(DutyUnit.callsign)).all() == ["U1"]


def test_audit_purge_command(run, session_factory):
    result = run("audit", "purge", "--retention-days", "5")
    assert result.exit_code != 0 and "at least 30" in result.output
    result = run("audit", "purge", "--retention-days", "90")
    assert result.exit_code == 0 and "0 audit events older than 90 days deleted" in result.output


def test_users_add_with_rank_and_nrp_for_letters(run, session_factory):
    result = run("users", "add", "budi", "--role", "commander", "--display-name", "Budi Santoso", "--rank", "AKP",
                 "--nrp", "87051234", "--password-stdin", stdin="correct horse battery\n")
    assert result.exit_code == 0, result.output
    bad = run("users", "add", "eve", "--role", "admin", "--nrp", "12", "--password-stdin", stdin="long enough pw\n")
    assert bad.exit_code != 0 and "NRP is 8 digits" in bad.output
    with session_factory() as s:
        assert s.execute(select(AppUser.username, AppUser.rank, AppUser.nrp)).all() == [("budi", "AKP", "87051234")]
