"""`noblindspot` commands: registry (filled in by its issue)."""
COMMANDS: list = []
