"""Where a reused (warm) attempt's time goes, without Docker: the real driver (`orchestrator.execute_remote`
with the real `DockerExecutor` and its warm-container pools) over a `file://` store, whose "containers"
are local `dockyard-execute serve` processes (same paths, no namespaces). So it measures the warm
worker's CPU per attempt and the driver's CPU per node, not Docker.

    .venv/bin/python benchmarks/warm_attempts.py [--nodes 1000] [--replicas 2] [--profile FILE]

Not a test, and not a figure of RESULTS.md on its own: `fanout_scale.py --backend docker` and
`runtime_overhead.py` measure the same paths on the real engine. `--profile FILE` writes a cProfile of
the driver (the workers' own profile: run one by hand under `python -m cProfile`).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

WORKLOAD = """
from dockyard import dynamic, task, workflow
from dockyard.sdk.reuse import ReusePolicy


@task(reusable=ReusePolicy(replicas={replicas}, idle_ttl=60))
def double(i: int) -> int:
    return 2 * i


@dynamic
def spread(n: int) -> list[int]:
    return [double(i=i) for i in range(n)]


@workflow
def fanout(n: int = 10) -> list[int]:
    return spread(n=n)
"""


class LocalContainer:
    """A "container" that is a local process running the container's command (a warm worker)."""

    def __init__(self, command: list[str], environment: dict[str, str]) -> None:
        self.command, self.environment = command, environment
        self.proc: subprocess.Popen[bytes] | None = None
        self.status = "created"
        self.short_id = "local"
        self.attrs: dict[str, Any] = {"State": {}}

    def start(self) -> None:
        argv = [sys.executable, "-m", "dockyard.runtime", *self.command[1:]]
        self.proc = subprocess.Popen(argv, env={**os.environ, **self.environment}, cwd="/tmp")
        self.status = "running"

    def reload(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            self.status = "exited"

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()

    def remove(self, force: bool = False) -> None:
        self.kill()
        if self.proc is not None:
            self.proc.wait()

    def wait(self, **_: Any) -> dict[str, int]:
        assert self.proc is not None
        return {"StatusCode": self.proc.wait()}


class LocalClient:
    """The few docker SDK calls the reuse path makes."""

    def __init__(self) -> None:
        self.started: list[LocalContainer] = []
        client = self

        class Containers:
            def create(self, image: str, *, command: list[str], environment: dict[str, str], **_: Any) -> Any:
                container = LocalContainer(command, environment)
                client.started.append(container)
                return container

        class Images:
            def get(self, image: str) -> None:
                return None

        self.containers, self.images = Containers(), Images()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()

    from dockyard.config import load_settings
    from dockyard.runtime.blobstore import LocalStore
    from dockyard.runtime.bundle import upload_bundle
    from dockyard.runtime.docker_executor import DockerExecutor
    from dockyard.runtime.orchestrator import execute_remote
    from dockyard.sdk.entities import load_entity

    with tempfile.TemporaryDirectory(prefix="dockyard-warm-") as tmp:
        root = Path(tmp)
        src = root / "src"
        src.mkdir()
        (src / "warm_workload.py").write_text(textwrap.dedent(WORKLOAD.format(replicas=args.replicas)))
        store = LocalStore(f"file://{root}/store")
        settings = load_settings(
            {"store": {"url": store.url}, "executor": {"max_parallel": 8}},
            project_dir=Path("/nonexistent"),
            environ={},
        )
        bundle = upload_bundle(src, store)
        entity = load_entity(f"{src / 'warm_workload.py'}:fanout")
        client = LocalClient()
        executor = DockerExecutor(settings, store_root=root / "store", client=client)
        profilers: list[Any] = []
        if args.profile:  # every thread of the driver: the walker's, the executor's
            import cProfile
            import threading

            def start(*_: Any) -> None:
                sys.setprofile(None)
                profilers.append(cProfile.Profile())
                profilers[-1].enable()

            threading.setprofile(start)
            start()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = execute_remote(
            entity,
            {"n": args.nodes},
            settings=settings,
            store=store,
            executor=executor,
            images={"default": "local"},
            bundle_uri=bundle,
        )
        executor.close(result.execution_id)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if profilers:
            import pstats

            threading.setprofile(None)  # type: ignore[arg-type]
            pstats.Stats(*profilers).dump_stats(args.profile)
        assert result.outputs == [2 * i for i in range(args.nodes)], result.outputs[:5]
        for container in client.started:
            assert container.proc is not None
            container.proc.wait(timeout=60)
        workers = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_cpu = workers.ru_utime + workers.ru_stime
    print(
        f"{args.nodes} nodes, {len(client.started)} containers (the dynamic task's one-shot one included), "
        f"load {os.getloadavg()[0]:.1f}: "
        f"wall {wall:.1f} s, driver CPU {cpu:.1f} s ({1000 * cpu / args.nodes:.2f} ms/node), "
        f"workers' CPU {worker_cpu:.1f} s ({1000 * worker_cpu / args.nodes:.1f} ms/attempt, the dynamic "
        "task's own one-shot process included)"
    )


if __name__ == "__main__":
    main()
