"""`dockyard package` vs `pyflyte package` on the 45 workflows of tests/flyte/workflows (the same documents).

    .venv/bin/python benchmarks/flyte_package.py --rounds 5 [--write]

Each round packages the workflows once with each tool in a fresh process (the whole command, imports
included), alternating which goes first; the figure is the median wall time. `--write` replaces the table in
benchmarks/RESULTS.md between the `flyte_package` markers.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.flyte.conftest import FLYTEKIT_VENV, copy_workflows  # noqa: E402

IMAGE = "localhost:5000/bench:1"


def _time(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, timeout=600)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flyte-bench-"))
    ours = copy_workflows(work / "dockyard", "dockyard")
    theirs = copy_workflows(work / "flytekit", "flytekit")
    dockyard = [sys.executable, "-c", "from dockyard.cli.main import main; main()", "package", "fwf"]
    dockyard += ["--image", IMAGE, "-o", "out.tgz"]
    pyflyte = [str(FLYTEKIT_VENV / "bin" / "pyflyte"), "--pkgs", "fwf", "package", "--image", IMAGE, "-f"]
    pyflyte += ["-o", "out.tgz"]
    times: dict[str, list[float]] = {"dockyard": [], "pyflyte": []}
    for i in range(args.rounds):
        order = [("dockyard", dockyard, ours), ("pyflyte", pyflyte, theirs)]
        for name, command, cwd in order if i % 2 == 0 else order[::-1]:
            times[name].append(_time(command, cwd))
    import tarfile

    with tarfile.open(ours / "out.tgz") as tar:
        documents = len(tar.getmembers())
    ours_s, theirs_s = statistics.median(times["dockyard"]), statistics.median(times["pyflyte"])
    load = os.getloadavg()[0]
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    table = "\n".join(
        [
            f"pyflyte package (flytekit 1.16.31) vs dockyard package, 45 workflows / {documents} documents: "
            f"medians of {args.rounds} alternating rounds, fresh processes. "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.1f}, "
            f"measured {when}.",
            "",
            "| command | pyflyte (s) | dockyard (s) | speed-up |",
            "|---|---:|---:|---:|",
            f"| package 45 workflows | {theirs_s:.2f} | {ours_s:.2f} | {theirs_s / ours_s:.1f}x |",
        ]
    )
    print(table)
    if args.write:
        results = ROOT / "benchmarks" / "RESULTS.md"
        text = results.read_text()
        start, end = "<!-- flyte_package:start -->", "<!-- flyte_package:end -->"
        block = f"{start}\n{table}\n{end}"
        if start in text:
            text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
        else:
            text += (
                "\n## Flyte: `dockyard package` vs `pyflyte package`\n\n"
                "`.venv/bin/python benchmarks/flyte_package.py --rounds 5 --write` regenerates the table "
                "below. Both write the same documents (tests/flyte/test_differential.py); each figure is "
                "the whole command in a fresh process, imports included.\n\n" + block + "\n"
            )
        results.write_text(text)


if __name__ == "__main__":
    main()
