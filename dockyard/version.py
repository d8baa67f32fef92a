"""The installed dockyard version, which the image runtime must match."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dockyard")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0+unknown"
