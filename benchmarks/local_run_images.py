"""Time from `run --remote` to the first task start on a fresh spec: pushed (registry) vs loaded locally.

Each round writes a one-task workflow whose ImageSpec is new (its own repository and a small layer of its
own, so the registry has nothing to mount), then times `run_remote` from the call to the first attempt's
`started_at`, once with `executor.push_images = true` (build, compress, push, run by digest) and once with
the default local load (issue 16). BuildKit's cache serves the shared layers in both modes alike.

    .venv/bin/python benchmarks/local_run_images.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from dockyard.config import load_settings
from dockyard.runtime.remote import run_remote
from dockyard.sdk.entities import load_entity

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")  # package indexes behind a TLS-intercepting proxy
CA = {"ca_bundle": str(CA_BUNDLE)} if CA_BUNDLE.is_file() else {}

MODULE = """
from dockyard import ImageSpec, task, workflow

image = ImageSpec(name="{name}", registry="localhost:5000", commands=["echo {name} > /marker"])


@task(container_image=image)
def one() -> int:
    return 1


@workflow
def wf() -> int:
    return one()
"""


def one_run(work: Path, push: bool) -> float:
    name = f"bench-local-{uuid.uuid4().hex[:10]}"
    src = work / name
    src.mkdir(parents=True)
    (src / "benchwf.py").write_text(MODULE.format(name=name))
    settings = load_settings(
        {
            "build": {"work_dir": str(work / "build"), **CA},
            "store": {"url": f"file://{work}/store"},
            "executor": {"push_images": push},
        },
        environ={},
    )
    sys.modules.pop("benchwf", None)
    entity = load_entity(f"{src / 'benchwf.py'}:wf")
    started = time.time()
    result = run_remote(entity, {}, source_root=src, settings=settings)
    first = min(a.started_at for n in result.record.nodes.values() for a in n.attempts)
    ref = next(r for r in result.record.images.values() if name in r)
    subprocess.run(["docker", "rmi", ref], capture_output=True, check=False)
    return first - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        one_run(work, push=False)  # warm BuildKit's cache of the shared layers
        times: dict[str, list[float]] = {"push": [], "local": []}
        load = os.getloadavg()[0]
        for _ in range(args.rounds):
            times["push"].append(one_run(work, push=True))
            times["local"].append(one_run(work, push=False))
        load = max(load, os.getloadavg()[0])
    push, local = statistics.median(times["push"]), statistics.median(times["local"])
    print(f"push {push:.2f} s, local {local:.2f} s, ratio {local / push:.2f}, load(1m) max {load:.1f}")
    print({k: [round(t, 2) for t in v] for k, v in times.items()})


if __name__ == "__main__":
    main()
