"""`noblindspot` commands: geo (filled in by its issue)."""
COMMANDS: list = []
