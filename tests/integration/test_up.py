"""`noblindspot up` helpers: demo accounts for a first sign-in."""
from __future__ import annotations

import stat

from db.users import authenticate, list_users
from noblindspot.cli_up import DEMO_ACCOUNTS, ensure_demo_accounts


def test_demo_accounts_created_once_with_private_password_file(session_factory, tmp_path):
    path = ensure_demo_accounts(session_factory, tmp_path)
    assert path is not None and stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = [line.split() for line in path.read_text().splitlines() if not line.startswith("#")]
    assert [(r[0], r[1]) for r in rows] == list(DEMO_ACCOUNTS)
    with session_factory.begin() as s:
        for username, role, password in rows:
            assert authenticate(s, username, password).role.value == role
    assert ensure_demo_accounts(session_factory, tmp_path) is None  # never overwrites real accounts
    with session_factory() as s:
        assert len(list_users(s)) == len(DEMO_ACCOUNTS)
