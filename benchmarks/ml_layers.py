"""Heavy-package layers and layer compression, measured on the local Docker engine and registry.

1. Layers: two specs share heavy CUDA wheels (nvidia-cublas-cu12, nvidia-cuda-nvrtc-cu12) and differ in one
   small package. Built and pushed with `build.heavy_packages` at its default (each heavy package a layer of
   its own, first) and empty (everything in one packages layer). Reported: each image's compressed layer
   bytes in the registry, the bytes the two share, and what pulling B costs once A is on the node.
2. Compression: the same context built from scratch (`--no-cache`; uv's download cache stays warm) and pushed
   with gzip, then zstd, alternating; wall time and pushed bytes.

3. torch (`--torch`): two specs with `torch==2.5.1` (PyPI's build, with its nvidia-* and triton dependencies)
   that differ in one small package, locked with `dockyard lock`'s compiler for linux/amd64 and Python 3.11,
   built one after the other on this builder with the default heavy layers. Reported: the heavy layers'
   sizes, what the two images share, and what pulling B costs once A is on the node.

`.venv/bin/python benchmarks/ml_layers.py --rounds 2 --write` regenerates the first section of RESULTS.md,
`.venv/bin/python benchmarks/ml_layers.py --torch --write` the torch one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dockyard.builders.docker import DockerBuilder
from dockyard.config import load_settings
from dockyard.imagespec import ImageSpec, prepare
from dockyard.imagespec.lock import compile_pip

REGISTRY = "localhost:5000"
HEAVY = ["nvidia-cublas-cu12==12.4.5.8", "nvidia-cuda-nvrtc-cu12==12.4.127"]
CA = Path("/etc/ssl/certs/ca-certificates.crt")
RESULTS = Path(__file__).parent / "RESULTS.md"
START, END = "<!-- ml_layers:start -->", "<!-- ml_layers:end -->"
TORCH_START, TORCH_END = "<!-- ml_torch:start -->", "<!-- ml_torch:end -->"
TORCH = "torch==2.5.1"
ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]
)


def _get(path: str) -> dict[str, Any]:
    request = urllib.request.Request(f"http://{REGISTRY}/v2/{path}", headers={"Accept": ACCEPT})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def layers(image: str) -> list[tuple[str, int]]:
    """(digest, compressed size) of each layer of the amd64 image behind `image`."""
    repository, tag = image.removeprefix(f"{REGISTRY}/").rsplit(":", 1)
    manifest = _get(f"{repository}/manifests/{tag}")
    if "manifests" in manifest:
        chosen = next(
            m for m in manifest["manifests"] if m.get("platform", {}).get("architecture") == "amd64"
        )
        manifest = _get(f"{repository}/manifests/{chosen['digest']}")
    return [(layer["digest"], layer["size"]) for layer in manifest["layers"]]


def _drop(image: str) -> None:
    """Remove the local copy (the registry keeps the pushed one): the disk is shared."""
    subprocess.run(["docker", "image", "rm", "-f", image], capture_output=True, timeout=300)


def _settings(work: Path, **build: Any) -> Any:
    values: dict[str, Any] = {"work_dir": str(work), **build}
    if CA.is_file():
        values["ca_bundle"] = str(CA)
    return load_settings({"build": values}, environ={})


def _spec(name: str, extra: str) -> ImageSpec:
    return ImageSpec(name=name, python_version="3.11", packages=[*HEAVY, extra], platform="linux/amd64")


def layer_experiment(work: Path, run: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for mode, heavy in (("own layers", None), ("one layer", [])):
        overrides = {} if heavy is None else {"heavy_packages": heavy}
        settings = _settings(work / mode.replace(" ", "-"), **overrides)
        builder = DockerBuilder(settings)
        images = []
        for label, extra in (("a", "six==1.17.0"), ("b", "attrs==24.2.0")):
            spec = _spec(f"bench-ml/{run}-{mode.replace(' ', '-')}-{label}", extra)
            context = prepare(spec, settings.build, work_dir=settings.build.work_dir)
            builder.build(context, push=True)
            images.append(layers(context.image))
            _drop(context.image)
        a, b = ({d: s for d, s in image} for image in images)
        shared = sum(size for digest, size in a.items() if digest in b)
        found[mode] = {
            "a_bytes": sum(a.values()),
            "b_bytes": sum(b.values()),
            "shared": shared,
            "b_after_a": sum(b.values()) - shared,
            "layers": len(a),
            "largest": max(a.values()),
        }
    return found


def torch_experiment(work: Path, run: str) -> tuple[dict[str, Any], str]:
    """Build A then B (torch + one small package each, from pip locks); their layers in the registry."""
    settings = _settings(work / "torch")
    builder = DockerBuilder(settings)
    images, timings = [], []
    for label, extra in (("a", "six==1.17.0"), ("b", "attrs==24.2.0")):
        folder = work / f"torch-{label}"
        folder.mkdir(parents=True)
        fields: dict[str, Any] = {
            "name": f"bench-ml/{run}-torch-{label}",
            "python_version": "3.11",
            "packages": [TORCH, extra],
            "platform": "linux/amd64",
        }
        lock = compile_pip(ImageSpec(**fields), settings.build, folder / "spec.pip.lock.txt")
        cwd = Path.cwd()
        os.chdir(folder)  # a spec's files are relative to the current folder
        try:
            spec = ImageSpec(**fields, pip_lock=lock.name)
            started = time.monotonic()
            context = prepare(spec, settings.build, work_dir=settings.build.work_dir)
            layer_files = sorted((context.directory / "gen" / "heavy").iterdir())
            heavy = [p.stem.split("-", 1)[1] for p in layer_files]  # "04-nvidia-cudnn-cu12.txt" → the name
            builder.build(context, push=True)
            timings.append(time.monotonic() - started)
        finally:
            os.chdir(cwd)
        images.append(layers(context.image))
        _drop(context.image)
    a, b = ({d: s for d, s in image} for image in images)
    shared = sum(size for digest, size in a.items() if digest in b)
    found = {
        "a_bytes": sum(a.values()),
        "b_bytes": sum(b.values()),
        "shared": shared,
        "b_after_a": sum(b.values()) - shared,
        "layers": len(a),
        "sizes": [size for _, size in images[0]],
        "heavy": heavy,
        "seconds": timings,
    }
    return found, _torch_report(found)


def _torch_report(found: dict[str, Any]) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sizes = found["sizes"]
    return "\n".join(
        [
            f"Measured {now}, 2 CPUs, load average {os.getloadavg()[0]:.1f}; {TORCH} with its locked "
            f"dependencies, {len(found['heavy'])} heavy layers ({', '.join(found['heavy'])}).",
            "",
            "| image | layers | compressed (MB) | shared with A (MB) | pull after A (MB) | build+push (s) |",
            "|---|---:|---:|---:|---:|---:|",
            f"| A (torch + six) | {found['layers']} | {_mb(found['a_bytes'])} | | "
            f"| {found['seconds'][0]:.0f} |",
            f"| B (torch + attrs) | {found['layers']} | {_mb(found['b_bytes'])} | {_mb(found['shared'])} "
            f"| {_mb(found['b_after_a'])} | {found['seconds'][1]:.0f} |",
            "",
            "Layer sizes of A in order (MB): " + ", ".join(_mb(size) for size in sizes) + ".",
        ]
    )


def compression_run(work: Path, compression: str, run: str) -> tuple[float, int]:
    settings = _settings(work / f"compress-{compression}")
    spec = _spec(f"bench-ml/{run}-compress-{compression}", "six==1.17.0")
    context = prepare(spec, settings.build, work_dir=settings.build.work_dir)
    command = ["docker", "buildx", "build", "--no-cache", "--progress=quiet", "--platform", "linux/amd64"]
    for secret_id, path in context.secrets.items():
        command += ["--secret", f"id={secret_id},src={path}"]
    output = f"type=image,name={context.image},push=true,compression={compression},force-compression=true"
    command += ["--output", output, str(context.directory)]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"{compression} build failed:\n{result.stderr[-3000:]}")
    elapsed = time.monotonic() - started
    pushed = sum(size for _, size in layers(context.image))
    _drop(context.image)
    return elapsed, pushed


def _mb(value: float) -> str:
    return f"{value / 1e6:,.1f}"


def report(layer: dict[str, Any], timings: dict[str, list[tuple[float, int]]], rounds: int) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {now}, 2 CPUs, load average {os.getloadavg()[0]:.1f}; heavy packages: {', '.join(HEAVY)}.",
        "",
        "| layout | layers | largest (MB) | image A (MB) | image B (MB) | shared (MB) | B after A (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, row in layer.items():
        lines.append(
            f"| {mode} | {row['layers']} | {_mb(row['largest'])} | {_mb(row['a_bytes'])} "
            f"| {_mb(row['b_bytes'])} | {_mb(row['shared'])} | {_mb(row['b_after_a'])} |"
        )
    lines += [
        "",
        f"Compression: build from scratch + push of image A, median of {rounds} alternating rounds.",
        "",
        "| compression | wall time (s) | pushed (MB) |",
        "|---|---:|---:|",
    ]
    for compression, runs in timings.items():
        lines.append(
            f"| {compression} | {statistics.median(t for t, _ in runs):.1f} "
            f"| {_mb(statistics.median(s for _, s in runs))} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="replace the section in RESULTS.md")
    parser.add_argument("--torch", action="store_true", help="only the torch experiment")
    args = parser.parse_args()
    run = uuid.uuid4().hex[:8]
    if args.torch:
        with tempfile.TemporaryDirectory(prefix="bench-ml-") as scratch:
            found, text = torch_experiment(Path(scratch), run)
        print(found)
        print(text)
        if args.write:
            _write_section(TORCH_START, TORCH_END, text)
        return
    with tempfile.TemporaryDirectory(prefix="bench-ml-") as scratch:
        work = Path(scratch)
        layer = layer_experiment(work, run)
        print(layer, flush=True)
        timings: dict[str, list[tuple[float, int]]] = {"gzip": [], "zstd": []}
        for round_ in range(args.rounds):
            order = ["gzip", "zstd"] if round_ % 2 == 0 else ["zstd", "gzip"]
            for compression in order:
                timings[compression].append(compression_run(work, compression, f"{run}{round_}"))
    text = report(layer, timings, args.rounds)
    print(text)
    if args.write:
        _write_section(START, END, text)


def _write_section(start: str, end: str, text: str) -> None:
    content = RESULTS.read_text()
    head, _, rest = content.partition(start)
    _, _, tail = rest.partition(end)
    RESULTS.write_text(f"{head}{start}\n{text}\n{end}{tail}")


if __name__ == "__main__":
    main()
