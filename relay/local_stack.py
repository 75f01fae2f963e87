"""What `noblindspot up` knows about the processes it started, for the dashboard's operators.

`up` runs the camera simulator, the relay and the dashboard as children. When the simulator or the
relay cannot start (a missing GStreamer package, a taken port), the map and registry still work,
but no camera plays; an operator must be told why without reading a terminal. `up` therefore
writes one small JSON file in the data directory (0600, replaced atomically) with each child's
state and the reason it stopped, and the feeds page reads it.

The reason is the child's own last error line, already redacted by `up` (camera credentials
never reach it), so it is operator detail, not a sentence for a commander.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

STATUS_FILE = "up-status.json"


class ChildState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    FAILED = "failed"      # exited on its own; `reason` says why
    STOPPED = "stopped"    # stopped by `up` (Ctrl-C, SIGTERM)


@dataclass(frozen=True)
class ChildStatus:
    name: str              # "simulator", "relay", "dashboard"
    state: ChildState
    exit_code: int | None = None
    reason: str = ""
    hint: str = ""         # what to do, e.g. "apt-get install gstreamer1.0-x"
    at: float = 0.0        # unix time of the last change

    @property
    def failed(self) -> bool:
        return self.state is ChildState.FAILED


def status_path(data_dir: Path) -> Path:
    return Path(data_dir) / STATUS_FILE


def write_status(data_dir: Path, children: list[ChildStatus]) -> Path:
    """Replace the status file with these children's states (never half-written)."""
    path = status_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".up-status-", dir=path.parent)   # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"children": [asdict(c) for c in children]}, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_status(data_dir: Path) -> dict[str, ChildStatus]:
    """{name: status} from the last `up` in this data directory; empty when there is none or it is unreadable."""
    try:
        raw = json.loads(status_path(data_dir).read_text(encoding="utf-8"))
        rows = raw["children"]
        return {row["name"]: ChildStatus(name=row["name"], state=ChildState(row["state"]),
                                         exit_code=row.get("exit_code"), reason=str(row.get("reason", "")),
                                         hint=str(row.get("hint", "")), at=float(row.get("at", 0.0)))
                for row in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return {}

