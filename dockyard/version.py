"""The installed dockyard version, which the image runtime must match."""

from importlib.metadata import PackageNotFoundError, distribution


def installed_version(name: str) -> str:
    """An installed distribution's version, from the headers of its METADATA: `importlib.metadata.version`
    parses the whole file with the email package, long description included (milliseconds for dockyard's
    and uv's, and both are read by every tag). PackageNotFoundError when it is not installed."""
    dist = distribution(name)
    headers = (dist.read_text("METADATA") or dist.read_text("PKG-INFO") or "").partition("\n\n")[0]
    for line in headers.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "version":
            return value.strip()
    return dist.version  # no Version header where expected: the full parser decides


try:
    __version__ = installed_version("dockyard")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0+unknown"
