"""Real builds through the engine: real PyPI and Debian installs, pushed, run, found again, never leaked."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from dockyard.builders.engine import BuildEngine, read_build_record
from dockyard.builders.registry import Present, RegistryClient
from dockyard.imagespec import ImageSpec

from .conftest import SESSION, RealBuild, Recorder, build_settings, small_spec

DOCKYARD = str(Path(sys.executable).parent / "dockyard")
pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]


def test_real_build_is_pushed_and_verified(real_build: RealBuild) -> None:
    outcome = real_build.outcome
    assert outcome.built and outcome.source == "built"
    assert outcome.image_ref == f"{outcome.image.rsplit(':', 1)[0]}@{outcome.digest}"
    with RegistryClient() as client:
        answer = client.lookup(outcome.image)
        labels = client.image_labels(outcome.image)
    assert isinstance(answer, Present) and answer.digest == outcome.digest
    assert labels["dockyard.spec-hash"]  # the imagespec labels reached the image (a LABEL in the Dockerfile)


def test_real_build_runs_its_packages(real_build: RealBuild) -> None:
    script = (
        "import six, pathlib; print(six.__version__); print(pathlib.Path('/root/marker.txt').read_text())"
    )
    run = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            real_build.outcome.image_ref,
            "sh",
            "-c",
            f'python -c "{script}" && jq --version',
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["1.16.0", real_build.marker, "jq-1.6"]


def _blobs(archive: Path) -> list[tuple[str, bytes]]:
    """Every file in a `docker save` archive, layer tarballs uncompressed."""
    found = []
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            handle = tar.extractfile(member)
            assert handle is not None
            data = handle.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            found.append((member.name, data))
    return found


def test_secret_never_reaches_a_layer(real_build: RealBuild, tmp_path: Path) -> None:
    archive = tmp_path / "image.tar"
    subprocess.run(["docker", "pull", "-q", real_build.outcome.image_ref], check=True, capture_output=True)
    subprocess.run(["docker", "save", "-o", str(archive), real_build.outcome.image_ref], check=True)
    blobs = _blobs(archive)
    layers = [data for _, data in blobs if _is_tar(data)]
    assert len(layers) >= 3
    # The scan works: the source file's marker is found in a layer; the secret is found nowhere.
    assert any(real_build.marker.encode() in data for data in layers)
    leaked = [name for name, data in blobs if real_build.secret.encode() in data]
    assert leaked == []


def _is_tar(data: bytes) -> bool:
    try:
        with tarfile.open(fileobj=io.BytesIO(data)):
            return True
    except tarfile.TarError:
        return False


def test_second_ensure_is_a_no_op(real_build: RealBuild) -> None:
    # Ensured once more first: in a tree others are editing, the runtime wheel (hashed) may have changed.
    first = BuildEngine(real_build.settings).ensure([real_build.spec])[real_build.spec]
    cached = Recorder([])
    engine = BuildEngine(real_build.settings, on_event=cached)
    again = engine.ensure([real_build.spec])[real_build.spec]
    assert (again.built, again.source, again.digest) == (False, "cache", first.digest)
    assert engine.builds == 0 and cached.count("build") == 0
    # With the answer cache disabled, the registry answers instead: still no build.
    build = real_build.settings.build.model_copy(update={"exists_cache_ttl_s": 0})
    fresh = BuildEngine(real_build.settings.model_copy(update={"build": build})).ensure([real_build.spec])
    assert (fresh[real_build.spec].built, fresh[real_build.spec].source) == (False, "registry")
    assert fresh[real_build.spec].digest == first.digest


def test_two_specs_build_in_parallel(base_image: str, tmp_path: Path) -> None:
    first, second = small_spec("par-a"), small_spec("par-b")
    recorder = Recorder([])
    engine = BuildEngine(build_settings(tmp_path / "work", parallelism=2), on_event=recorder)
    outcomes = engine.ensure([first, second])
    assert engine.builds == 2 and recorder.count("built") == 2
    assert outcomes[first].built and outcomes[second].built
    assert outcomes[first].digest != outcomes[second].digest
    # Both were building at once: the second build started before the first one finished.
    kinds = [(e.kind, e.image) for e in recorder.events if e.kind in ("build", "built")]
    assert [kind for kind, _ in kinds[:2]] == ["build", "build"], kinds


def test_a_build_keeps_its_size_and_duration(base_image: str, tmp_path: Path) -> None:
    spec = small_spec("sized")
    settings = build_settings(tmp_path / "work")
    outcome = BuildEngine(settings).ensure([spec])[spec]
    assert outcome.built and outcome.duration_s is not None and outcome.duration_s > 0
    kept = read_build_record(settings.build.work_dir, outcome.image.rsplit(":", 1)[1])
    assert kept is not None and (kept.size_bytes, kept.duration_s) == (outcome.size_bytes, outcome.duration_s)
    # the size is what a pull moves: the pushed manifest's config and layers (the host's, from an index)
    manifest = _raw_manifest(outcome.image_ref)
    if "manifests" in manifest:
        arch = {"x86_64": "amd64", "aarch64": "arm64"}[os.uname().machine]
        entry = next(m for m in manifest["manifests"] if m.get("platform", {}).get("architecture") == arch)
        manifest = _raw_manifest(f"{outcome.image_ref.split('@')[0]}@{entry['digest']}")
    blobs = [manifest["config"], *manifest["layers"]]
    assert outcome.size_bytes == sum(blob["size"] for blob in blobs) > 1_000_000
    found = BuildEngine(settings).ensure([spec])[spec]  # found, not built: nothing measured
    assert (found.built, found.size_bytes, found.duration_s) == (False, None, None)


def _raw_manifest(ref: str) -> dict:
    command = ["docker", "buildx", "imagetools", "inspect", "--raw", ref]
    shown = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(shown.stdout)


def test_nested_base_spec_is_built_first(base_image: str, tmp_path: Path) -> None:
    base = small_spec("base")
    child = ImageSpec(name=f"dockyard-test/child-{SESSION}", base_image=base, commands=["echo child"])
    recorder = Recorder([])
    engine = BuildEngine(build_settings(tmp_path / "work"), on_event=recorder)
    outcome = engine.ensure([child])[child]
    built_order = [e.image for e in recorder.events if e.kind == "built"]
    assert built_order == [engine.image_reference(base), outcome.image]
    run = subprocess.run(["docker", "run", "--rm", outcome.image_ref, "true"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_same_spec_from_two_threads_builds_once(base_image: str, tmp_path: Path) -> None:
    spec = small_spec("threads")
    settings = build_settings(tmp_path / "work")
    shared = BuildEngine(settings)
    separate = BuildEngine(settings)  # shares nothing in memory: only the file lock and the registry
    results: list[object] = []

    def ensure(engine: BuildEngine) -> None:
        results.append(engine.ensure([spec])[spec])

    threads = [threading.Thread(target=ensure, args=(e,)) for e in (shared, shared, separate)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    assert shared.builds + separate.builds == 1
    assert len({r.digest for r in results}) == 1  # type: ignore[attr-defined]


def test_same_spec_from_two_processes_builds_once(base_image: str, tmp_path: Path) -> None:
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(f"name: dockyard-test/procs-{SESSION}\ncommands: ['echo procs-{SESSION}']\n")
    env_work = str(tmp_path / "work")
    settings = build_settings(Path(env_work))
    env = {
        "DOCKYARD_BUILD_WORK_DIR": env_work,
        "DOCKYARD_BUILD_CA_BUNDLE": str(settings.build.ca_bundle or ""),
    }
    procs = [
        subprocess.Popen(
            [DOCKYARD, "build", str(spec_file), "--output", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **{k: v for k, v in env.items() if v}},
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    rows = [json.loads(out)[0] for out, _ in outputs]
    assert sorted(r["built"] for r in rows) == [False, True]
    assert rows[0]["image_ref"] == rows[1]["image_ref"]
