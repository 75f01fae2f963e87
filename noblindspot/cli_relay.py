"""`noblindspot relay` and `noblindspot simulate`: the relay's own commands, registered in the CLI.

Both live in the relay package (relay/__main__.py, relay/simulator/cli.py), so `python -m relay`
needs nothing of the CLI and the relay imports nothing of `noblindspot`.
"""
from __future__ import annotations

from relay.__main__ import relay_command
from relay.simulator.cli import simulate_command

COMMANDS: list = [relay_command, simulate_command]
