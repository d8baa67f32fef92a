"""The pool of a reusable task's warm containers (`docker_reuse.Pool`): never more than `replicas`, however
many attempts ask at once while the first containers are still starting."""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

from dockyard.runtime.docker_reuse import Pool, Replica
from dockyard.runtime.executor import TaskAttempt


class SlowStarts:
    """Stands in for `Pools`: each start takes a while, as a container's does."""

    def __init__(self) -> None:
        self.started = 0
        self.lock = threading.Lock()
        self.peers: list[socket.socket] = []

    def start(self, attempt: TaskAttempt) -> Replica:
        with self.lock:
            self.started += 1
        time.sleep(0.1)
        conn, peer = socket.socketpair()
        self.peers.append(peer)  # the worker's end, kept open: the replica stays alive
        return Replica(None, conn, conn.makefile("rb"), Path("/nonexistent"), None)


def test_a_pool_never_starts_more_than_its_replicas() -> None:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch at every chance, so a gap between two locks shows
    attempt = TaskAttempt(execution_id="x1", node_id="n0", attempt=0, image="i", command=[])
    try:
        for _ in range(10):
            starter = SlowStarts()
            pool = Pool(starter, "x1", limit=2)  # type: ignore[arg-type]
            served: list[int] = []

            def run_one(i: int, pool: Pool = pool, served: list[int] = served) -> None:
                replica = pool.acquire(attempt)
                served.append(i)
                pool.release(replica)

            threads = [threading.Thread(target=run_one, args=(i,)) for i in range(32)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert sorted(served) == list(range(32))
            assert starter.started == 2 and len(pool.replicas) == 2, starter.started
    finally:
        sys.setswitchinterval(interval)
