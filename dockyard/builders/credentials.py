"""Registry credentials from the Docker CLI's config, so `docker login` is all a user ever has to do.

Reads `$DOCKER_CONFIG/config.json` (or `~/.docker/config.json`): `credHelpers` for one registry, then
`credsStore` for all, then the base64 `auths` entries. Helpers are run as `docker-credential-<name> get`.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockyard.errors import RegistryError

_DOCKER_HUB_KEYS = ("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")


@dataclass(frozen=True)
class Credentials:
    username: str
    secret: str


def docker_config_path() -> Path:
    """Where the Docker CLI keeps its config (honours $DOCKER_CONFIG like the CLI does)."""
    root = os.environ.get("DOCKER_CONFIG")
    return (Path(root) if root else Path.home() / ".docker") / "config.json"


def _read_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise RegistryError(f"{path}: unreadable Docker config: {exc}") from None
    return data if isinstance(data, dict) else {}


def _keys_for(host: str) -> list[str]:
    """The spellings a config may use for one registry host."""
    if host in _DOCKER_HUB_KEYS:
        return list(_DOCKER_HUB_KEYS)
    return [host, f"https://{host}", f"http://{host}", f"https://{host}/v1/", f"https://{host}/v2/"]


def _from_helper(helper: str, host: str) -> Credentials | None:
    program = f"docker-credential-{helper}"
    server = "https://index.docker.io/v1/" if host in _DOCKER_HUB_KEYS else host
    try:
        proc = subprocess.run([program, "get"], input=server, capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        raise RegistryError(f"{host}: credential helper {program} is not on PATH") from None
    except subprocess.TimeoutExpired:
        raise RegistryError(f"{host}: credential helper {program} timed out") from None
    if proc.returncode != 0:
        if "not found" in (proc.stdout + proc.stderr).lower():
            return None
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        last = detail[-1] if detail else "no output"
        raise RegistryError(f"{host}: credential helper {program} failed: {last}")
    try:
        answer = json.loads(proc.stdout)
        return Credentials(username=str(answer["Username"]), secret=str(answer["Secret"]))
    except (ValueError, KeyError, TypeError):
        raise RegistryError(f"{host}: credential helper {program} printed no Username/Secret JSON") from None


def _from_auths(auths: dict[str, Any], host: str) -> Credentials | None:
    for key in _keys_for(host):
        entry = auths.get(key)
        if not isinstance(entry, dict):
            continue
        if entry.get("identitytoken"):
            return Credentials(username="<token>", secret=str(entry["identitytoken"]))
        if entry.get("auth"):
            try:
                user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                where = f"{docker_config_path()}: auths.{key}.auth"
                raise RegistryError(f"{where} is not base64 user:password") from None
            return Credentials(username=user, secret=password)
        if entry.get("username"):
            return Credentials(username=str(entry["username"]), secret=str(entry.get("password", "")))
    return None


def credentials_for(host: str) -> Credentials | None:
    """The credentials `docker login` stored for `host`, or None when there are none."""
    config = _read_config(docker_config_path())
    helpers = config.get("credHelpers") or {}
    for key in _keys_for(host):
        if key in helpers:
            return _from_helper(str(helpers[key]), host)
    found = _from_auths(config.get("auths") or {}, host)
    if found is None and config.get("credsStore"):
        found = _from_helper(str(config["credsStore"]), host)
    return found
