"""Builds shared by the builder tests: each real image is built once per session (2 cores for everyone)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dockyard.builders.engine import BuildEngine, BuildEvent, BuildOutcome
from dockyard.config import Settings, load_settings
from dockyard.imagespec import ImageSpec

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SESSION = uuid.uuid4().hex[:10]  # repository names unique to this run, so every first ensure really builds


def build_settings(work_dir: Path, **build: object) -> Settings:
    """Defaults plus a private work dir, and the CA bundle this machine needs to reach PyPI and Debian."""
    values: dict[str, object] = {"work_dir": str(work_dir), **build}
    if CA_BUNDLE.is_file():
        values.setdefault("ca_bundle", str(CA_BUNDLE))
    return load_settings({"build": values}, environ={})


@dataclass
class Recorder:
    """Counts what an engine did, through its event hook (how the runtime's tests count builds too)."""

    events: list[BuildEvent]

    def __call__(self, event: BuildEvent) -> None:
        self.events.append(event)

    def count(self, kind: str) -> int:
        return sum(1 for e in self.events if e.kind == kind)


@dataclass(frozen=True)
class RealBuild:
    spec: ImageSpec
    outcome: BuildOutcome
    secret: str
    marker: str
    settings: Settings


@pytest.fixture(scope="session")
def session_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="dockyard-builders-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _remove_session_images() -> Iterator[None]:
    """The images this session built stay in the registry, but not in the local engine: disk is shared."""
    yield
    listed = subprocess.run(
        ["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], capture_output=True, text=True
    )
    mine = [name for name in listed.stdout.split() if name.startswith("localhost:") and SESSION in name]
    if mine:
        subprocess.run(["docker", "image", "rm", "--force", *mine], capture_output=True)


@pytest.fixture(scope="session")
def real_build(base_image: str, session_dir: Path) -> RealBuild:
    """A spec with a PyPI package (uv), a Debian package (apt), source files and a secret mount, pushed."""
    root = session_dir / "app"
    root.mkdir()
    marker = f"visible-marker-{uuid.uuid4().hex}"
    (root / "marker.txt").write_text(marker + "\n")
    secret = f"fake-secret-{uuid.uuid4().hex}"
    secret_file = session_dir / "netrc"
    secret_file.write_text(f"machine pypi.example.com login user password {secret}\n")
    # source_root is relative to the spec's folder (an absolute one is refused): declare it in YAML there.
    (session_dir / "spec.yaml").write_text(
        f"name: dockyard-test/real-{SESSION}\npackages: [six==1.16.0]\napt_packages: [jq]\n"
        f"source_root: app\npip_secret_mounts: [[{secret_file}, /root/.netrc]]\n"
    )
    spec = ImageSpec.from_yaml(session_dir / "spec.yaml")
    settings = build_settings(session_dir / "work")
    outcome = BuildEngine(settings).ensure([spec])[spec]
    return RealBuild(spec=spec, outcome=outcome, secret=secret, marker=marker, settings=settings)


def small_spec(label: str, **fields: object) -> ImageSpec:
    """A spec that builds fast: nothing but the runtime layer (cached) and one cheap command."""
    return ImageSpec(name=f"dockyard-test/{label}-{SESSION}", commands=[f"echo {label}-{SESSION}"], **fields)
