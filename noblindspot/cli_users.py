"""`noblindspot` commands: users (filled in by its issue)."""
COMMANDS: list = []
