"""Hostile but legal conditions, generated at test time: each ends in one line, never a traceback."""
