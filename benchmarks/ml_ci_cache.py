"""A fresh CI runner with and without BuildKit's registry cache (`build.registry_cache = true`).

A "fresh runner" is a second Docker engine started for the run, with its own empty data root and containerd
namespace (so an empty BuildKit cache, empty uv/apt cache mounts, no images), a bridge of its own and no
iptables rules (builds use `--network host`). One engine builds and pushes the image once with the cache
exported (the previous CI run); then, per round, a new engine builds + pushes the same context with the cache
imported, and another new engine without it. Each engine is stopped and its data removed afterwards.

`.venv/bin/python benchmarks/ml_ci_cache.py --rounds 2 --write` regenerates the section of RESULTS.md
(run as root: it starts dockerd).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from dockyard.builders.docker import DockerBuilder
from dockyard.config import load_settings
from dockyard.imagespec import ImageSpec, prepare

PACKAGES = ["numpy==2.1.3", "pandas==2.2.3"]
CA = Path("/etc/ssl/certs/ca-certificates.crt")
RESULTS = Path(__file__).parent / "RESULTS.md"
START, END = "<!-- ml_ci_cache:start -->", "<!-- ml_ci_cache:end -->"
BRIDGE = "dyfresh0"  # a bridge of the throw-away engines' own (builds use --network host anyway)


def _bridge() -> None:
    if subprocess.run(["ip", "link", "show", BRIDGE], capture_output=True).returncode != 0:
        subprocess.run(["ip", "link", "add", BRIDGE, "type", "bridge"], check=True)
        subprocess.run(["ip", "addr", "add", "172.31.250.1/24", "dev", BRIDGE], check=True)
        subprocess.run(["ip", "link", "set", BRIDGE, "up"], check=True)


@contextlib.contextmanager
def fresh_engine(scratch: Path) -> Iterator[str]:
    """A throw-away dockerd; yields its DOCKER_HOST."""
    _bridge()
    name = f"dy-fresh-{uuid.uuid4().hex[:8]}"
    root = scratch / name
    root.mkdir()
    host = f"unix://{root}/docker.sock"
    log = (root / "dockerd.log").open("w")
    config = root / "daemon.json"
    config.write_text(
        json.dumps({"features": {"containerd-snapshotter": True}, "insecure-registries": ["localhost:5000"]})
    )
    proc = subprocess.Popen(
        [
            "dockerd",
            f"--host={host}",
            f"--data-root={root}/data",
            f"--exec-root=/run/{name}",
            f"--pidfile={root}/docker.pid",
            f"--containerd-namespace={name}",
            f"--containerd-plugins-namespace={name}-plugins",
            f"--bridge={BRIDGE}",  # never --bridge=none: dockerd then deletes the host's docker0
            "--iptables=false",
            "--ip6tables=false",
            f"--config-file={config}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(120):
            ping = subprocess.run(["docker", "-H", host, "version"], capture_output=True, timeout=30)
            if ping.returncode == 0:
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"dockerd did not start: see {root}/dockerd.log")
        yield host
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(f"/run/{name}", ignore_errors=True)


def timed_build(scratch: Path, repository: str, *, cache: bool) -> float:
    values: dict[str, object] = {"work_dir": str(scratch / "work"), "registry_cache": cache}
    if CA.is_file():
        values["ca_bundle"] = str(CA)
    settings = load_settings({"build": values}, environ={})
    spec = ImageSpec(
        name=repository,
        python_version="3.11",
        packages=PACKAGES,
        platform="linux/amd64",
        builder_options={"network": "host"},
    )
    context = prepare(spec, settings.build, work_dir=settings.build.work_dir)
    with fresh_engine(scratch) as host:
        os.environ["DOCKER_HOST"] = host
        try:
            started = time.monotonic()
            DockerBuilder(settings).build(context, push=True)
            return time.monotonic() - started
        finally:
            del os.environ["DOCKER_HOST"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    repository = f"bench-ml/ci-cache-{uuid.uuid4().hex[:8]}"
    found: dict[str, list[float]] = {"registry cache off": [], "registry cache on": []}
    with tempfile.TemporaryDirectory(prefix="bench-ci-", dir="/var/tmp") as scratch:
        seed = timed_build(Path(scratch), repository, cache=True)
        for round_ in range(args.rounds):
            order = [False, True] if round_ % 2 == 0 else [True, False]
            for cache in order:
                key = "registry cache on" if cache else "registry cache off"
                found[key].append(timed_build(Path(scratch), repository, cache=cache))
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {now}, 2 CPUs, load average {os.getloadavg()[0]:.1f}; packages {', '.join(PACKAGES)}; "
        f"the run that exported the cache took {seed:.1f} s.",
        "",
        f"| fresh runner | build + push (s), median of {args.rounds} | runs (s) |",
        "|---|---:|---|",
    ]
    for key, runs in found.items():
        lines.append(f"| {key} | {statistics.median(runs):.1f} | {', '.join(f'{r:.1f}' for r in runs)} |")
    text = "\n".join(lines)
    print(text)
    if args.write:
        content = RESULTS.read_text()
        head, _, rest = content.partition(START)
        _, _, tail = rest.partition(END)
        RESULTS.write_text(f"{head}{START}\n{text}\n{END}{tail}")


if __name__ == "__main__":
    main()
