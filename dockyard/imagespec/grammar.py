"""The grammars a spec's strings must match, so nothing malformed reaches a Dockerfile or a shell.

Each checker returns the (possibly normalised) value or raises ValueError with a short reason; the model
turns that into a SpecError naming the field.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from packaging.requirements import InvalidRequirement, Requirement

# OCI distribution-spec: a path component, a registry host[:port], a tag.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}"

REPOSITORY_RE = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
REGISTRY_RE = re.compile(rf"^{_HOST}(?:/{_COMPONENT})*$")
TAG_RE = re.compile(rf"^{_TAG}$")
REFERENCE_RE = re.compile(
    rf"^(?P<name>(?:{_HOST}/)?{_COMPONENT}(?:/{_COMPONENT})*)(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$"
)
# Debian policy 5.6.1 package names, optionally with :arch, =version or /release (what apt-get install takes).
APT_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]+(?::[a-z0-9-]+)?(?:=[A-Za-z0-9.+~:-]+|/[a-z0-9.-]+)?$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PLATFORM_RE = re.compile(r"^[a-z0-9]+/[a-z0-9_]+(?:/[a-z0-9]+)?$")
VERSION_RE = re.compile(r"^[0-9]+(?:\.[0-9]+){0,2}$")


def requirement(value: str) -> str:
    """A PEP 508 requirement; options such as `-e` or `--index-url` are not requirements."""
    if value.strip().startswith("-"):
        raise ValueError(f"{value!r} is an installer option, not a PEP 508 requirement")
    try:
        Requirement(value)
    except InvalidRequirement as exc:
        raise ValueError(f"invalid PEP 508 requirement {value!r}: {str(exc).splitlines()[0]}") from None
    return value.strip()


def apt_package(value: str) -> str:
    if not APT_RE.match(value):
        raise ValueError(f"{value!r} is not a Debian package name (lowercase letters, digits, '+', '-', '.')")
    return value


def registry(value: str) -> str:
    if not REGISTRY_RE.match(value):
        raise ValueError(f"{value!r} is not a registry (host[:port][/namespace...], lowercase path)")
    return value


def repository(value: str) -> str:
    if not REPOSITORY_RE.match(value):
        raise ValueError(
            f"{value!r} is not a repository name (lowercase letters, digits, '.', '_', '-', '/')"
        )
    return value


def tag(value: str) -> str:
    if not TAG_RE.match(value):
        raise ValueError(f"{value!r} is not an OCI tag ([A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})")
    return value


def image_reference(value: str) -> str:
    if not REFERENCE_RE.match(value):
        raise ValueError(f"{value!r} is not an image reference ([registry/]name[:tag][@digest])")
    return value


def env_name(value: str) -> str:
    if not ENV_NAME_RE.match(value):
        raise ValueError(f"{value!r} is not an environment variable name")
    return value


def platform(value: str) -> str:
    for item in value.split(","):
        if not PLATFORM_RE.match(item.strip()):
            raise ValueError(f"{item!r} is not a platform (os/arch[/variant], e.g. linux/amd64)")
    return value


def version(value: str) -> str:
    if not VERSION_RE.match(value):
        raise ValueError(f"{value!r} is not a version (e.g. 3.11 or 12.1.0)")
    return value


def index_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https", "file") or (parts.scheme != "file" and not parts.hostname):
        raise ValueError(f"{value!r} is not an http(s) or file index URL")
    if any(c.isspace() for c in value):
        raise ValueError(f"{value!r} contains whitespace")
    return value


def redact_url(value: str) -> str:
    """The URL without user:password, for hashing and labels."""
    parts = urlsplit(value)
    if parts.username is None and parts.password is None:
        return value
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return parts._replace(netloc=host).geturl()


def has_credentials(value: str) -> bool:
    parts = urlsplit(value)
    return parts.username is not None or parts.password is not None
