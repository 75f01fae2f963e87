"""`noblindspot` commands: demo (filled in by its issue)."""
COMMANDS: list = []
