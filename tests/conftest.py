"""Shared fixtures: the real services that `scripts/setup.sh` starts, and per-test isolation of user dirs.

A missing service fails the test when `CI` is set (CI must never go green by skipping) and skips it
otherwise, with the reason, so a developer without the services still gets the unit tests.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# dockyard.config computes its default data/cache folders at import time, from XDG_*: point them at a
# throw-away folder before any test module imports dockyard, so no run ever writes to the real home.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="dockyard-tests-"))
for _var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
    os.environ[_var] = str(_SESSION_HOME / _var.lower())

REGISTRY = "localhost:5000"
AUTH_REGISTRY = "localhost:5001"
AUTH_USER = "dockyard"
AUTH_PASSWORD = "dockyard-secret"
S3_ENDPOINT = "http://127.0.0.1:5900"
BASE_IMAGE = f"{REGISTRY}/dockyard/debian:bookworm"
SETUP_HINT = "run `bash scripts/setup.sh` (as root) to start it"


def _unavailable(reason: str) -> None:
    """Fail under CI, skip elsewhere: a service that CI lacks is a broken CI, not a reason to pass."""
    message = f"{reason}; {SETUP_HINT}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


_MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def _http_status(url: str, auth: tuple[str, str] | None = None, accept: str | None = None) -> int | None:
    """The HTTP status of a HEAD request, or None when nothing answers."""
    request = urllib.request.Request(url, method="HEAD")
    if accept is not None:
        request.add_header("Accept", accept)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Give each test its own config, cache, data and Docker config dirs, and fresh settings."""
    home = tmp_path / "home"
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        path = home / var.lower()
        path.mkdir(parents=True)
        monkeypatch.setenv(var, str(path))
    # Registry logins made by a test (docker login, credential files) stay in the test.
    docker_config = home / "docker"
    docker_config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_config))
    for name in list(os.environ):
        if name.startswith("DOCKYARD_"):
            monkeypatch.delenv(name)
    from dockyard.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def docker_engine() -> str:
    """The local Docker engine with buildx; returns the server version."""
    if shutil.which("docker") is None:
        _unavailable("docker CLI not installed")
    info = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True, timeout=30
    )
    if info.returncode != 0:
        _unavailable(f"Docker engine not answering: {info.stderr.strip().splitlines()[-1:]}")
    buildx = subprocess.run(["docker", "buildx", "version"], capture_output=True, text=True, timeout=30)
    if buildx.returncode != 0:
        _unavailable("docker buildx plugin missing")
    if not Path("/sys/class/net/docker0").exists():  # deleted by a dockerd started with --bridge=none
        _unavailable("the docker0 bridge is gone, so no container can start (setup.sh restarts dockerd)")
    return info.stdout.strip()


@pytest.fixture(scope="session")
def registry() -> str:
    """The open loopback registry, as `host:port`."""
    status = _http_status(f"http://{REGISTRY}/v2/")
    if status != 200:
        _unavailable(f"registry {REGISTRY} answered {status} on /v2/")
    return REGISTRY


@dataclass(frozen=True)
class AuthRegistry:
    """The htpasswd-protected registry and its one valid login."""

    host: str
    user: str
    password: str

    def __iter__(self) -> Iterator[str]:
        """Unpacks as `host, user, password = auth_registry`."""
        return iter((self.host, self.user, self.password))


@pytest.fixture(scope="session")
def auth_registry() -> AuthRegistry:
    """The registry that needs basic auth: anonymous gets 401, the documented login gets 200."""
    anonymous = _http_status(f"http://{AUTH_REGISTRY}/v2/")
    authorized = _http_status(f"http://{AUTH_REGISTRY}/v2/", (AUTH_USER, AUTH_PASSWORD))
    if anonymous != 401 or authorized != 200:
        _unavailable(f"auth registry {AUTH_REGISTRY} answered {anonymous} anonymous, {authorized} with login")
    return AuthRegistry(AUTH_REGISTRY, AUTH_USER, AUTH_PASSWORD)


@pytest.fixture(scope="session")
def s3_server() -> str:
    """The moto S3 endpoint URL."""
    if _http_status(f"{S3_ENDPOINT}/") is None:
        _unavailable(f"moto S3 not answering at {S3_ENDPOINT}")
    return S3_ENDPOINT


@pytest.fixture
def s3_bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, empty bucket for one test; AWS_* variables point boto3 at moto. Returns the bucket name."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    name = f"dockyard-test-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def base_image(docker_engine: str, registry: str) -> str:
    """The Debian-made base image, in the registry and the local image store."""
    present = subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True, timeout=30)
    if (
        present.returncode != 0
        or _http_status(f"http://{registry}/v2/dockyard/debian/manifests/bookworm", accept=_MANIFEST_TYPES)
        != 200
    ):
        _unavailable(f"base image {BASE_IMAGE} missing")
    return BASE_IMAGE


@pytest.fixture(scope="session")
def debian_image(docker_engine: str, registry: str) -> Callable[[str], str]:
    """Make (once, lazily) and return the Debian base image of another suite, e.g. `debian_image("trixie")`,
    with the same script setup.sh uses for bookworm (debootstrap, about 40 s the first time, then cached)."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "base-image.sh"

    def make(suite: str) -> str:
        ref = f"{registry}/dockyard/debian:{suite}"
        if os.geteuid() != 0:
            present = subprocess.run(["docker", "image", "inspect", ref], capture_output=True, timeout=30)
            if present.returncode != 0:
                _unavailable(f"{ref} missing and making it needs root (scripts/base-image.sh {suite})")
            return ref
        made = subprocess.run(["bash", str(script), suite], capture_output=True, text=True, timeout=900)
        if made.returncode != 0:
            _unavailable(f"scripts/base-image.sh {suite} failed: {made.stderr.strip().splitlines()[-1:]}")
        return ref

    return make
