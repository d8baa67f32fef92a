"""The Docker backend: each task attempt runs in a container of its image, pinned by digest.

Why each rule: resources become cgroup limits so a task cannot starve its neighbours on a shared host;
secrets travel as read-only files (never env or argv, which `docker inspect` and `ps` show); the container
is removed after its logs are captured (in the background; the process's exit waits for it), so nothing
piles up; a timeout kills the container from outside.
Hardened by default (each relaxed by an `executor.task_*` setting, docs/security.md): a non-root user, no
Linux capabilities, no-new-privileges, its own network, and of a `file://` store only the execution's
folder (read-only) and the attempt's output and checkpoint prefixes (read-write), so a task cannot read or
change another execution's data.
"""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockyard import private_dirs
from dockyard.config import Settings, get_settings
from dockyard.errors import ExecutionError
from dockyard.runtime.executor import Outcome, SecretRef, TaskAttempt, template_run_as
from dockyard.runtime.phase import Phase
from dockyard.sdk.resources import quantity_value

SecretSource = Callable[[SecretRef], bytes]


def cpu_to_nano(quantity: str) -> int:
    """A Kubernetes CPU quantity ("2", "500m", "0.5") as Docker nano-CPUs."""
    return int(quantity_value("resources.cpu", quantity) * 10**9)


def memory_to_bytes(quantity: str) -> int:
    """A Kubernetes memory quantity ("512Mi", "1G", "1000") as bytes; rounded up, as Kubernetes does."""
    return math.ceil(quantity_value("resources.mem", quantity))


def host_secret(settings: Settings) -> SecretSource:
    """Secrets the driver host holds, where a local run finds them: env `_FSEC_<GROUP>[_<VERSION>]_<KEY>`
    (flytekit's convention) or the file `<executor.secrets_dir>/<group>[/<version>]/<key>` on the host."""
    from dockyard.sdk.context import ENV_PREFIX, SecretsManager

    def read(ref: SecretRef) -> bytes:
        env_name = ENV_PREFIX + SecretsManager.env_name(ref.group, ref.key, ref.group_version)
        if env_name in os.environ:
            return os.environ[env_name].encode()
        path = settings.executor.secrets_dir.joinpath(*ref.path)
        if ref.key and path.is_file():
            return path.read_bytes()
        raise ExecutionError(f"secret {ref.group}/{ref.key or ''}: not in ${env_name} nor {path}")

    return read


def task_user(settings: Settings, pod_template: dict[str, Any] | None) -> str:
    """uid:gid of a task: the pod template's runAsUser, else this process's user when it is not root
    (so the task can write its store), else `executor.task_user` (`root` relaxes it)."""
    uid, gid = template_run_as(pod_template)
    if uid is not None:
        return f"{uid}:{gid if gid is not None else uid}"
    configured = settings.executor.task_user
    if configured == "root":
        return "0:0"
    if os.getuid() != 0:
        return f"{os.getuid()}:{os.getgid()}"
    return configured


def hardening(settings: Settings, user: str) -> dict[str, Any]:
    """The container options of the `executor.task_*` hardening settings (docker SDK names)."""
    executor = settings.executor
    options: dict[str, Any] = {"user": user}
    if executor.task_drop_capabilities:
        options["cap_drop"] = ["ALL"]
    if executor.task_no_new_privileges:
        options["security_opt"] = ["no-new-privileges:true"]
    return options


@dataclass
class DockerHandle:
    """A launched attempt: the container plus what `wait` needs after the container is gone."""

    attempt: TaskAttempt
    container: Any
    started: float
    secrets_dir: Path | None = None
    logs: str | None = None
    cancelled: bool = False
    outcome: Outcome | None = field(default=None, repr=False)


class DockerExecutor:
    """Runs task attempts on the local Docker engine through the docker SDK (imported lazily)."""

    name = "docker"

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        secret_source: SecretSource | None = None,
        store_root: Path | None = None,
        client: Any = None,
    ) -> None:
        """`store_root`: the folder of a `file://` store, whose parts each attempt needs are bind-mounted
        at the same paths (see `_store_mounts`)."""
        self.settings = settings or get_settings()
        self.secret_source = secret_source or host_secret(self.settings)
        self.store_root = store_root
        self._client = client
        self._pools: Any = None
        self._removals: list[threading.Thread] = []
        self._removals_lock = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            import docker

            try:
                self._client = docker.from_env()
                self._client.ping()
            except Exception as exc:
                raise ExecutionError(f"docker engine: unreachable ({exc})") from None
        return self._client

    def _ensure_image(self, image: str) -> None:
        import docker.errors

        try:
            self.client.images.get(image)
            return
        except docker.errors.ImageNotFound:
            pass
        try:
            self.client.images.pull(image)
        except docker.errors.APIError as exc:
            reason = str(getattr(exc, "explanation", "") or exc).splitlines()[0]
            raise ExecutionError(f"image {image}: not found locally or in its registry ({reason})") from None

    def _check_driver(self, attempt: TaskAttempt) -> None:
        """Refuse a GPU task whose image needs a newer NVIDIA driver than this host's, before any pull."""
        from dockyard.imagespec.cuda import DriverTooOld, check_driver

        count = attempt.limits.get("gpu") or attempt.requests.get("gpu")
        if not attempt.min_driver_version or not count or int(count) == 0:
            return
        query = ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"]
        try:
            result = subprocess.run(query, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ExecutionError(
                f"task {attempt.node_id}: needs an NVIDIA driver >= {attempt.min_driver_version} "
                f"but nvidia-smi did not answer on this host ({exc})"
            ) from None
        drivers = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        if result.returncode != 0 or not drivers:
            raise ExecutionError(
                f"task {attempt.node_id}: needs an NVIDIA driver >= {attempt.min_driver_version} "
                f"but nvidia-smi found none (exit {result.returncode})"
            )
        for driver in drivers:
            try:
                check_driver(attempt.min_driver_version, driver)
            except DriverTooOld as exc:
                raise ExecutionError(f"task {attempt.node_id}: {exc}") from None

    def _gpu_requests(self, attempt: TaskAttempt) -> list[Any]:
        count = attempt.limits.get("gpu") or attempt.requests.get("gpu")
        if not count or int(count) == 0:
            return []
        runtimes = self.client.info().get("Runtimes", {})
        if "nvidia" not in runtimes:
            raise ExecutionError(
                f"task {attempt.node_id}: requests gpu={count} but the Docker engine has no nvidia runtime "
                f"(runtimes: {', '.join(sorted(runtimes)) or 'none'})"
            )
        import docker.types

        return [docker.types.DeviceRequest(count=int(count), capabilities=[["gpu"]])]

    def _secret_env(self, attempt: TaskAttempt) -> dict[str, str]:
        """flytekit's Secret.env_var / mount_requirement: an env_var-mounted secret's value, or the path of
        the secret's file for one with an `env_var` name."""
        env: dict[str, str] = {}
        for ref in attempt.secrets:
            if ref.mount == "env_var":
                env[ref.env_name] = self.secret_source(ref).decode().strip()
            elif ref.env_var:
                env[ref.env_var] = str(self.settings.executor.secrets_dir.joinpath(*ref.path))
        return env

    def _write_secrets(self, attempt: TaskAttempt) -> Path | None:
        if not attempt.secrets:
            return None
        # The holder is 0700 and the host user's alone; the tree inside is world-readable so that the
        # task's user (not root by default) reads it through the read-only mount.
        holder = private_dirs.create("task")
        root = holder / "secrets"
        root.mkdir(mode=0o755)
        for ref in attempt.secrets:
            value = self.secret_source(ref)
            path = root.joinpath(*ref.path)  # where the SDK's SecretsManager looks
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
            path.write_bytes(value)
            path.chmod(0o444)
        return root

    def _hardening(self, user: str) -> dict[str, Any]:
        options = hardening(self.settings, user)
        if not user.startswith("0:"):
            # The image's WORKDIR (/root) is root's own; a non-root task starts in /tmp and keeps its
            # caches there (the entrypoint moves into the unpacked code bundle anyway).
            options["working_dir"] = "/tmp"
        return options

    def _store_mounts(self, attempt: TaskAttempt, user: str) -> dict[str, dict[str, str]]:
        """Bind mounts of a `file://` store: the execution's folder read-only (inputs, upstream outputs,
        dynamic graphs, earlier checkpoints), the attempt's output and checkpoint prefixes read-write, the
        code bundle read-only; nothing of other executions. `executor.task_mount_whole_store` mounts the
        whole store read-write instead."""
        if self.store_root is None:
            return {}
        root = self.store_root
        if self.settings.executor.task_mount_whole_store:
            return {str(root): {"bind": str(root), "mode": "rw"}}
        from dockyard.runtime.blobstore.local import path_of

        flags = dict(zip(attempt.command, attempt.command[1:], strict=False))
        execution = root / "executions" / attempt.execution_id
        execution.mkdir(parents=True, exist_ok=True)
        mounts = {str(execution): {"bind": str(execution), "mode": "ro"}}
        if "--bundle" in flags:
            bundle = path_of(flags["--bundle"])
            mounts[str(bundle)] = {"bind": str(bundle), "mode": "ro"}
        uid, _, gid = user.partition(":")
        if "--raw-output-prefix" in flags:  # other nodes' raw outputs of this execution, to read
            raw_execution = path_of(flags["--raw-output-prefix"]).parents[
                1
            ]  # <prefix>/<execution>/<node>/<n>
            raw_execution.mkdir(parents=True, exist_ok=True)
            mounts[str(raw_execution)] = {"bind": str(raw_execution), "mode": "ro"}
        for flag in ("--output-prefix", "--checkpoint-cur", "--raw-output-prefix"):
            if flag in flags:
                writable = path_of(flags[flag])
                writable.mkdir(parents=True, exist_ok=True)
                if os.getuid() == 0 and uid.isdigit():
                    os.chown(writable, int(uid), int(gid or uid))
                mounts[str(writable)] = {"bind": str(writable), "mode": "rw"}
        return mounts

    def container_options(
        self, attempt: TaskAttempt, volumes: dict[str, dict[str, str]] | None = None
    ) -> tuple[dict[str, Any], Path | None]:
        """The docker SDK's `containers.create` options of an attempt (image and GPU checked first), and
        the secrets folder it mounts; `volumes` replaces the attempt's own store mounts (a reused
        container's). The caller drops the secrets folder when the container is gone."""
        self._check_driver(attempt)
        self._ensure_image(attempt.image)
        device_requests = self._gpu_requests(attempt)
        limits = {**attempt.requests, **attempt.limits}
        kwargs: dict[str, Any] = {}
        if "cpu" in limits:
            kwargs["nano_cpus"] = cpu_to_nano(limits["cpu"])
        if "mem" in limits:
            kwargs["mem_limit"] = memory_to_bytes(limits["mem"])
            kwargs["memswap_limit"] = kwargs["mem_limit"]
        if "mem" in attempt.requests:
            kwargs["mem_reservation"] = memory_to_bytes(attempt.requests["mem"])
        user = task_user(self.settings, attempt.pod_template)
        volumes = dict(self._store_mounts(attempt, user) if volumes is None else volumes)
        kwargs.update(self._hardening(user))
        secrets_dir = self._write_secrets(attempt)
        if secrets_dir is not None:
            volumes[str(secrets_dir)] = {"bind": str(self.settings.executor.secrets_dir), "mode": "ro"}
        kwargs.update(
            volumes=volumes,
            device_requests=device_requests or None,
            network_mode=self.settings.executor.task_network,
            labels={  # Docker has no annotations: they are labels too; dockyard's own labels win
                **attempt.annotations,
                **attempt.labels,
                "dockyard.execution": attempt.execution_id,
            },
            detach=True,
        )
        return kwargs, secrets_dir

    def attempt_env(self, attempt: TaskAttempt) -> dict[str, str]:
        """What the attempt's process sees in its environment, secrets mounted as env included."""
        return {
            **attempt.env,
            "DOCKYARD_EXECUTOR_SECRETS_DIR": str(self.settings.executor.secrets_dir),
            **self._secret_env(attempt),
        }

    def launch(self, attempt: TaskAttempt) -> Any:
        """Create and start the container; fails before starting when the image or a GPU is missing. A
        reusable task's attempt goes to a warm container instead (`docker_reuse.py`)."""
        import docker.errors

        if attempt.reuse is not None:
            return self.pools.launch(attempt)
        kwargs, secrets_dir = self.container_options(attempt)
        kwargs["labels"].update({"dockyard.node": attempt.node_id, "dockyard.attempt": str(attempt.attempt)})
        try:
            container = self.client.containers.create(
                attempt.image, command=attempt.command, environment=self.attempt_env(attempt), **kwargs
            )
            container.start()
        except docker.errors.APIError as exc:
            self._drop_secrets(secrets_dir)
            raise ExecutionError(f"task {attempt.node_id}: container did not start: {exc}") from None
        return DockerHandle(attempt, container, time.monotonic(), secrets_dir)

    def wait(self, handle: Any) -> Outcome:
        """Wait for the container (killing it at the attempt's timeout), keep its logs, remove it."""
        if not isinstance(handle, DockerHandle):
            return self.pools.wait(handle)
        if handle.outcome is not None:
            return handle.outcome
        import requests.exceptions

        container = handle.container
        timeout = handle.attempt.timeout_s
        timed_out = False
        exit_code: int | None = None
        try:
            remaining = None if timeout is None else max(0.1, timeout - (time.monotonic() - handle.started))
            exit_code = int(container.wait(timeout=remaining)["StatusCode"])
        except requests.exceptions.RequestException as exc:
            # docker-py reports its read timeout as a timeout or a connection error; before the deadline, any
            # of them is the engine going away (a dropped connection, a restarted daemon)
            if timeout is None or time.monotonic() - handle.started < timeout:
                raise ExecutionError(
                    f"task {handle.attempt.node_id}: lost the connection to the docker engine while waiting "
                    f"for container {container.short_id}: {exc}"
                ) from None
            timed_out = True
            self._kill(container)
            exit_code = int(container.wait(timeout=60)["StatusCode"])
        state = container.attrs["State"] if self._reload(container) else {}
        handle.logs = self._read_logs(container)
        self._remove_later(container)
        self._drop_secrets(handle.secrets_dir)
        handle.outcome = self._outcome(handle, exit_code, timed_out, state)
        return handle.outcome

    @staticmethod
    def _outcome(handle: Any, exit_code: int | None, timed_out: bool, state: dict[str, Any]) -> Outcome:
        """Of a `DockerHandle` or a reused attempt's handle: both have `cancelled` and `attempt`."""
        if handle.cancelled:
            return Outcome(Phase.ABORTED, exit_code, "cancelled")
        if timed_out:
            return Outcome(Phase.TIMED_OUT, exit_code, f"timed out after {handle.attempt.timeout_s:g}s")
        if exit_code == 0:
            return Outcome(Phase.SUCCEEDED, 0)
        if state.get("OOMKilled"):
            return Outcome(Phase.FAILED, exit_code, "system error: out of memory (OOMKilled)")
        if exit_code is not None and exit_code >= 128:
            signal = exit_code - 128
            return Outcome(Phase.FAILED, exit_code, f"system error: container killed by signal {signal}")
        return Outcome(Phase.FAILED, exit_code, f"exit code {exit_code}")

    def logs(self, handle: Any) -> str:
        if not isinstance(handle, DockerHandle):
            return str(handle.logs or "")
        if handle.logs is not None:
            return handle.logs
        return self._read_logs(handle.container)

    def cancel(self, handle: Any) -> None:
        if not isinstance(handle, DockerHandle):
            self.pools.cancel(handle)
            return
        handle.cancelled = True
        self._kill(handle.container)

    @property
    def pools(self) -> Any:
        """The warm containers of reusable tasks (`docker_reuse.Pools`), made on first use."""
        if self._pools is None:
            from dockyard.runtime.docker_reuse import Pools

            self._pools = Pools(self)
        return self._pools

    def close(self, execution_id: str) -> None:
        """Let the execution's warm containers go (its run ended)."""
        if self._pools is not None:
            self._pools.close(execution_id)

    def _remove_later(self, container: Any) -> None:
        """Remove an exited container off the attempt's path: its logs and state are read already, and a
        removal takes as long as a start. Not a daemon thread: the process does not exit before it."""
        thread = threading.Thread(target=self._remove, args=(container,), daemon=False)
        with self._removals_lock:
            self._removals = [t for t in self._removals if t.is_alive()] + [thread]
        thread.start()

    def join_removals(self) -> None:
        with self._removals_lock:
            pending, self._removals = self._removals, []
        for thread in pending:
            thread.join()

    def remove_execution(self, execution_id: str) -> dict[tuple[str, int], str]:
        """Remove every container of an execution whose driver is gone; their logs by (node, attempt)."""
        containers = self.client.containers.list(
            all=True, filters={"label": f"dockyard.execution={execution_id}"}
        )
        logs: dict[tuple[str, int], str] = {}
        for container in containers:
            self._kill(container)
            labels = container.labels
            if "dockyard.node" in labels:  # a reused container ran many attempts: its logs are no one's
                logs[(labels["dockyard.node"], int(labels["dockyard.attempt"]))] = self._read_logs(container)
            self._remove(container)
        return logs

    @staticmethod
    def _read_logs(container: Any) -> str:
        try:
            return bytes(container.logs(stdout=True, stderr=True)).decode(errors="replace")
        except Exception:
            return ""

    @staticmethod
    def _reload(container: Any) -> bool:
        try:
            container.reload()
            return True
        except Exception:
            return False

    @staticmethod
    def _kill(container: Any) -> None:
        with contextlib.suppress(Exception):  # already stopped: nothing to kill
            container.kill()

    @staticmethod
    def _remove(container: Any) -> None:
        with contextlib.suppress(Exception):  # removed already (cancel raced with wait)
            container.remove(force=True)

    @staticmethod
    def _drop_secrets(secrets_dir: Path | None) -> None:
        if secrets_dir is not None:
            private_dirs.remove(secrets_dir.parent)
