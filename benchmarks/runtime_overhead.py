"""Remote-run overhead on the local Docker engine (issue 4's benchmark).

1. Per-task container overhead: a one-task workflow through the orchestrator (record, inputs and outputs
   in a file:// store, `dockyard-execute` in the container), against a bare `docker run --rm IMAGE true`
   of the same image: the physical floor of starting a container.
2. Wall time of a 50-task fan-out (`map_task` over 50 items) at the executor's default parallelism.

    .venv/bin/python benchmarks/runtime_overhead.py [--rounds 5] [--write]

`--write` replaces the runtime section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = HERE / "runtime_workload"
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- runtime_overhead:start -->", "<!-- runtime_overhead:end -->"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    from dockyard.config import load_settings
    from dockyard.runtime.remote import run_remote
    from dockyard.sdk.entities import load_entity

    store_dir = Path(tempfile.mkdtemp(prefix="dockyard-bench-store-"))
    build: dict[str, str] = {}
    if Path("/etc/ssl/certs/ca-certificates.crt").is_file():
        build["ca_bundle"] = "/etc/ssl/certs/ca-certificates.crt"
    settings = load_settings({"build": build, "store": {"url": f"file://{store_dir}"}})
    one = load_entity(str(SOURCE / "bench_tasks.py"), "one")
    fan_out = load_entity(str(SOURCE / "bench_tasks.py"), "fan_out")

    first = run_remote(one, {"x": 1}, source_root=SOURCE, settings=settings)  # builds or finds the image
    image = next(iter(first.record.images.values()))

    bare: list[float] = []
    task: list[float] = []
    fan: list[float] = []
    for r in range(args.rounds):
        t0 = time.perf_counter()
        subprocess.run(["docker", "run", "--rm", "--network", "host", image, "true"], check=True)
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        assert run_remote(one, {"x": r}, source_root=SOURCE, settings=settings).outputs == r
        task.append(time.perf_counter() - t0)
    for _ in range(max(1, args.rounds // 2)):
        t0 = time.perf_counter()
        out = run_remote(fan_out, {"xs": list(range(50))}, source_root=SOURCE, settings=settings).outputs
        fan.append(time.perf_counter() - t0)
        assert out == list(range(50))

    b, t, f = statistics.median(bare), statistics.median(task), statistics.median(fan)
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    lines = [
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.1f}, "
        f"executor.max_parallel={settings.executor.max_parallel}, medians of {args.rounds} rounds "
        f"({len(fan)} for the fan-out), measured {when}.",
        "",
        "| measurement | wall time (s) |",
        "|---|---:|",
        f"| bare `docker run --rm IMAGE true` (the floor) | {b:.2f} |",
        f"| one-task workflow through `run_remote` (image present) | {t:.2f} |",
        f"| per-task overhead over the floor | {t - b:.2f} |",
        f"| 50-task fan-out (`map_task`, 50 containers) | {f:.2f} |",
        f"| 50-task fan-out, per task | {f / 50:.2f} |",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        current = RESULTS.read_text()
        block = f"{START}\n{text}\n{END}"
        if START in current:
            head, rest = current.split(START, 1)
            current = head + block + rest.split(END, 1)[1]
        else:
            current = (
                current.rstrip() + "\n\n## Runtime: remote runs on the local Docker engine\n\n" + block + "\n"
            )
        RESULTS.write_text(current)


if __name__ == "__main__":
    sys.exit(main())
