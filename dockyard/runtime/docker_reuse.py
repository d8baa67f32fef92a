"""Warm containers of reusable tasks on the Docker backend (`@task(reusable=ReusePolicy(...))`).

Attempts that share an execution, an image, resources, a user and secrets share a pool of at most
`replicas` containers. Each runs `dockyard-execute serve` (`reuse_worker.py`), which connects to a Unix
socket that the driver listens on, in a private folder bind-mounted from the driver's host; the driver
sends one attempt at a time over it and reads back the exit status and the logs. So an attempt costs a
fork of a warm process instead of a container's create, start, wait, logs and remove. A reused container
mounts the execution's whole folder of a `file://` store read-write (every attempt of the run writes
there), the bundle read-only and the secrets of its first attempt (secrets are part of the pool's key);
docs/reuse.md says what attempts share and what they do not. The containers go when the run ends
(`close`), when the driver dies (the worker sees its socket close, or finds no driver to connect to),
when idle for `idle_ttl`, or through `remove_execution` (labelled with the execution, like any).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from dockyard import private_dirs
from dockyard.errors import ExecutionError
from dockyard.runtime.executor import Outcome, TaskAttempt
from dockyard.runtime.phase import Phase

START_TIMEOUT_S = 120.0  # for a warm process to connect: an image pull is done before, by container_options
GRACE_S = 30.0  # past an attempt's timeout, the driver stops waiting for the worker to report it


@dataclass(eq=False)
class Replica:
    """One warm container and the driver's connection to its worker."""

    container: Any
    conn: socket.socket
    reader: BinaryIO
    holder: Path
    secrets_dir: Path | None
    busy: bool = True


@dataclass(eq=False)
class ReusedHandle:
    """An attempt sent to a replica (the executor's handle for it)."""

    attempt: TaskAttempt
    replica: Replica
    pool: Pool
    logs: str | None = None
    cancelled: bool = False
    outcome: Outcome | None = field(default=None, repr=False)


def _outer_mounts(mounts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """A reused container's mounts from an attempt's: the outermost folders only, read-write when an
    attempt wrote below them (its outputs, checkpoints, raw outputs), else as they were (the bundle)."""
    outer: dict[str, dict[str, str]] = {}
    for path, mount in mounts.items():
        if any(path != other and Path(path).is_relative_to(other) for other in mounts):
            continue
        inner_rw = any(
            m["mode"] == "rw" and p != path and Path(p).is_relative_to(path) for p, m in mounts.items()
        )
        outer[path] = {**mount, "mode": "rw" if inner_rw else mount["mode"]}
    return outer


class Pool:
    """The replicas of one key: handed out one attempt at a time, started on demand."""

    def __init__(self, pools: Pools, execution_id: str, limit: int) -> None:
        self.pools = pools
        self.execution_id = execution_id
        self.limit = limit
        self.replicas: list[Replica] = []
        self.starting = 0
        self.closed = False
        self.cond = threading.Condition()

    def acquire(self, attempt: TaskAttempt) -> Replica:
        with self.cond:
            while True:
                if self.closed:
                    raise ExecutionError(f"task {attempt.node_id}: the run's warm containers are closed")
                for replica in list(self.replicas):
                    if not replica.busy and self._alive(replica):
                        replica.busy = True
                        return replica
                if len(self.replicas) + self.starting < self.limit:
                    self.starting += 1
                    break
                self.cond.wait()
        started: list[Replica] = []
        try:
            started.append(self.pools.start(attempt))
        finally:
            with self.cond:  # in one step: no other attempt counts the pool between the two
                self.starting -= 1
                self.replicas += started
                self.cond.notify_all()
        return started[0]

    def _alive(self, replica: Replica) -> bool:
        """False (and the replica dropped) when its worker hung up: it was idle past its `idle_ttl`."""
        ready, _, _ = select.select([replica.conn], [], [], 0)
        if not ready:
            return True
        self.replicas.remove(replica)
        threading.Thread(target=self.pools.stop, args=(replica,), daemon=True).start()
        return False

    def release(self, replica: Replica) -> None:
        with self.cond:
            replica.busy = False
            self.cond.notify_all()

    def discard(self, replica: Replica) -> None:
        with self.cond:
            if replica in self.replicas:
                self.replicas.remove(replica)
            self.cond.notify_all()
        self.pools.stop(replica)

    def close(self) -> None:
        """Hang up on idle replicas: each worker exits at once and Docker removes its container (it runs
        with `--rm`), so the run's end waits for no removal. A busy one is removed here."""
        with self.cond:
            self.closed = True
            replicas, self.replicas = self.replicas, []
            self.cond.notify_all()
        for replica in replicas:
            if replica.busy:
                self.pools.stop(replica)
                continue
            with contextlib.suppress(OSError):
                replica.reader.close()
                replica.conn.close()
            private_dirs.remove(replica.holder)
            self.pools.executor._drop_secrets(replica.secrets_dir)


class Pools:
    """Every pool of one `DockerExecutor`, by key."""

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self._lock = threading.Lock()
        self._pools: dict[tuple[Any, ...], Pool] = {}

    def _key(self, attempt: TaskAttempt) -> tuple[Any, ...]:
        from dockyard.runtime.docker_executor import task_user

        return (
            attempt.execution_id,
            attempt.image,
            task_user(self.executor.settings, attempt.pod_template),
            tuple(sorted(attempt.requests.items())),
            tuple(sorted(attempt.limits.items())),
            attempt.accelerator,
            attempt.secrets,
            tuple(sorted(attempt.labels.items())),
            tuple(sorted(attempt.annotations.items())),
            attempt.reuse,
        )

    def launch(self, attempt: TaskAttempt) -> ReusedHandle:
        """Send the attempt to a free replica of its pool (starting one when the pool has room)."""
        assert attempt.reuse is not None
        key = self._key(attempt)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = Pool(self, attempt.execution_id, attempt.reuse.replicas)
        request = {
            "argv": attempt.command[1:],  # after `dockyard-execute`
            "env": self.executor.attempt_env(attempt),
            "timeout": attempt.timeout_s,
        }
        line = json.dumps(request).encode() + b"\n"
        for _ in range(3):  # a replica may hang up between the check and the send (its idle_ttl)
            replica = pool.acquire(attempt)
            self._prepare(attempt)
            try:
                replica.conn.sendall(line)
            except OSError:
                pool.discard(replica)
                continue
            return ReusedHandle(attempt, replica, pool)
        raise ExecutionError(f"task {attempt.node_id}: no warm container took the attempt")

    def _prepare(self, attempt: TaskAttempt) -> None:
        """Make (and hand to the task's user) the attempt's writable store folders, as a fresh container's
        launch does; the mounts themselves are the replica's."""
        from dockyard.runtime.docker_executor import task_user

        self.executor._store_mounts(attempt, task_user(self.executor.settings, attempt.pod_template))

    def wait(self, handle: ReusedHandle) -> Outcome:
        """The attempt's outcome as the worker reports it; a worker that hung up lost its container."""
        from dockyard.runtime.docker_executor import DockerExecutor

        if handle.outcome is not None:
            return handle.outcome
        replica, timeout = handle.replica, handle.attempt.timeout_s
        line = b""
        with contextlib.suppress(OSError, ValueError):  # a timeout, a reset, or closed meanwhile
            replica.conn.settimeout(None if timeout is None else timeout + GRACE_S)
            line = replica.reader.readline()
        if not line:
            handle.pool.discard(replica)
            handle.logs = ""
            message = "cancelled" if handle.cancelled else "system error: the reused container was lost"
            phase = Phase.ABORTED if handle.cancelled else Phase.FAILED
            handle.outcome = Outcome(phase, None, message)
            return handle.outcome
        reply = json.loads(line)
        handle.pool.release(replica)
        handle.logs = str(reply.get("logs", ""))
        exit_code = int(reply["exit"])
        handle.outcome = DockerExecutor._outcome(handle, exit_code, bool(reply.get("timed_out")), {})
        return handle.outcome

    def cancel(self, handle: ReusedHandle) -> None:
        """Kill the replica's container: the waiting `wait` sees the connection end and drops it."""
        handle.cancelled = True
        self.executor._kill(handle.replica.container)

    def close(self, execution_id: str) -> None:
        """Stop and remove the warm containers of an execution that ended."""
        with self._lock:
            keys = [key for key, pool in self._pools.items() if pool.execution_id == execution_id]
            pools = [self._pools.pop(key) for key in keys]
        for pool in pools:
            pool.close()

    def start(self, attempt: TaskAttempt) -> Replica:
        """Start a warm container for the attempt's key and connect to its worker."""
        import docker.errors

        from dockyard.runtime.docker_executor import task_user

        assert attempt.reuse is not None
        executor = self.executor
        user = task_user(executor.settings, attempt.pod_template)
        holder = private_dirs.create("reuse")
        uid, _, gid = user.partition(":")
        if os.getuid() == 0 and uid.isdigit():
            os.chown(holder, int(uid), int(gid or uid))
        volumes = _outer_mounts(executor._store_mounts(attempt, user))
        volumes[str(holder)] = {"bind": str(holder), "mode": "rw"}
        sock = holder / "worker.sock"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        secrets_dir: Path | None = None
        container: Any = None
        try:
            server.bind(str(sock))
            server.listen(1)
            if os.getuid() == 0 and uid.isdigit():
                os.chown(sock, int(uid), int(gid or uid))
            kwargs, secrets_dir = executor.container_options(attempt, volumes)
            kwargs["labels"]["dockyard.reuse"] = "true"
            env = {k: v for k, v in attempt.env.items() if k.startswith("DOCKYARD_STORE_")}
            env["DOCKYARD_EXECUTOR_SECRETS_DIR"] = str(executor.settings.executor.secrets_dir)
            command = ["dockyard-execute", "serve", "--socket", str(sock)]
            command += ["--idle-ttl", f"{attempt.reuse.idle_ttl_s:g}"]
            try:
                container = executor.client.containers.create(
                    attempt.image, command=command, environment=env, auto_remove=True, **kwargs
                )
                container.start()
            except docker.errors.APIError as exc:
                raise ExecutionError(f"task {attempt.node_id}: warm container did not start: {exc}") from None
            conn = self._accept(server, container, attempt)
        except BaseException:
            if container is not None:
                self._teardown(container, holder, secrets_dir)
            else:
                private_dirs.remove(holder)
                executor._drop_secrets(secrets_dir)
            raise
        finally:
            server.close()
        return Replica(container, conn, conn.makefile("rb"), holder, secrets_dir)

    @staticmethod
    def _accept(server: socket.socket, container: Any, attempt: TaskAttempt) -> socket.socket:
        """The worker's connection; refused when the container ends first or takes too long."""
        deadline = time.monotonic() + START_TIMEOUT_S
        server.settimeout(0.5)
        while True:
            try:
                conn, _ = server.accept()
                conn.settimeout(None)
                return conn
            except TimeoutError:
                pass
            if time.monotonic() > deadline:
                raise ExecutionError(f"task {attempt.node_id}: warm container did not connect in time")
            try:
                container.reload()
                running = container.status in ("created", "running")
            except Exception:
                running = False
            if not running:
                raise ExecutionError(
                    f"task {attempt.node_id}: warm container exited before it connected "
                    f"(does image {attempt.image} have a dockyard with `dockyard-execute serve`?)"
                )

    def stop(self, replica: Replica) -> None:
        """Close the connection (the worker exits), then kill and remove the container."""
        with contextlib.suppress(OSError):
            replica.reader.close()
            replica.conn.close()
        self._teardown(replica.container, replica.holder, replica.secrets_dir)

    def _teardown(self, container: Any, holder: Path, secrets_dir: Path | None) -> None:
        """Remove the container and wait until it is gone (Docker may be auto-removing it already)."""
        import docker.errors

        try:
            container.remove(force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError:  # "removal already in progress"
            with contextlib.suppress(Exception):
                container.wait(condition="removed", timeout=30)
        private_dirs.remove(holder)
        self.executor._drop_secrets(secrets_dir)
