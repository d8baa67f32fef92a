"""Size of the dockyard runtime layer in a task image, per store, against the whole client as it was.

Builds the default image (no packages, the default base) on the local engine under four set-ups and reads
each layer's size from `docker history` (uncompressed bytes, as the layer lands on a node's disk):
- `file://` store: the runtime set alone (dockyard/image_install.py);
- `s3://` store: plus boto3 (the 's3' runtime extra);
- `s3://` plus the 'kubernetes' extra (a run whose tasks use a pod_template);
- before the split: dockyard with every dependency of `pip install dockyard` (what each image carried
  before issue 14): the client-only requirements as packages, plus the runtime layer.
Target: the runtime layer at most 25 MB over the base (plus the store's client for s3://).

    .venv/bin/python benchmarks/runtime_layer.py [--write]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from dockyard.builders.engine import BuildEngine
from dockyard.config import load_settings
from dockyard.image_install import client_requirements
from dockyard.imagespec import ImageSpec
from dockyard.version import __version__

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")  # package indexes behind a TLS-intercepting proxy
CA = {"ca_bundle": str(CA_BUNDLE)} if CA_BUNDLE.is_file() else {}
RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- runtime_layer:start -->", "<!-- runtime_layer:end -->"
TARGET_MB = 25.0


def layers(image: str) -> list[tuple[str, int]]:
    """(created by, bytes) of each layer, oldest first."""
    out = subprocess.run(
        ["docker", "history", "--no-trunc", "--human=false", "--format", "{{.CreatedBy}}\t{{.Size}}", image],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.rsplit("\t", 1) for line in out.splitlines() if "\t" in line]
    return [(created, int(size)) for created, size in reversed(rows)]


def step_size(image: str, marker: str) -> int:
    return sum(size for created, size in layers(image) if marker in created)


def build(work: Path, store: str, extras: list[str], packages: list[str] | None) -> str:
    settings = load_settings(
        {"build": {"work_dir": str(work), "runtime_extras": extras, **CA}, "store": {"url": store}},
        environ={},
    )
    spec = ImageSpec(name=f"bench-layer-{uuid.uuid4().hex[:8]}", packages=packages)
    return BuildEngine(settings).ensure([spec], local=True)[spec].image_ref


def measure(work: Path) -> list[tuple[str, float]]:
    client = client_requirements(importlib.metadata.requires("dockyard") or ())
    cases = [
        ("file:// store", f"file://{work}/store", [], None),
        ("s3:// store (+ boto3)", "s3://bench/store", [], None),
        ("s3:// store + kubernetes extra", "s3://bench/store", ["kubernetes"], None),
        ("before the split: every dependency of `pip install dockyard`", f"file://{work}/store", [], client),
    ]
    rows = []
    for label, store, extras, packages in cases:
        image = build(work / "build", store, extras, packages)
        size = step_size(image, "dockyard.image_install")
        if packages:
            size += step_size(image, "packages.txt")
        rows.append((label, size / 1e6))
        subprocess.run(["docker", "image", "rm", "--force", image], capture_output=True, check=False)
    return rows


def table(rows: list[tuple[str, float]]) -> str:
    load = os.getloadavg()[0]
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    head = (
        f"dockyard {__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load:.1f}, measured {when}. Uncompressed layer bytes (`docker history`).\n\n"
        "| image set-up | runtime layer (MB) | over the file:// layer (MB) | target | met |\n"
        "|---|---:|---:|---|:---:|\n"
    )
    base = rows[0][1]
    lines = []
    for label, mb in rows:
        if label.startswith("file://"):
            target, met = f"≤ {TARGET_MB:.0f} MB", "yes" if mb <= TARGET_MB else "no"
        elif label.startswith("s3:// store ("):
            target, met = "the file:// layer + the store's client (boto3, botocore, s3transfer)", ""
        else:
            target, met = "", ""
        lines.append(f"| {label} | {mb:.1f} | {mb - base:+.1f} | {target} | {met} |")
    return head + "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the table in benchmarks/RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-layer-") as scratch:
        text = table(measure(Path(scratch)))
    print(text)
    if args.write:
        results = RESULTS.read_text()
        if START in results:
            before, rest = results.split(START, 1)
            results = before + START + "\n" + text + END + rest.split(END, 1)[1]
        else:
            results += f"\n{START}\n{text}{END}\n"
        RESULTS.write_text(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
