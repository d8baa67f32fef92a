"""The console with 10,000 executions in the store: its index against a full scan of the records.

    .venv/bin/python benchmarks/console_index.py [--executions 10000] [--rounds 20] [--write]

Not a test. It writes N executions into a private file:// store with the runtime's own RecordWriter (each:
the execution document when it starts, one node with one attempt, the final phase; so two index entries),
then times, side by side in one process:
- full scan: what a list would cost without the index, i.e. listing `executions/` and reading every
  `record.json` (the way `dockyard executions` finds executions by scanning);
- index, first refresh: listing `index/executions/` and reading each execution's newest entry (once, when
  the console starts);
- index, refresh with nothing new and with 10 executions changed (what the background thread does every
  second);
- a page of the list (`GET /api/executions?limit=50`), filtered (`?phase=failed&entity=...`) and searched,
  through the ASGI app, and one execution's view (`GET /api/executions/ID`).
Medians of --rounds. With --write, the table replaces this benchmark's section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from fastapi.testclient import TestClient

from dockyard.config import load_settings
from dockyard.console.app import create_app
from dockyard.console.index import ExecutionIndex
from dockyard.runtime.blobstore import LocalStore
from dockyard.runtime.phase import Phase
from dockyard.runtime.record import ExecutionRecord, RecordWriter, load_record

RESULTS = Path(__file__).parent / "RESULTS.md"
START, END = "<!-- console_index:start -->", "<!-- console_index:end -->"


def populate(store: LocalStore, count: int) -> None:
    for i in range(count):
        record = ExecutionRecord(execution_id=f"x{i:012x}", workflow=f"bench.wf{i % 7}", created_at=1e9 + i)
        writer = RecordWriter(store, record)
        writer.save()
        attempt = writer.start_attempt("n0", 0)
        writer.finish_attempt("n0", attempt, phase="succeeded", exit_code=0)
        writer.update(phase=Phase.FAILED if i % 10 == 0 else Phase.SUCCEEDED)


def full_scan(store: LocalStore) -> int:
    prefix = store.url_for("executions") + "/"
    found = 0
    for uri in store.list(prefix):
        rest = uri[len(prefix) :]
        if rest.count("/") == 1 and rest.endswith("/record.json"):
            store.read_json(uri)
            found += 1
    return found


def median_s(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    n, rounds = args.executions, args.rounds

    with tempfile.TemporaryDirectory(prefix="dockyard-bench-console-") as tmp:
        store = LocalStore(f"file://{tmp}/store")
        start = time.perf_counter()
        populate(store, n)
        print(f"wrote {n} executions in {time.perf_counter() - start:.1f}s")
        load_before = os.getloadavg()[0]
        rows: list[tuple[str, float]] = []
        scan = median_s(lambda: full_scan(store), max(3, rounds // 5))
        rows.append((f"full scan: list + read {n:,} records", scan))

        def first_refresh() -> None:
            assert ExecutionIndex(store).refresh() == n

        rows.append(("index: first refresh (console start)", median_s(first_refresh, max(3, rounds // 5))))
        index = ExecutionIndex(store)
        index.refresh()
        rows.append(("index: refresh, nothing new", median_s(index.refresh, rounds)))

        changed, times = 0, []
        for _ in range(max(3, rounds // 5)):  # the writes are the runs' own; only the refresh is timed
            for _ in range(10):
                changed += 1
                RecordWriter(store, load_record(store, f"x{changed:012x}")).update(phase=Phase.ABORTED)
            start = time.perf_counter()
            assert index.refresh() == 10
            times.append(time.perf_counter() - start)
        rows.append(("index: refresh after 10 executions changed", statistics.median(times)))

        settings = load_settings({"store": {"url": store.url}}, environ={})
        with TestClient(create_app(store, settings, refresh_s=3600)) as client:

            def get(url: str) -> Callable[[], object]:
                def call() -> None:
                    response = client.get(url)
                    assert response.status_code == 200, response.text

                return call

            rows.append(("API: list page (50, newest first)", median_s(get("/api/executions?limit=50"), rounds)))
            rows.append(
                (
                    "API: list filtered by phase and entity",
                    median_s(get("/api/executions?phase=failed&entity=wf3&limit=50"), rounds),
                )
            )
            middle = f"x{n // 2:012x}"
            rows.append(("API: search by id", median_s(get(f"/api/executions?q={middle[-6:]}"), rounds)))
            rows.append(("API: one execution (record + DAG)", median_s(get(f"/api/executions/{middle}"), rounds)))
        load_after = os.getloadavg()[0]

    api_page = rows[4][1]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"{n:,} executions in a file:// store; medians of {rounds} rounds (scans and first refreshes: "
        f"{max(3, rounds // 5)}). Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{load_before:.1f} before / {load_after:.1f} after, measured {stamp}.",
        "",
        "| operation | time (ms) | vs full scan |",
        "|---|---:|---:|",
    ]
    for name, seconds in rows:
        ratio = "" if seconds is scan else f"{scan / seconds:.0f}x faster"
        lines.append(f"| {name} | {seconds * 1000:.1f} | {ratio} |")
    lines.append("")
    lines.append(
        f"A list page costs {api_page * 1000:.1f} ms against {scan * 1000:.0f} ms for a scan of every record "
        f"({scan / api_page:.0f}x); the background refresh lists one folder and reads only new entries."
    )
    table = "\n".join(lines)
    print(table)
    if args.write:
        text = RESULTS.read_text()
        block = f"{START}\n{table}\n{END}"
        if START in text:
            text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
        else:
            text += f"\n## Console: the execution index with 10,000 executions\n\n{__doc__.split(chr(10), 3)[3]}\n{block}\n"
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
