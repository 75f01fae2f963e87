"""`noblindspot up` as a service or CI job runs it: empty HOME, no terminal, standard input closed.

On a fresh machine Streamlit's first-run e-mail prompt stopped `./run.sh`; this starts the real
command (demo seed, real Streamlit) that way and waits for its ready banner.
"""
from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_up_never_asks_and_prints_the_address_and_the_passwords_file(tmp_path):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOBLINDSPOT_", "STREAMLIT_"))}
    env.update(HOME=str(home), NOBLINDSPOT_DATA_DIR=str(data), XDG_DATA_HOME=str(home / ".local/share"))
    env.pop("DISPLAY", None)
    log = tmp_path / "up.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(REPO / ".venv/bin/noblindspot"), "up", "--no-video", "--port", str(port)],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and "No Blindspot is ready" not in log.read_text() and proc.poll() is None:
            time.sleep(0.5)
        text = log.read_text()
        assert proc.poll() is None, text[-2000:]
        assert f"No Blindspot is ready: http://localhost:{port}" in text, text[-2000:]
        assert f"demo sign-in names and passwords: {data / 'demo-accounts.txt'}" in text
        assert "Email" not in text and "Welcome to Streamlit" not in text
        assert httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=5).text == "ok"
        assert not (home / ".streamlit" / "credentials.toml").exists()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert '"state": "stopped"' in (data / "up-status.json").read_text()
    modes = {name: stat.S_IMODE((data / name).stat().st_mode) for name in ("", "secrets.toml", "noblindspot.db")}
    assert modes == {"": 0o700, "secrets.toml": 0o600, "noblindspot.db": 0o600}
    assert "secrets drawn at random" in text and "secrets.toml" in text
