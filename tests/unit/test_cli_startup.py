"""`noblindspot` starts light: help and the commands without geometry import no geo stack or UI."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from noblindspot.cli import COMMANDS, cli

HEAVY = ("geopandas", "pandas", "shapely", "streamlit")
PROBE = """
import json, sys
from noblindspot.cli import cli
try:
    cli({args!r}, prog_name="noblindspot")
except SystemExit as exc:
    code = exc.code
print(json.dumps({{"code": code, "heavy": [m for m in {heavy!r} if m in sys.modules]}}), file=sys.stderr)
"""


def started(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)], capture_output=True,
                          text=True, timeout=60, check=False)
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["users", "--help"], ["users", "list", "--help"],
                                  ["db", "upgrade", "--help"], ["relay", "--help"], ["audit", "--help"]])
def test_help_and_commands_without_geometry_start_without_the_geo_stack_or_streamlit(args):
    assert started(args) == {"code": 0, "heavy": []}


def test_the_probe_would_see_a_heavy_import():
    # `coverage` needs geometry: its module imports pandas, so the probe must report it
    assert "pandas" in started(["coverage", "--help"])["heavy"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_help_is_the_commands_own_and_the_command_is_where_the_table_says(name):
    module, listed = COMMANDS[name]
    command = next(c for c in importlib.import_module(module).COMMANDS if c.name == name)
    assert command.get_short_help_str(limit=1000) == listed
    assert cli.get_command(None, name) is command


def test_every_command_of_every_cli_module_is_in_the_table():
    package = Path(importlib.import_module("noblindspot").__file__).parent
    modules = {f"noblindspot.{path.stem}" for path in package.glob("cli_*.py")}
    assert modules == {module for module, _help in COMMANDS.values()}
    for module in modules:
        names = {command.name for command in importlib.import_module(module).COMMANDS}
        assert {name for name, (owner, _h) in COMMANDS.items() if owner == module} == names
