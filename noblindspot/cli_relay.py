"""`noblindspot` commands: relay (filled in by its issue)."""
COMMANDS: list = []
