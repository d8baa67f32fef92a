"""Writes the banner it is given, as the build saw it."""

import sys

print(f"[{sys.argv[1]}]")
