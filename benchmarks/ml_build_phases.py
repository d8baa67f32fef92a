"""Where a cold ML build's time goes, and what the push's compression settings change.

    .venv/bin/python benchmarks/ml_build_phases.py [--floor] [--variants default,zstd,load]

Not a test: it builds real images (minutes each). For each variant it builds the cold ML spec of
benchmarks/imagespec_vs_flytekit.py (numpy, pandas, scikit-learn, apt git, 5 source files) with dockyard's
own context and buildx command line, FROM a base no build has seen (the Debian base plus a nonce layer,
pushed under a unique name) and with every cache mount renamed for the round, so nothing is warm. Only the
`--output` exporter options differ between variants, all on dockyard's default, reproducible push
(`--build-arg SOURCE_DATE_EPOCH=0 --provenance=false`, the layers' files dated by the Dockerfile itself).
BuildKit's rawjson progress gives each step's start
and end: the install steps (apt, venv, packages, runtime, source), layer export (diff + compression),
and the push. Prints one line per variant with the load average; figures go in benchmarks/RESULTS.md.

Variants (the exporter options after `type=image,name=…,push=true`):
- default: what dockyard's docker builder passes (`build.compression`, gzip at level 1, forced);
- gzip-buildkit: gzip at BuildKit's own level, forced (dockyard's default before 2026-12-03);
- gzip-reuse: gzip without force-compression (the base's layers keep the registry's gzip blobs);
- gzip-1: gzip at compression-level=1, no forced recompression;
- no-unpack: the default, but the engine does not unpack the image into its store before pushing it;
- zstd: zstd (level 3, BuildKit's default) with OCI media types, forced as dockyard does;
- zstd-1: zstd at compression-level=1, forced;
- uncompressed: no compression at all (what a push of raw tars costs);
- load: no push: `--tag … --load` into the local engine, what `run --remote` on the Docker backend does.

`--floor` first measures the install floor of imagespec_vs_flytekit.py (the same installs in a container
of a fresh base, no image export) and prints each variant's wall over it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from imagespec_vs_flytekit import install_floor, pushed_size  # noqa: E402 (the sibling script's helpers)

REGISTRY = "localhost:5000"
BASE_IMAGE = f"{REGISTRY}/dockyard/debian:bookworm"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
VARIANTS = {
    "default": None,  # dockyard's own output option
    "gzip-buildkit": "compression=gzip,force-compression=true",  # BuildKit's own gzip level
    "gzip-reuse": "compression=gzip",
    "gzip-1": "compression=gzip,compression-level=1",
    "no-unpack": "compression=gzip,force-compression=true,unpack=false",
    "zstd": "compression=zstd,force-compression=true,oci-mediatypes=true",
    "zstd-1": "compression=zstd,compression-level=1,force-compression=true,oci-mediatypes=true",
    "uncompressed": "compression=uncompressed",
    "load": None,  # dockyard's own --load
}


def fresh_base(run: str, work: Path) -> str:
    image = f"{REGISTRY}/bench-base/{run}:latest"
    (work / "Dockerfile").write_text(f"FROM {BASE_IMAGE}\nRUN echo {run} > /etc/bench-nonce\n")
    subprocess.run(
        ["docker", "buildx", "build", "--quiet", "--push", "--provenance=false", "-t", image, str(work)],
        check=True, capture_output=True,
    )  # fmt: skip
    return image


def context_for(base: str, nonce: str, work: Path) -> tuple[Any, Any]:
    """dockyard's build context of the ML spec on `base`, cache mounts renamed with `nonce`."""
    from dockyard.builders.docker import DockerBuilder
    from dockyard.config import load_settings
    from dockyard.imagespec import ImageSpec

    prepare_module = importlib.import_module("dockyard.imagespec.prepare")  # not the package's function

    src = work / "src"
    src.mkdir()
    for i in range(5):
        (src / f"module_{i}.py").write_text(f"def step_{i}(x: int) -> int:\n    return x + {i}\n")
    render = prepare_module.render

    def renamed(*args: Any) -> str:
        return re.sub(r"(--mount=type=cache,\S*?\bid=)([\w.-]+)", rf"\1\2-{nonce}", render(*args))

    prepare_module.render = renamed  # type: ignore[assignment]
    os.chdir(work)  # the spec's folder: source_root is relative to it
    build = {"ca_bundle": CA_BUNDLE, "work_dir": str(work / "dockyard")}
    settings = load_settings({"build": build})
    spec = ImageSpec(
        name=f"bench-phases-{nonce}",
        base_image=base,
        registry=REGISTRY,
        packages=["numpy", "pandas", "scikit-learn"],
        apt_packages=["git"],
        source_root="src",
    )
    context = prepare_module.prepare(spec, settings.build, work_dir=work / "dockyard")
    return DockerBuilder(settings), context


def _stamp(text: str) -> float:
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", text)).timestamp()


def _phase(name: str) -> str:
    """The phase a BuildKit vertex or export status belongs to, by its name."""
    rules = [
        ("apt-get", "apt"),
        ("uv venv", "venv"),
        ("packages.txt", "packages"),
        ("dockyard-wheel", "runtime"),
        ("image_install", "runtime"),
        ("exporting layers", "export: layers (diff + compression)"),
        ("pushing layers", "push: layers"),
        (" with docker", "push: by the engine"),
        ("pushing manifest", "push: manifest"),
        ("exporting manifest", "export: manifest and config"),
        ("exporting config", "export: manifest and config"),
        ("exporting attestation", "export: manifest and config"),
        ("naming to", "export: naming and unpacking"),
        ("unpacking to", "export: naming and unpacking"),
        ("COPY", "copy"),
        ("load metadata", "base: metadata"),
        ("FROM", "base: pull"),
    ]
    return next((phase for needle, phase in rules if needle in name), "other")


def phases(events: list[dict[str, Any]]) -> dict[str, float]:
    """Seconds per phase: each vertex's and each export status's start to its completion, summed by
    phase (steps of one phase do not overlap in this Dockerfile, which runs its steps one after another)."""
    spans: dict[tuple[str, str], list[float]] = {}
    for status in events:
        items = [(v.get("digest", ""), v.get("name", ""), v) for v in status.get("vertexes") or []]
        items += [(s.get("id", ""), s.get("id", ""), s) for s in status.get("statuses") or []]
        for key, name, item in items:
            if name.startswith(("exporting to image", "exporting to oci", "pushing layer ")):
                continue  # the parent of the export statuses, and the per-layer parts of "pushing layers"
            span = spans.setdefault((key, name), [float("inf"), 0.0])
            if item.get("started"):
                span[0] = min(span[0], _stamp(item["started"]))
            if item.get("completed"):
                span[1] = max(span[1], _stamp(item["completed"]))
    out: dict[str, float] = {}
    for (_, name), (start, end) in spans.items():
        if end > 0 and start != float("inf"):
            phase = _phase(name)
            out[phase] = out.get(phase, 0.0) + (end - start)
    return out


def run_variant(name: str) -> dict[str, Any]:
    nonce = f"{uuid.uuid4().hex[:8]}-{name}"
    with tempfile.TemporaryDirectory(prefix="ml-phases-") as scratch:
        work = Path(scratch)
        (work / "base").mkdir()
        base = fresh_base(nonce, work / "base")
        builder, context = context_for(base, nonce, work)
        metadata = work / "metadata.json"
        command = builder.command(context, push=name != "load", metadata_file=metadata)
        if VARIANTS[name] is not None:
            index = command.index("--output") + 1
            head = command[index].partition(",compression=")[0]
            insecure = ",registry.insecure=true" if "registry.insecure=true" in command[index] else ""
            command[index] = f"{head},{VARIANTS[name]}{insecure}"
        started = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"{name}: build failed:\n{out.stdout[-3000:]}{out.stderr[-2000:]}")
        wall = time.perf_counter() - started
        events = [json.loads(line) for line in _objects(out.stderr + out.stdout)]  # progress: stderr
        result = {"variant": name, "wall_s": wall, "load": os.getloadavg()[0], **phases(events)}
        if name != "load":
            result["pushed_mb"] = (pushed_size(context.image) or 0) / 1e6
        subprocess.run(["docker", "image", "rm", "-f", base, context.image], capture_output=True)
        return result


def _objects(text: str) -> list[str]:
    """buildx prints each SolveStatus as indented JSON: the whole objects of the stream, no other line."""
    objects: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if current is None:
            if not line.startswith("{"):
                continue
            current = []
        current.append(line)
        if line.startswith("}") or (len(current) == 1 and line.rstrip().endswith("}")):
            objects.append("\n".join(current))
            current = None
    return objects


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--variants", default="default,zstd,load")
    parser.add_argument("--floor", action="store_true", help="measure the install floor first")
    args = parser.parse_args()
    floor = 0.0
    if args.floor:
        with tempfile.TemporaryDirectory(prefix="ml-floor-") as scratch:
            base = fresh_base(f"{uuid.uuid4().hex[:8]}-floor", Path(scratch))
            figures = install_floor(base)
            subprocess.run(["docker", "image", "rm", "-f", base], capture_output=True)
        floor = figures["floor"]
        cells = ", ".join(f"{k} {v:.1f}" for k, v in figures.items())
        print(f"install floor: {cells}, load {os.getloadavg()[0]:.1f}", flush=True)
    for name in args.variants.split(","):
        result = run_variant(name)
        cells = ", ".join(f"{k} {v:.1f}" for k, v in result.items() if isinstance(v, float))
        over = f", {result['wall_s'] / floor:.2f}x the floor" if floor else ""
        print(f"{name}: {cells}{over}", flush=True)
    print(f"{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


if __name__ == "__main__":
    main()
