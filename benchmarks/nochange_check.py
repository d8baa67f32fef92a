"""The no-change check: how long `BuildEngine.ensure` takes when the image exists and its answer is cached.

    .venv/bin/python benchmarks/nochange_check.py [--processes 5]

Not a test. It ensures a small spec once (building and pushing it to localhost:5000 if its tag is new, as
after any change to a dev checkout), then starts fresh processes that each import dockyard, make the
settings and the spec, and time one `ensure` (in process: wall and CPU) and their whole run. Prints one
line per process and the load average; the figures go in benchmarks/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def check(work: Path) -> None:
    """One process's measurement (run with --worker): the spec's folder is the current directory."""
    started = time.perf_counter()
    from dockyard.builders.engine import BuildEngine
    from dockyard.config import load_settings
    from dockyard.imagespec import ImageSpec

    imported = time.perf_counter() - started
    settings = load_settings({"build": {"work_dir": str(work / "build"), "ca_bundle": CA_BUNDLE}})
    spec = ImageSpec(
        name=f"bench-nochange-{work.name}",
        base_image="localhost:5000/dockyard/debian:bookworm",
        registry="localhost:5000",
        packages=["six"],
        source_root="src",
    )
    engine = BuildEngine(settings)
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = engine.ensure([spec])[spec]
    result = {
        "ensure_s": time.perf_counter() - wall,
        "ensure_cpu_s": time.process_time() - cpu,
        "import_s": imported,
        "built": outcome.built,
        "source": outcome.source,
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        check(Path(args.worker))
        return
    with tempfile.TemporaryDirectory(prefix="nochange-") as scratch:
        work = Path(scratch)
        (work / "src").mkdir()
        for i in range(5):
            (work / "src" / f"module_{i}.py").write_text(f"VALUE = {i}\n")
        command = [sys.executable, __file__, "--worker", str(work)]
        # from bytecode, as an installed tool imports (the first worker writes what an edit made stale)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        first = json.loads(
            subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=True).stdout
        )
        print(f"first ensure: built={first['built']} ({first['ensure_s']:.1f} s)")
        for _ in range(args.processes):
            started = time.perf_counter()
            out = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=True)
            whole = time.perf_counter() - started
            figures = json.loads(out.stdout)
            assert not figures["built"] and figures["source"] == "cache", figures
            print(
                f"ensure {figures['ensure_s'] * 1000:.1f} ms (CPU {figures['ensure_cpu_s'] * 1000:.1f} ms), "
                f"import {figures['import_s']:.2f} s, whole process {whole:.2f} s"
            )
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, {when}")


if __name__ == "__main__":
    main()
