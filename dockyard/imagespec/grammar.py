"""The grammars a spec's strings must match, so nothing malformed reaches a Dockerfile, a shell or argv.

Each checker returns the (possibly normalised) value or raises ValueError with a short reason that names
the offending character; the model turns that into a SpecError naming the field. Every pattern is applied
with `fullmatch`: `$` would accept a trailing newline, which is how a newline once injected a RUN step.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import urlsplit

# OCI distribution-spec: a path component, a registry host[:port], a tag.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}"

REPOSITORY_RE = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
REGISTRY_RE = re.compile(rf"{_HOST}(?:/{_COMPONENT})*")
TAG_RE = re.compile(_TAG)
REFERENCE_RE = re.compile(
    rf"(?P<name>(?:{_HOST}/)?{_COMPONENT}(?:/{_COMPONENT})*)(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?"
)
# Debian policy 5.6.1 package names, optionally with :arch, =version or /release (what apt-get install takes).
APT_RE = re.compile(r"[a-z0-9][a-z0-9+.-]+(?::[a-z0-9-]+)?(?:=[A-Za-z0-9.+~:-]+|/[a-z0-9.-]+)?")
# conda MatchSpec as micromamba takes it: [channel::]name[ version[ build]] or name[=|==|>=|<…]version,
# with an optional [key=value,…] bracket; no shell or Dockerfile metacharacter.
CONDA_RE = re.compile(
    r"(?:[A-Za-z0-9_.-]+::)?[A-Za-z0-9_][A-Za-z0-9_.-]*"
    r"(?: *(?:[=<>!~]=?|==)? *[A-Za-z0-9_.*+!<>=,|~ -]*)?(?:\[[A-Za-z0-9_.*+<>=,|~ '\"-]*\])?"
)
CHANNEL_RE = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*|https?://[A-Za-z0-9_.:/%@+~-]+")
ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PLATFORM_RE = re.compile(r"[a-z0-9]+/[a-z0-9_]+(?:/[a-z0-9]+)?")
VERSION_RE = re.compile(r"[0-9]+(?:\.[0-9]+){0,2}")
# Characters that end a line somewhere (a Dockerfile, a shell, Python's splitlines) or that no field may
# carry: C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _refuse(value: str, what: str, allowed: str) -> ValueError:
    """Why a value is refused: its first character outside `allowed` (a regex class), else its shape."""
    for position, char in enumerate(value):
        if not re.fullmatch(allowed, char):
            return ValueError(f"{value!r} is not {what}: offending character {char!r} at position {position}")
    return ValueError(f"{value!r} is not {what}")


def _check(value: str, pattern: re.Pattern[str], what: str, allowed: str) -> str:
    if not pattern.fullmatch(value):
        raise _refuse(value, what, allowed)
    return value


def no_control(value: str, what: str = "allowed") -> str:
    """Text that may hold anything printable, but no newline, carriage return, NUL or other control."""
    found = _CONTROL.search(value)
    if found:
        raise ValueError(
            f"{value!r} is not {what}: offending character {found.group()!r} at position {found.start()}"
        )
    return value


def requirement(value: str) -> str:
    """A PEP 508 requirement; options such as `-e` or `--index-url` are not requirements."""
    no_control(value, "a PEP 508 requirement")
    if value.strip().startswith("-"):
        raise ValueError(
            f"{value!r} is an installer option, not a PEP 508 requirement: offending character '-'"
        )
    if has_credentials(value):
        raise ValueError(
            f"{redact_url(value)!r} has credentials in its URL, which would be stored in the image labels;"
            " put them in a netrc file mounted with pip_secret_mounts: [[netrc, /root/.netrc]]"
        )
    value = _named_url(value.strip())
    from packaging.requirements import InvalidRequirement, Requirement  # only for specs that name packages

    try:
        Requirement(value)
    except InvalidRequirement as exc:
        raise ValueError(f"invalid PEP 508 requirement {value!r}: {str(exc).splitlines()[0]}") from None
    return value


# A requirement that is only a URL (pip's `git+https://host/repo.git@ref#egg=name` form, which flytekit passes
# through): the build holds each package by name, so it needs one.
_BARE_URL = re.compile(r"(?:(?:git|hg|svn|bzr)\+)?(?:https?|file|ssh)://\S+")
_EGG = re.compile(r"(?:^|&)egg=(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?=&|$)")


def _named_url(value: str) -> str:
    """`URL#egg=name` as PEP 508's `name @ URL`; a URL naming no project is refused, saying how to name it."""
    if not _BARE_URL.fullmatch(value):
        return value
    url, _, fragment = value.partition("#")
    egg = _EGG.search(fragment)
    if egg is None:
        raise ValueError(
            f"{redact_url(value)!r} names no project: write it as 'NAME @ {redact_url(value)}' (PEP 508)"
        )
    rest = "&".join(part for part in fragment.split("&") if not part.startswith("egg="))
    return f"{egg['name']} @ {url}" + (f"#{rest}" if rest else "")


def conda_spec(value: str) -> str:
    return _check(value, CONDA_RE, "a conda match spec", r"[A-Za-z0-9_.:*+!<>=,|~ \[\]'\"-]")


def conda_channel(value: str) -> str:
    return _check(value, CHANNEL_RE, "a conda channel (name or http(s) URL)", r"[A-Za-z0-9_.:/%@+~-]")


def apt_package(value: str) -> str:
    return _check(value, APT_RE, "a Debian package name", r"[A-Za-z0-9+.:=~/-]")


def registry(value: str) -> str:
    return _check(value, REGISTRY_RE, "a registry (host[:port][/namespace...])", r"[a-z0-9A-Z.:_/-]")


def repository(value: str) -> str:
    return _check(value, REPOSITORY_RE, "a repository name", r"[a-z0-9._/-]")


def tag(value: str) -> str:
    return _check(value, TAG_RE, "an OCI tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})", r"[A-Za-z0-9_.-]")


def image_reference(value: str) -> str:
    return _check(
        value, REFERENCE_RE, "an image reference ([registry/]name[:tag][@digest])", r"[A-Za-z0-9_.:/@+-]"
    )


def env_name(value: str) -> str:
    return _check(value, ENV_NAME_RE, "an environment variable name", r"[A-Za-z0-9_]")


# The platforms docs/imagespec.md documents: Linux images for the architectures uv and Debian both ship.
PLATFORMS = ("linux/amd64", "linux/arm64", "linux/ppc64le", "linux/s390x", "linux/386")


def platform(value: str) -> str:
    no_control(value, "a platform list")
    for item in value.split(","):
        _check(item.strip(), PLATFORM_RE, "a platform (os/arch[/variant], e.g. linux/amd64)", r"[a-z0-9_/]")
        if item.strip() not in PLATFORMS:
            raise ValueError(f"{item.strip()} is not supported (one of {', '.join(PLATFORMS)})")
    return value


def version(value: str) -> str:
    return _check(value, VERSION_RE, "a version (e.g. 3.11 or 12.1.0)", r"[0-9.]")


def index_url(value: str) -> str:
    no_control(value, "an index URL")
    for char in " \t\"'`$\\":
        if char in value:
            raise ValueError(f"{redact_url(value)!r} is not an index URL: offending character {char!r}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https", "file") or (parts.scheme != "file" and not parts.hostname):
        raise ValueError(f"{redact_url(value)!r} is not an http(s) or file index URL")
    return value


def project_path(value: str) -> str:
    """A path inside the project, checked before anything expands it: relative, no `..`, no `~`, no `$VAR`,
    no drive letter or backslash (a Windows path would be read differently on another host)."""
    no_control(value, "a relative path inside the project")
    if not value.strip():
        raise ValueError("an empty path")
    for char in ("~", "$", "\\", "%"):
        if char in value:
            raise ValueError(
                f"{value!r} must be a relative path inside the project: offending character {char!r}"
            )
    if value.startswith("/") or re.match(r"[A-Za-z]:", value):
        raise ValueError(f"{value!r} must be a relative path inside the project, not an absolute path")
    if ".." in value.split("/"):
        raise ValueError(f"{value!r} must be a relative path inside the project: '..' leaves it")
    return value


# --- credentials --------------------------------------------------------------------------------------------
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")


def has_credentials(value: str) -> bool:
    """Whether a URL (or any text holding URLs) carries user:password@ or token@."""
    return _USERINFO.search(value) is not None


def redact_url(value: str) -> str:
    """Every `user:password@` in the text replaced by `redacted-<keyed digest>@`.

    The digest is an HMAC of the user name keyed with the URL without its credentials: a rotated password
    keeps the tag, another user or another index host changes it, and no password (nor a lone token, which
    is a password) is ever hashed. See docs/security.md."""

    def replace(match: re.Match[str]) -> str:
        user, _, password = match["userinfo"].partition(":")
        identity = user if password else ""  # `token@host`: the user name is the secret
        bare = _USERINFO.sub(r"\g<scheme>", value)
        key = hashlib.sha256(bare.encode()).digest()
        keyed = hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()[:16]
        return f"{match['scheme']}redacted-{keyed}@"

    return _USERINFO.sub(replace, value)


_SECRET_WORDS = {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS"}
_SECRET_PAIRS = ("API_KEY", "ACCESS_KEY", "PRIVATE_KEY", "AUTH_KEY")
_SECRET_VALUE = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_\w{30,}"
    r"|\bglpat-[\w-]{20,}|\bhf_[A-Za-z0-9]{30,}|\bxox[abpr]-[\w-]{10,}"
)


def not_a_secret(name: str, value: str) -> None:
    """Refuse an env entry that looks like a credential: env values are stored in the image config, which
    anyone who can pull the image reads."""
    words = name.upper().split("_")
    looks = (
        (bool(value) and (_SECRET_WORDS & set(words) or any(p in name.upper() for p in _SECRET_PAIRS)))
        or has_credentials(value)
        or _SECRET_VALUE.search(value)
    )
    if looks:
        raise ValueError(
            f"{name} looks like a secret, and env is stored in the image config for anyone who pulls it;"
            " give the build a file with pip_secret_mounts, and the task a secret at run time"
            " (Secret requests), instead"
        )
