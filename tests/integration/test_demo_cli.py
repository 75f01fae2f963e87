"""`noblindspot demo` end to end through click, against the test database."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from db.models import Camera, District
from db.repositories import cameras_frame, data_version
from noblindspot.cli import cli
from noblindspot.cli_demo import demo
from noblindspot.context import AppContext


@pytest.fixture
def run(database_url):
    runner = CliRunner()

    def invoke(*args: str, command=cli):
        return runner.invoke(command, list(args), env={"NOBLINDSPOT_DATABASE_URL": database_url},
                             catch_exceptions=False)
    return invoke


def _state(session_factory):
    with session_factory() as s:
        return (s.scalar(select(func.count()).select_from(Camera)), data_version(s, "registry", "layers"),
                s.scalar(select(func.max(Camera.updated_at))))


def test_demo_loads_and_if_empty_then_changes_nothing(run, session_factory):
    result = run("demo", "--cameras", "2000", "--seed", "5", "--stream-host", "sim.local",
                 "--stream-port", "9554")
    assert result.exit_code == 0, result.output
    assert "2,000 cameras" in result.output and "1,858" in result.output
    assert "8 kecamatan and 56 kelurahan" in result.output and "BPS / OCHA, via HDX" in result.output
    with session_factory() as s:
        frame = cameras_frame(s)
        connected = frame[frame["connection"] == "connected"]
        assert connected["kecamatan_name"].value_counts().eq(15).all() and len(connected) == 120
        urls = s.scalars(select(Camera.stream_url).where(Camera.stream_url.is_not(None))).all()
        assert len(urls) == 120 and all("@sim.local:9554/JB-" in u for u in urls)
    # the summary never shows stream credentials
    assert "rtsp://" not in result.output
    before = _state(session_factory)
    again = run("demo", "--if-empty")
    assert again.exit_code == 0, again.output
    assert "already holds 2,000 cameras" in again.output
    assert _state(session_factory) == before


def test_synthetic_geography_and_switching_back_to_the_real_one(run, session_factory):
    result = run("demo", "--cameras", "500", "--geography", "synthetic")
    assert result.exit_code == 0, result.output
    assert "synthetic" in result.output
    with session_factory() as s:
        assert set(s.scalars(select(District.synthetic))) == {True}
    real = run("demo", "--cameras", "500")
    assert real.exit_code == 0, real.output
    with session_factory() as s:    # no synthetic cell is left behind the real districts
        assert set(s.scalars(select(District.synthetic))) == {False}
        assert s.scalar(select(func.count()).select_from(District)) == 8 + 56
        assert cameras_frame(s)["district_code"].notna().all()


def test_too_few_cameras_is_a_usage_error_and_writes_nothing(run, session_factory):
    result = run("demo", "--cameras", "50")
    assert result.exit_code == 2
    assert "at least 120" in result.output
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(District)) == 0


def test_stream_port_out_of_range_is_refused(run):
    result = run("demo", "--stream-port", "70000")
    assert result.exit_code == 2 and "--stream-port" in result.output


@pytest.mark.slow
def test_up_style_invocation_loads_the_full_programme_once(run, session_factory):
    """`noblindspot up` calls ctx.invoke(demo, if_empty=True): the full 19,942 on an empty registry."""
    @click.group()
    @click.pass_context
    def root(ctx):
        ctx.obj = AppContext.from_environment()
        ctx.call_on_close(ctx.obj.close)

    @root.command("start")
    @click.pass_context
    def start(ctx):
        ctx.invoke(ctx.find_root().command.get_command(ctx, "demo"), if_empty=True)

    root.add_command(demo)
    first = run("start", command=root)
    assert first.exit_code == 0, first.output
    with session_factory() as s:
        frame = cameras_frame(s)
    assert len(frame) == 19_942 and frame["district_code"].notna().all()
    assert set(frame["owner_class"]) == {"government", "company", "housing", "private"}
    connected = frame[frame["connection"] == "connected"]
    assert connected.groupby("kecamatan_code").size().tolist() == [15] * 8
    before = _state(session_factory)
    second = run("start", command=root)
    assert second.exit_code == 0 and "already holds 19,942 cameras" in second.output
    assert _state(session_factory) == before
