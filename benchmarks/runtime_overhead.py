"""Remote-run overhead on the local Docker engine (issue 4's benchmark).

1. Per-task container overhead: a one-task workflow through the orchestrator (record, inputs and outputs
   in a file:// store, `dockyard-execute` in the container), against a bare `docker run --rm IMAGE true`
   of the same image: the physical floor of starting a container. The same with a reusable task.
2. Wall time of a 50-task fan-out (`map_task` over 50 items) at the executor's default parallelism, with
   one container per item and with reusable containers (docs/reuse.md), against 50 bare `docker run`s
   at the same parallelism.

    .venv/bin/python benchmarks/runtime_overhead.py [--rounds 5] [--write]

`--write` adds the run at the top of the runtime section of benchmarks/RESULTS.md.
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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
    one_warm = load_entity(str(SOURCE / "bench_tasks.py"), "one_warm")
    fan_out = load_entity(str(SOURCE / "bench_tasks.py"), "fan_out")
    fan_out_warm = load_entity(str(SOURCE / "bench_tasks.py"), "fan_out_warm")

    first = run_remote(one, {"x": 1}, source_root=SOURCE, settings=settings)  # builds or finds the image
    image = next(iter(first.record.images.values()))
    parallel = settings.executor.max_parallel

    def bare_run() -> None:
        subprocess.run(["docker", "run", "--rm", "--network", "host", image, "true"], check=True)

    def timed(fn: Callable[[], object]) -> float:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    def remote(entity: object, inputs: dict[str, object], expected: object) -> float:
        def go() -> None:
            assert run_remote(entity, inputs, source_root=SOURCE, settings=settings).outputs == expected

        return timed(go)

    rows: dict[str, list[float]] = {k: [] for k in ("bare", "task", "warm", "bare50", "fan", "fan_warm")}
    for r in range(args.rounds):  # interleaved, so that load changes reach every row alike
        rows["bare"].append(timed(bare_run))
        rows["task"].append(remote(one, {"x": r}, r))
        rows["warm"].append(remote(one_warm, {"x": r}, r))
    xs = list(range(50))
    for _ in range(max(1, args.rounds // 2)):
        with ThreadPoolExecutor(parallel) as pool:
            rows["bare50"].append(timed(lambda: list(pool.map(lambda _: bare_run(), xs))))
        rows["fan"].append(remote(fan_out, {"xs": xs}, xs))
        rows["fan_warm"].append(remote(fan_out_warm, {"xs": xs}, xs))

    m = {k: statistics.median(v) for k, v in rows.items()}
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()
    lines = [
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load[0]:.1f} / "
        f"{load[1]:.1f} / {load[2]:.1f} (1/5/15 min), executor.max_parallel={parallel}, medians of "
        f"{args.rounds} rounds ({len(rows['fan'])} for the 50-item rows), measured {when}.",
        "",
        "| measurement | wall time (s) |",
        "|---|---:|",
        f"| bare `docker run --rm IMAGE true` (the floor) | {m['bare']:.2f} |",
        f"| one-task workflow through `run_remote` (image present) | {m['task']:.2f} |",
        f"| per-task overhead over the floor | {m['task'] - m['bare']:.2f} |",
        f"| one-task workflow, reusable task (starts its warm container) | {m['warm']:.2f} |",
        f"| 50 bare `docker run`s, {parallel} at a time (the floor of 50 containers) | {m['bare50']:.2f} |",
        f"| 50-item `map_task`, one container per item | {m['fan']:.2f} |",
        f"| 50-item `map_task`, reusable (4 warm containers) | {m['fan_warm']:.2f} |",
        f"| per item: bare / one container each / reusable | {m['bare50'] / 50:.3f} / "
        f"{m['fan'] / 50:.3f} / {m['fan_warm'] / 50:.3f} |",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:  # newest first; earlier runs stay, so runs at other loads sit side by side
        current = RESULTS.read_text()
        if START in current:
            head, rest = current.split(START, 1)
            earlier, tail = rest.split(END, 1)
            current = f"{head}{START}\n{text}\n\n{earlier.strip()}\n{END}{tail}"
        else:
            block = f"{START}\n{text}\n{END}"
            current = (
                current.rstrip() + "\n\n## Runtime: remote runs on the local Docker engine\n\n" + block + "\n"
            )
        RESULTS.write_text(current)


if __name__ == "__main__":
    sys.exit(main())
