"""Local execution speed, dockyard against flytekit 1.16, side by side in one run.

    .venv/bin/python benchmarks/sdk_vs_flytekit.py [--rounds 3] [--repeat 5] [--write]

Method: the same workload code runs once per SDK, each in its own fresh interpreter (flytekit from the
venv scripts/setup.sh makes at /var/lib/dockyard-ci/flytekit-venv, or `$DOCKYARD_FLYTEKIT_VENV`; made
with `pip install 'flytekit==1.16.*'` when missing). The workloads are written against flytekit's API
and get the SDK module as a parameter, which is
the "replace flytekit with dockyard in the imports" promise, tested. Rounds alternate between the two
SDKs (a fresh worker process each), so a busy machine slows both alike. Each workload figure is the median
of all warm calls (the first call of each workflow is left out and counted in the "cold" row, because
flytekit compiles workflows lazily on first call). Import time is the median over fresh processes timing
`import <sdk>` alone. With `--write`, the table replaces this benchmark's section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# the differential reference venv scripts/setup.sh makes (flytekit 1.16.31); made here if missing
FLYTEKIT_VENV = Path(os.environ.get("DOCKYARD_FLYTEKIT_VENV", "/var/lib/dockyard-ci/flytekit-venv"))
DOCKYARD_PYTHON = ROOT / ".venv" / "bin" / "python"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
START, END = "<!-- sdk_vs_flytekit:start -->", "<!-- sdk_vs_flytekit:end -->"
CHAIN, MAP_ITEMS, FANOUT = 200, 2000, 500
TARGETS = {"import": 5.0, "chain": 10.0, "map": 2.0, "dynamic": 10.0}


def _worker_sdk() -> str | None:
    """The SDK a worker process was started for (`--worker NAME`), or None in the driver."""
    return sys.argv[sys.argv.index("--worker") + 1] if "--worker" in sys.argv else None


# The workloads live at module level because flytekit only runs tasks it can find by module attribute.
if SDK_NAME := _worker_sdk():
    _started = time.perf_counter()
    sdk = importlib.import_module(SDK_NAME)
    IMPORTED_IN = time.perf_counter() - _started

    @sdk.task
    def inc(x: int) -> int:
        return x + 1

    @sdk.task
    def square(x: int) -> int:
        return x * x

    _started = time.perf_counter()

    @sdk.workflow
    def chain(x: int) -> int:
        for _ in range(CHAIN):
            x = inc(x=x)
        return x

    @sdk.workflow
    def mapped(xs: list[int]) -> list[int]:
        return sdk.map_task(square)(x=xs)

    @sdk.dynamic
    def fan_out(n: int) -> list[int]:
        return [square(x=i) for i in range(n)]

    @sdk.workflow
    def dynamic_wf(n: int) -> list[int]:
        return fan_out(n=n)

    DEFINED_IN = time.perf_counter() - _started


def workloads(repeat: int) -> dict[str, Any]:
    """Run each workflow once cold, then `repeat` times warm (checking results); seconds per run."""
    timings: dict[str, Any] = {"cold": DEFINED_IN}
    expected = {
        "chain": (lambda: chain(x=0), CHAIN),
        "map": (lambda: mapped(xs=list(range(MAP_ITEMS))), [i * i for i in range(MAP_ITEMS)]),
        "dynamic": (lambda: dynamic_wf(n=FANOUT), [i * i for i in range(FANOUT)]),
    }
    for name, (call, want) in expected.items():
        runs = []
        for _ in range(repeat + 1):
            started = time.perf_counter()
            got = call()
            runs.append(time.perf_counter() - started)
            result = list(got) if isinstance(want, list) else got
            assert result == want, f"{SDK_NAME} {name}: wrong result"
        timings["cold"] += runs[0]  # the first call pays for lazy compilation (flytekit compiles here)
        timings[name] = runs[1:]
    return timings


def import_time(python: Path, sdk_name: str) -> float:
    """Wall time of `import <sdk>` in a fresh interpreter (interpreter start-up excluded)."""
    code = f"import time; t = time.perf_counter(); import {sdk_name}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()
    )
    return float(out.stdout.strip().splitlines()[-1])


def ensure_flytekit() -> Path:
    python = FLYTEKIT_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(FLYTEKIT_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "flytekit==1.16.*"], check=True)
    return python


def one_round(python: Path, sdk_name: str, repeat: int) -> dict[str, Any]:
    """One fresh worker process: warm samples of each workload, the cold total, and one import time."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "FLYTE_SDK_LOGGING_LEVEL": "40"}
    with tempfile.TemporaryDirectory() as work:
        env["DOCKYARD_CACHE_PATH"] = str(Path(work) / "cache.sqlite")
        out = subprocess.run(
            [str(python), str(Path(__file__).resolve()), "--worker", sdk_name, "--repeat", str(repeat)],
            capture_output=True, text=True, env=env, cwd=work,
        )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"{sdk_name} worker failed:\n{out.stderr[-4000:]}")
    timings: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    timings["import"] = import_time(python, sdk_name)
    return timings


def version_of(python: Path, sdk_name: str) -> str:
    code = f"import importlib.metadata as m; print(m.version('{sdk_name}'))"
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def measure(rounds: int, repeat: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Alternate flytekit and dockyard rounds, so a busy machine slows both alike; medians of all samples."""
    pythons = {"flytekit": ensure_flytekit(), "dockyard": DOCKYARD_PYTHON}
    samples: dict[str, dict[str, list[float]]] = {sdk: {} for sdk in pythons}
    for _ in range(rounds):
        for sdk, python in pythons.items():
            for key, value in one_round(python, sdk, repeat).items():
                samples[sdk].setdefault(key, []).extend(value if isinstance(value, list) else [value])
    results = []
    for sdk, python in pythons.items():
        medians: dict[str, Any] = {key: statistics.median(values) for key, values in samples[sdk].items()}
        medians["version"] = version_of(python, sdk)
        results.append(medians)
    return results[0], results[1]


def table(flyte: dict[str, Any], dock: dict[str, Any], rounds: int, repeat: int) -> str:
    rows = [
        ("import", "`import` (fresh process)"),
        ("chain", f"linear workflow of {CHAIN} tasks"),
        ("map", f"`map_task` over {MAP_ITEMS:,} items"),
        ("dynamic", f"`@dynamic` fan-out of {FANOUT} tasks"),
    ]
    lines = [
        f"flytekit {flyte['version']} vs dockyard {dock['version']}: medians of {rounds} alternating rounds "
        f"(imports: {rounds} fresh processes each; workloads: {rounds}x{repeat} warm runs each). "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
        f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "| workload | flytekit (s) | dockyard (s) | speed-up | target | met |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    for key, label in rows:
        ratio = flyte[key] / dock[key] if dock[key] else float("inf")
        met = "yes" if ratio >= TARGETS[key] else "**no**"
        lines.append(
            f"| {label} | {flyte[key]:.3f} | {dock[key]:.4f} | {ratio:.1f}x | ≥{TARGETS[key]:g}x | {met} |"
        )
    lines.append(
        f"| cold: define the workflows + first call of each | {flyte['cold']:.3f} | {dock['cold']:.4f} | "
        f"{flyte['cold'] / dock['cold']:.1f}x | | |"
    )
    return "\n".join(lines)


def write_section(text: str) -> None:
    body = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = f"{START}\n{text}\n{END}"
    if START in body and END in body:
        head, rest = body.split(START, 1)
        body = head + section + rest.split(END, 1)[1]
    else:
        method = "Method: see the docstring of `benchmarks/sdk_vs_flytekit.py`; re-run with `--write`."
        heading = "## SDK: dockyard vs flytekit 1.16 (local execution)"
        body = body.rstrip("\n") + f"\n\n{heading}\n\n{method}\n\n{section}\n"
    RESULTS.write_text(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="fresh worker processes per SDK")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of each workload per round")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(workloads(args.repeat)))
        return
    flyte, dock = measure(args.rounds, args.repeat)
    text = table(flyte, dock, args.rounds, args.repeat)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
