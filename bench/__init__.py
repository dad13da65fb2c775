"""make bench: speed and size figures (see run.py)."""
