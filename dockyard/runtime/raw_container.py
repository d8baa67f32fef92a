"""ContainerTask on the Docker backend: its image is the user's, with no dockyard inside, so the driver
runs the attempt itself. (On Kubernetes the attempt is one pod instead: `RawContainer` here, the pod in
`kubernetes/raw_pod.py`.)

The attempt is the very one `dockyard-execute` runs (`entrypoint.run_attempt`): inputs read from the
store, the task's one raw-container implementation (`sdk/container_task.py`, `docker run` on the local
engine) and its outputs or error document written back, so the record, logs and console see an ordinary
attempt. The container gets the executor's hardening (user, capabilities, no-new-privileges, network),
cgroup limits, and labels by which `DockerExecutor.remove_execution` finds it; a timeout or a cancel kills
it by name.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from dockyard.config import Settings
from dockyard.errors import ConfigError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.docker_executor import cpu_to_nano, hardening, memory_to_bytes, task_user
from dockyard.runtime.entrypoint import Args, parse_args, run_attempt
from dockyard.runtime.executor import Outcome, TaskAttempt
from dockyard.runtime.phase import Phase
from dockyard.runtime.protocol import ErrorDocument

RAW_TASK_TYPE = "raw-container"


def is_raw(task: Any) -> bool:
    """A task whose image is run as it is (a ContainerTask), not through `dockyard-execute`."""
    return getattr(task, "task_type", None) == RAW_TASK_TYPE


@dataclass(frozen=True)
class RawAttempt:
    """One attempt of a ContainerTask: the `dockyard-execute` arguments it would have had, and its limits."""

    args: Args
    execution_id: str
    limits: dict[str, str] = field(default_factory=dict)
    timeout_s: float | None = None
    pod_template: dict[str, Any] | None = None

    @classmethod
    def of(cls, attempt: TaskAttempt) -> RawAttempt:
        """From the attempt the orchestrator made: its `dockyard-execute` command, run in the driver,
        where the task is loaded already (no code bundle: unpacking one would move the driver's cwd)."""
        return cls(
            replace(parse_args(attempt.command[1:]), bundle=None),
            attempt.execution_id,
            {**attempt.requests, **attempt.limits},
            attempt.timeout_s,
            attempt.pod_template,
        )


@dataclass(frozen=True)
class RawContainer:
    """A ContainerTask attempt as a step of a Kubernetes pod (`kubernetes/raw_pod.py`): the user's image,
    its argv rendered by the driver as `docker run` gets it (a file input is its path under
    `input_data_dir`, where the pod's first step puts it), and its two folders."""

    image: str
    argv: list[str]
    input_data_dir: str | None = None
    output_data_dir: str | None = None

    @classmethod
    def of(cls, task: Any, inputs: dict[str, Any] | None) -> RawContainer:
        """From the task and its input literals; file and folder inputs are not fetched for this. Without
        inputs (a dry run: they are only known at run time) the argv is the task's, templates unfilled."""
        from dockyard.sdk.execute import python_inputs
        from dockyard.sdk.types import FlyteDirectory, FlyteFile

        argv = [*task.command, *task.arguments]
        if inputs is not None:
            types = task.interface.inputs
            files = {k: types[k](path=k) for k in inputs if types[k] in (FlyteFile, FlyteDirectory)}
            plain = python_inputs(task, {k: v for k, v in inputs.items() if k not in files})
            argv, _ = task.render({**plain, **files})
        return cls(task.image_ref, argv, task._input_data_dir, task._output_data_dir)

    def failure(self, exit_code: int) -> ErrorDocument:
        """What a pod whose user container exited non-zero failed of (the pod's steps write their own),
        worded as on the Docker backend: a user error, retried while the task's retries last."""
        message = f"container {self.image} exited with code {exit_code}"
        return ErrorDocument(kind="user", retryable=True, type="ContainerFailed", message=message)


RAW_BACKENDS = ("docker", "kubernetes")


def refuse_raw(tasks: list[Any], backend: str) -> None:
    """A backend that cannot run ContainerTasks refuses them before anything is built or run."""
    if backend in RAW_BACKENDS:
        return
    for task in tasks:
        if is_raw(task):
            raise ConfigError(f"ContainerTask {task.name}: not supported on the {backend} backend yet")


@dataclass
class RawHandle:
    attempt: RawAttempt
    name: str  # the container's name, to kill it
    thread: threading.Thread
    started: float
    result: dict[str, Any] = field(default_factory=dict)
    cancelled: bool = False
    outcome: Outcome | None = None


class RawContainerExecutor:
    """Runs ContainerTask attempts from the driver, through the local Docker engine."""

    name = "docker"

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store

    def flags(self, attempt: RawAttempt, name: str) -> list[str]:
        """`docker run` flags: name and labels, the hardening settings, cgroup limits."""
        args = attempt.args
        user = task_user(self.settings, attempt.pod_template)
        options = hardening(self.settings, user)
        flags = ["--name", name, "--user", user, "--network", self.settings.executor.task_network]
        labels = {
            "dockyard.execution": attempt.execution_id,
            "dockyard.node": str(args.node_id),
            "dockyard.attempt": str(args.attempt),
        }
        for key, value in labels.items():
            flags += ["--label", f"{key}={value}"]
        for cap in options.get("cap_drop", []):
            flags += ["--cap-drop", cap]
        for opt in options.get("security_opt", []):
            flags += ["--security-opt", opt]
        if "cpu" in attempt.limits:
            flags += ["--cpus", f"{cpu_to_nano(attempt.limits['cpu']) / 10**9:g}"]
        if "mem" in attempt.limits:
            memory = str(memory_to_bytes(attempt.limits["mem"]))
            flags += ["--memory", memory, "--memory-swap", memory]
        return flags

    def launch(self, attempt: RawAttempt) -> RawHandle:
        from dockyard.sdk.container_task import DOCKER_RUN, DockerRun

        name = f"dockyard-raw-{uuid.uuid4().hex[:16]}"
        run = DockerRun(self.flags(attempt, name))

        def body() -> None:
            DOCKER_RUN.set(run)  # this thread's own context
            try:
                status, report = run_attempt(attempt.args, self.store)
            except Exception as exc:  # the store failed before any document could be written
                status, report = 2, f"{type(exc).__name__}: {exc}"
            handle.result.update(status=status, logs=(run.logs + report).strip() + "\n")

        thread = threading.Thread(target=body, name=f"dockyard-raw-{attempt.args.node_id}", daemon=True)
        handle = RawHandle(attempt, name, thread, time.monotonic())
        thread.start()
        return handle

    def wait(self, handle: RawHandle) -> Outcome:
        if handle.outcome is not None:
            return handle.outcome
        timeout = handle.attempt.timeout_s
        handle.thread.join(timeout)
        timed_out = handle.thread.is_alive()
        status = handle.result.get("status")
        if status != 0:  # a timeout (ours or the task runner's) may have left the container running
            self._kill(handle.name)
            handle.thread.join()
            status = handle.result.get("status")
        if handle.cancelled:
            outcome = Outcome(Phase.ABORTED, status, "cancelled")
        elif timed_out:
            outcome = Outcome(Phase.TIMED_OUT, status, f"timed out after {timeout:g}s")
        elif status == 0:
            outcome = Outcome(Phase.SUCCEEDED, 0)
        else:
            outcome = Outcome(Phase.FAILED, status, f"exit code {status}")
        handle.outcome = outcome
        return outcome

    def logs(self, handle: RawHandle) -> str:
        return str(handle.result.get("logs", ""))

    def cancel(self, handle: RawHandle) -> None:
        handle.cancelled = True
        self._kill(handle.name)

    @staticmethod
    def _kill(name: str) -> None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):  # gone already: nothing to kill
            subprocess.run(["docker", "kill", name], capture_output=True, timeout=60, check=False)
