"""Multi-arch: one index for `linux/amd64,linux/arm64`, the exists check wants every platform (attestation
manifests, `unknown/unknown`, skipped), and the arm64 image runs under QEMU. The two-platform base image is
made by scripts/multiarch-base.sh (debootstrap --arch=arm64 through QEMU) when missing. uv itself runs as a
native amd64 process in the arm64 stage (static: uv_binary.py); only the target's Python is emulated."""

from __future__ import annotations

import json
import subprocess
import urllib.request
import uuid
from pathlib import Path

import pytest

from dockyard.builders.engine import BuildEngine, missing_platforms
from dockyard.builders.registry import Present, RegistryClient
from dockyard.config import Settings, load_settings
from dockyard.imagespec import ImageSpec

ROOT = Path(__file__).resolve().parents[2]
MULTI_BASE = "localhost:5000/dockyard/debian:bookworm-multi"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def test_missing_platforms() -> None:
    both = ("linux/amd64", "linux/arm64")
    assert missing_platforms(both, ("linux/amd64", "linux/arm64/v8")) == []
    assert missing_platforms(both, ("linux/amd64",)) == ["linux/arm64"]
    assert missing_platforms(("linux/arm",), ("linux/arm64",)) == ["linux/arm"]  # no prefix confusion
    assert missing_platforms(both, ()) == list(both)  # a plain manifest is one platform
    assert missing_platforms(("linux/amd64",), ()) == []
    assert missing_platforms((), ()) == []


def _settings(work: Path, base: str) -> Settings:
    values: dict[str, object] = {"work_dir": str(work), "default_base_image": base}
    if CA_BUNDLE.is_file():
        values["ca_bundle"] = str(CA_BUNDLE)
    return load_settings({"build": values}, environ={})


@pytest.fixture(scope="session")
def multi_base(base_image: str) -> str:
    if not Path("/proc/sys/fs/binfmt_misc/qemu-aarch64").exists():
        pytest.skip("no qemu-aarch64 in binfmt_misc (qemu-user-static): cannot make or run arm64 images")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "multiarch-base.sh"), "bookworm"],
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return MULTI_BASE


def _index_platforms(image: str) -> list[str]:
    repository, tag = image.removeprefix("localhost:5000/").rsplit(":", 1)
    request = urllib.request.Request(
        f"http://localhost:5000/v2/{repository}/manifests/{tag}",
        headers={"Accept": "application/vnd.oci.image.index.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        index = json.loads(response.read())
    return sorted(f"{m['platform']['os']}/{m['platform']['architecture']}" for m in index["manifests"])


def test_two_platform_build(
    multi_base: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    work = tmp_path_factory.mktemp("ml-multi")
    spec = ImageSpec(
        name=f"dockyard-test/ml-multi-{uuid.uuid4().hex[:8]}",
        packages=["six==1.17.0"],
        platform="linux/amd64,linux/arm64",
    )
    engine = BuildEngine(_settings(work, multi_base))
    outcome = engine.ensure([spec])[spec]
    request.addfinalizer(
        lambda: subprocess.run(
            ["docker", "image", "rm", "-f", outcome.image], capture_output=True, timeout=300
        )
    )
    assert outcome.built
    platforms = _index_platforms(outcome.image)
    assert {"linux/amd64", "linux/arm64"} <= set(platforms)
    with RegistryClient() as client:
        answer = client.lookup(outcome.image)
    assert isinstance(answer, Present) and "unknown/unknown" not in answer.platforms
    assert not missing_platforms(spec.platforms, answer.platforms)
    run = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "--platform",
            "linux/arm64",
            "--entrypoint",
            "python",
            outcome.image_ref,
            "-c",
            "import platform, six; print(platform.machine(), six.__version__)",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["aarch64", "1.17.0"]
    # A second engine (fresh answer cache) finds every platform in the registry: nothing to build.
    again = BuildEngine(_settings(work / "again", multi_base))
    found = again._existing(outcome.image, use_cache=False, platforms=spec.platforms)
    assert found is not None and found.digest == outcome.digest


def test_exists_check_rebuilds_when_a_platform_is_missing(
    base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """An amd64-only image pushed under the tag of an amd64+arm64 spec does not count as present."""
    work = tmp_path_factory.mktemp("ml-partial")
    spec = ImageSpec(
        name=f"dockyard-test/ml-partial-{uuid.uuid4().hex[:8]}", platform="linux/amd64,linux/arm64"
    )
    engine = BuildEngine(_settings(work, base_image))
    image = engine.image_reference(spec)
    subprocess.run(["docker", "tag", base_image, image], check=True)
    subprocess.run(["docker", "push", "-q", image], check=True, capture_output=True)
    subprocess.run(["docker", "image", "rm", image], check=True, capture_output=True)  # the tag only
    events: list[str] = []
    engine.on_event = lambda event: events.append(f"{event.kind}:{event.detail}")
    assert engine._existing(image, use_cache=False, platforms=spec.platforms) is None
    assert any(
        "no image for linux/amd64, linux/arm64" in e or "no image for linux/arm64" in e for e in events
    )
    assert engine._existing(image, use_cache=False, platforms=("linux/amd64",)) is not None
    # The dry run agrees with the build: an image missing a requested platform is absent.
    planned = engine.plan([spec])[spec]
    assert planned.state == "absent"
    assert planned.detail in ("no image for linux/amd64, linux/arm64", "no image for linux/arm64")


def test_image_platforms_of_an_index_and_of_a_plain_manifest(multi_base: str, base_image: str) -> None:
    """What the engine's base-platform check reads: an index's entries, or a single image's config."""
    with RegistryClient() as client:
        assert sorted(client.image_platforms(multi_base)) == ["linux/amd64", "linux/arm64"]
        assert client.image_platforms(base_image) == ("linux/amd64",)


def test_a_two_platform_spec_on_the_two_platform_base_passes_the_base_check(
    multi_base: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from dockyard.imagespec import prepare

    work = tmp_path_factory.mktemp("ml-base-check")
    settings = _settings(work, multi_base)
    engine = BuildEngine(settings)
    spec = ImageSpec(name="dockyard-test/base-check", platform="linux/amd64,linux/arm64")
    engine._check_base_platforms(prepare(spec, settings.build, work_dir=work), offline=False)  # no error
