"""One execution with a dynamic fan-out of N nodes (10,000): the driver's CPU per node, the record's write
cost per event, and `dockyard status` of the finished run.

    .venv/bin/python benchmarks/fanout_scale.py [--nodes 10000] [--backend kubernetes|docker] [--write]

Not a test. The workflow (`benchmarks/fanout_workflow.py`) is a dynamic task whose body returns N calls of
a trivial task. The driver is the real one (`orchestrator.execute_remote`: the SDK walker, the container
runner, the record writer) over a private file:// store.

- `--backend kubernetes` (no cluster here): the real `KubernetesExecutor` renders every pod with
  `task_pod`, over a stand-in cluster that "runs" each pod by calling the pod's own `dockyard-execute`
  command in-process (`entrypoint.run_attempt`, which parses the sub-DAG document once per content, as a
  warm container does) and answers the watch with that outcome. The stand-in's CPU is measured per call
  (thread CPU time) and taken out, so "driver CPU" is what the driver itself spends: walking, rendering
  pods, store writes, the record.
- `--backend docker`: a real `run_remote` on the local Docker engine, the task declared reusable (the
  `reuse` engineer's warm containers); the driver's CPU is the process's CPU time (the containers run
  elsewhere).

Record writes: the bytes and calls the record writer made, per event, against the old layout's cost (one
whole node document rewritten per event) and against rewriting the whole record per event. Status: the
wall time of `dockyard status ID` (a fresh process) and of `load_record` in process. With --write, the
table replaces this benchmark's section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def counting_store(url: str) -> Any:
    """A file:// store (a real LocalStore, so the runtime treats it as one) that counts the record
    writer's writes: event appends, execution documents, snapshots."""
    from dockyard.runtime.blobstore import LocalStore

    class CountingStore(LocalStore):
        appends = append_bytes_total = 0
        writes: dict[str, int] = {}

        def append_bytes(self, uri: str, data: bytes) -> None:
            self.appends += 1
            self.append_bytes_total += len(data)
            super().append_bytes(uri, data)

        def write_bytes(self, uri: str, data: bytes) -> str:
            kind = uri.rsplit("/", 1)[-1]
            kind = kind if kind in ("record.json", "nodes.jsonl") else "other"
            self.writes[kind] = self.writes.get(kind, 0) + 1
            return super().write_bytes(uri, data)

    store = CountingStore(url)
    store.writes = {}
    return store


class StandInCluster:
    """A cluster that runs each created pod's `dockyard-execute` command in-process (see module doc)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.verdicts: dict[str, Any] = {}
        self.logs: dict[str, str] = {}
        self.cpu = 0.0
        self.pods = 0
        self._lock = threading.Lock()
        self.first_pod: dict[str, Any] | None = None

    def create(self, manifest: dict[str, Any]) -> None:
        from dockyard.kubernetes.pod_status import PodVerdict
        from dockyard.runtime.entrypoint import parse_args, run_attempt
        from dockyard.runtime.phase import Phase

        started = time.thread_time()
        if self.first_pod is None:
            self.first_pod = manifest
        container = manifest["spec"]["containers"][0]
        argv = [*container.get("command", []), *container.get("args", [])]
        args = parse_args(argv[argv.index("dockyard-execute") + 1 :])
        status, report = run_attempt(args, self.store)
        name = manifest["metadata"]["name"]
        self.verdicts[name] = PodVerdict(Phase.SUCCEEDED if status == 0 else Phase.FAILED, exit_code=status)
        self.logs[name] = report
        with self._lock:
            self.cpu += time.thread_time() - started
            self.pods += 1

    def wait_pod(self, name: str, until: Any) -> Any:
        return self.verdicts[name]

    def log_tail(self, pod: str, container: str, lines: int = 40) -> str:
        return self.logs.get(pod, "")

    def delete(self, kind: str, name: str) -> None:
        self.verdicts.pop(name, None)

    def node_labels(self, selector: str) -> list[dict[str, str]]:
        return []


def run_kubernetes(nodes: int, root: Path) -> dict[str, Any]:
    import fanout_workflow

    from dockyard.config import load_settings
    from dockyard.kubernetes.executor import KubernetesExecutor
    from dockyard.runtime.orchestrator import execute_remote

    store = counting_store(f"file://{root}/store")
    settings = load_settings(
        {"store": {"url": store.url}, "executor": {"max_parallel": 16}},
        project_dir=Path("/nonexistent"),
        environ={},
    )
    cluster = StandInCluster(store)
    executor = KubernetesExecutor(settings, cluster=cluster)
    image = "registry.example.com/bench/fanout@sha256:" + "0" * 64
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = execute_remote(
        fanout_workflow.fanout,
        {"n": nodes},
        settings=settings,
        store=store,
        executor=executor,
        images={"default": image},
    )
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    assert len(result.outputs) == nodes and result.outputs[-1] == (nodes - 1) * 2
    return {
        "execution_id": result.execution_id,
        "store": store,
        "driver_cpu": cpu - cluster.cpu,
        "stand_in_cpu": cluster.cpu,
        "wall": wall,
        "pods": cluster.pods,
    }


def run_docker(nodes: int, root: Path) -> dict[str, Any]:
    """A real remote run on the local Docker engine (image built, or found, first by a 2-node run)."""
    import shutil

    from dockyard.config import load_settings
    from dockyard.runtime.remote import run_remote
    from dockyard.sdk.entities import load_entity

    src = root / "src"
    src.mkdir()
    shutil.copy(ROOT / "benchmarks" / "fanout_docker.py", src / "fanout_docker.py")
    store = counting_store(f"file://{root}/store")
    settings = load_settings(
        {
            # package indexes behind a TLS-intercepting proxy here: its CA, as the tests give it
            "build": {"work_dir": str(root / "build"), "ca_bundle": "/etc/ssl/certs/ca-certificates.crt"},
            "store": {"url": store.url},
            "executor": {"max_parallel": 8},
        },
        environ={},
    )
    entity = load_entity(f"{src / 'fanout_docker.py'}:fanout")
    run_remote(entity, {"n": 2}, source_root=src, settings=settings)  # builds the image once
    store.appends = store.append_bytes_total = 0
    store.writes.clear()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    # the store the driver writes through is the counting one (run_remote opens its own from settings)
    import dockyard.runtime.remote as remote_module

    opened = remote_module.open_store
    remote_module.open_store = lambda url, s=None: store  # type: ignore[assignment,misc]
    try:
        result = run_remote(entity, {"n": nodes}, source_root=src, settings=settings)
    finally:
        remote_module.open_store = opened
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    assert len(result.outputs) == nodes and result.outputs[-1] == (nodes - 1) * 2
    return {
        "execution_id": result.execution_id,
        "store": store,
        "driver_cpu": cpu,
        "stand_in_cpu": 0.0,
        "wall": wall,
        "pods": nodes + 1,
    }


def status_times(store_url: str, execution_id: str, root: Path) -> tuple[float, float, int, float]:
    """(in-process load_record, whole `dockyard status` process, lines printed, `dockyard --version`:
    the CLI's start-up alone, on this machine at this load). The processes import from bytecode, as an
    installed tool does: one untimed `status` first writes what an edit of the checkout made stale."""
    from dockyard.runtime.blobstore import LocalStore
    from dockyard.runtime.record import load_record

    store = LocalStore(store_url)
    started = time.perf_counter()
    record = load_record(store, execution_id)
    in_process = time.perf_counter() - started
    assert record.phase.value == "succeeded", record.phase
    cli = Path(sys.executable).parent / "dockyard"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    status = [str(cli), "status", execution_id, "--store", store_url]
    subprocess.run(status, capture_output=True, check=True, cwd=root, env=env)
    started = time.perf_counter()
    out = subprocess.run(status, capture_output=True, text=True, check=True, cwd=root, env=env)
    lines = out.stdout.count("\n")
    whole = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([str(cli), "--version"], capture_output=True, check=True, cwd=root, env=env)
    return in_process, whole, lines, time.perf_counter() - started


def record_costs(store: Any, root: Path, execution_id: str, nodes: int) -> dict[str, Any]:
    events = store.appends
    snapshot = root / "store" / "executions" / execution_id / "nodes.jsonl"
    node_doc = snapshot.stat().st_size / max(1, len(snapshot.read_text().splitlines()))
    return {
        "events": events,
        "bytes_per_event": store.append_bytes_total / max(1, events),
        "record_docs": store.writes.get("record.json", 0),
        "snapshots": store.writes.get("nodes.jsonl", 0),
        # what one event would have cost rewriting the whole record (all nodes) at the end of the run
        "whole_record_bytes": snapshot.stat().st_size,
        "node_doc_bytes": node_doc,
    }


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--backend", choices=["kubernetes", "docker"], default="kubernetes")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dockyard-fanout-") as tmp:
        root = Path(tmp)
        load_before = load()
        run = (run_kubernetes if args.backend == "kubernetes" else run_docker)(args.nodes, root)
        costs = record_costs(run["store"], root, run["execution_id"], args.nodes)
        in_process, cli_s, lines, startup = status_times(run["store"].url, run["execution_id"], root)
        load_after = load()
    per_node_ms = 1000 * run["driver_cpu"] / args.nodes
    rows = [
        ("nodes (pods the driver created)", f"{args.nodes} ({run['pods']})", ""),
        ("driver CPU per node", f"{per_node_ms:.2f} ms", "≤ 5 ms"),
        ("driver CPU, whole run", f"{run['driver_cpu']:.1f} s", ""),
        (
            "stand-in pods' CPU (taken out)",
            f"{run['stand_in_cpu']:.1f} s" if args.backend == "kubernetes" else "n/a",
            "",
        ),
        ("wall, whole run", f"{run['wall']:.1f} s", ""),
        (
            "record: node events, bytes appended per event",
            f"{costs['events']}, {costs['bytes_per_event']:.0f} B",
            "O(1)",
        ),
        (
            "record: whole-record rewrite per event would be",
            f"{costs['whole_record_bytes'] / 1e6:.1f} MB",
            "",
        ),
        (
            "record: execution documents / snapshots written",
            f"{costs['record_docs']} / {costs['snapshots']}",
            "",
        ),
        ("`status` in process (load_record)", f"{in_process:.3f} s", ""),
        (f"`dockyard status ID`, whole process ({lines} lines)", f"{cli_s:.2f} s", "≤ 1 s"),
        ("`dockyard --version` (the CLI's start-up alone)", f"{startup:.2f} s", ""),
    ]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    backend = "kubernetes (stand-in cluster)" if args.backend == "kubernetes" else "docker, reused containers"
    table = [
        f"Run {stamp}, backend {backend}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average before/after {load_before} → {load_after}.",
        "",
        "| measure | value | target |",
        "|---|---:|---:|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
    ]
    text = "\n".join(table)
    print(text)
    print(json.dumps({"per_node_ms": per_node_ms, "status_s": cli_s}))
    if args.write:
        start, end = (
            f"<!-- fanout_scale_{args.backend}:start -->",
            f"<!-- fanout_scale_{args.backend}:end -->",
        )
        body = RESULTS.read_text()
        if start in body:
            head, rest = body.split(start, 1)
            body = head + start + "\n" + text + "\n" + end + rest.split(end, 1)[1]
        else:
            body += f"\n{start}\n{text}\n{end}\n"
        RESULTS.write_text(body)


if __name__ == "__main__":
    main()
