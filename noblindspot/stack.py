"""The child processes of `noblindspot up`: start, watch, report and stop them together.

Each child runs in its own process group. Its stderr passes through to ours with a `[name]`
prefix and a bounded, redacted tail is kept, so when an optional child (the simulator, the relay)
dies, `up` can say loudly *why* and record it in the data directory for the dashboard's feeds page
(relay/local_stack.py). A required child (the dashboard) ending stops everything.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click

from relay.local_stack import ChildState, ChildStatus, write_status
from relay.redact import redact

STOP_GRACE_S = 10.0
TAIL_LINES = 30
_APT_HINT = re.compile(r"apt-get install [a-z0-9.+\- ]+")


@dataclass
class Child:
    name: str
    argv: list[str]
    required: bool
    purpose: str = ""                       # what stops working without it, for the loud message
    ready: Callable[[], bool] | None = None  # a cheap check that it serves (health URL, RTSP OPTIONS)
    process: subprocess.Popen | None = None
    pump: threading.Thread | None = None
    tail: deque = field(default_factory=lambda: deque(maxlen=TAIL_LINES))
    state: ChildState = ChildState.STARTING
    changed_at: float = 0.0

    def status(self) -> ChildStatus:
        code = self.process.poll() if self.process else None
        reason = failure_reason(list(self.tail)) if self.state is ChildState.FAILED else ""
        hint = m.group(0).strip() if (m := _APT_HINT.search(reason)) else ""
        return ChildStatus(self.name, self.state, code, reason, hint, self.changed_at)


def failure_reason(lines: list[str]) -> str:
    """The child's own explanation: its last `Error: ...` line (click), else its last non-empty line."""
    for line in reversed(lines):
        if line.startswith("Error: "):
            return line.removeprefix("Error: ").strip()
    return next((line.strip() for line in reversed(lines) if line.strip()), "")


class Stack:
    """Children started together; `status_dir` receives their states on every change."""

    def __init__(self, children: list[Child], status_dir: Path, echo: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.children = children
        self.status_dir = Path(status_dir)
        self.echo = echo or (lambda text: click.echo(text, err=True))
        self.clock = clock

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self, env: dict[str, str], cwd: Path) -> None:
        for child in self.children:
            child.changed_at = self.clock()
            child.process = subprocess.Popen(child.argv, env=env, cwd=cwd, start_new_session=True,
                                             stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                             errors="replace", bufsize=1)
            child.pump = threading.Thread(target=self._pump, args=(child,), daemon=True, name=f"up-{child.name}")
            child.pump.start()
        self.publish()

    def poll(self) -> int | None:
        """One look at every child: report optional failures; the exit code when a required one ended."""
        for child in self.children:
            code = child.process.poll() if child.process else None
            if code is None and child.state is ChildState.STARTING and child.ready is not None and child.ready():
                self._set(child, ChildState.RUNNING)
            if code is None or child.state in (ChildState.FAILED, ChildState.STOPPED):
                continue
            self._drain(child)
            self._set(child, ChildState.FAILED)
            if child.required:
                self.echo(f"{child.name} exited with code {code}; stopping the rest")
                return code
            self.echo(loud_failure(child))
        return None

    def watch(self, interval_s: float = 0.5) -> int:
        while (code := self.poll()) is None:
            time.sleep(interval_s)
        return code

    def stop(self) -> None:
        running = [c for c in self.children if c.process and c.process.poll() is None]
        for child in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for child in running:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
            self._set(child, ChildState.STOPPED)
        self.publish()

    # ---- plumbing -----------------------------------------------------------------------------
    def publish(self) -> None:
        """Record every child's state (called from the watching thread only)."""
        write_status(self.status_dir, [c.status() for c in self.children])

    def _set(self, child: Child, state: ChildState) -> None:
        child.state, child.changed_at = state, self.clock()
        self.publish()

    def _pump(self, child: Child) -> None:
        for raw in child.process.stderr:
            line = redact(raw.rstrip("\n"))
            child.tail.append(line)
            sys.stderr.write(f"[{child.name}] {line}\n")

    @staticmethod
    def _drain(child: Child, wait_s: float = 1.0) -> None:
        """Let the pump read the last lines of a child that just exited (it ends at end of file)."""
        if child.pump is not None:
            child.pump.join(timeout=wait_s)


def loud_failure(child: Child) -> str:
    status = child.status()
    rule = "=" * 78
    lines = [rule, f"  {child.name.upper()} COULD NOT RUN (exit code {status.exit_code}): {child.purpose}",
             f"  why: {status.reason or 'it printed nothing; see the lines above'}"]
    if status.hint:
        lines.append(f"  fix: {status.hint} (as root), then start ./run.sh again")
    lines += ["  The map, registry and everything else still work; the feeds page shows this too.", rule]
    return "\n".join(lines)

