"""Planners: which cameras to connect next (connect_next) and which to re-aim (reaim)."""
