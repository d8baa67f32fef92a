"""`ContainerTask`: a task that is an image and a command, run through the local Docker engine (flytekit's).

Locally, as flytekit does: an argument that is exactly `{{.inputs.x}}` becomes the input's text, a
FlyteFile/FlyteDirectory input named by a path under `input_data_dir` is bind-mounted there, the host
folder for `output_data_dir` is mounted, and after the container exits each output is read from the file of
its name in that folder (FlyteFile/FlyteDirectory outputs are the paths themselves).
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from dockyard.sdk.flyte_context import FlyteContextManager
from dockyard.sdk.instance_task import PythonInstanceTask, TaskMetadata
from dockyard.sdk.types import FlyteDirectory, FlyteFile

_WHOLE_INPUT = re.compile(r"^\{\{\s*\.inputs\.(.*?)\s*\}\}$")
_TIMEDELTA = re.compile(r"(?:(\d+) days?, )?(?:(\d+):)?(\d+):(\d+)(?:\.(\d+))?")


def _timedelta(text: str) -> datetime.timedelta:
    parts = _TIMEDELTA.match(text)
    if not parts:
        raise ValueError("Invalid timedelta string format")
    days, hours, minutes, seconds, micros = (int(g) if g else 0 for g in parts.groups())
    return datetime.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds, microseconds=micros)


def output_value(text: str, output_type: Any) -> Any:
    """An output file's text as a value of its declared type (flytekit's conversions)."""
    if output_type is bool:
        return text.lower() != "false"
    if output_type is datetime.datetime:
        return datetime.datetime.fromisoformat(text)
    if output_type is datetime.timedelta:
        return _timedelta(text)
    return output_type(text)


@dataclass
class DockerRun:
    """How the remote driver runs a ContainerTask (`runtime/raw_container.py`): its extra `docker run`
    flags (name, labels, hardening), and what the container printed. Unlike a local run, a container that
    exits non-zero fails the attempt."""

    flags: list[str] = field(default_factory=list)
    logs: str = ""


DOCKER_RUN: ContextVar[DockerRun | None] = ContextVar("dockyard_docker_run", default=None)
# On Kubernetes the user's container is a step of the pod (`kubernetes/raw_pod.py`): the attempt that
# follows it only reads the outputs it left in this folder.
OUTPUTS_FROM: ContextVar[str | None] = ContextVar("dockyard_raw_outputs_from", default=None)


class ContainerFailed(RuntimeError):
    """A ContainerTask's container exited non-zero in a remote run."""


class ContainerTask(PythonInstanceTask):
    """An image run with `command` + `arguments`; inputs and outputs travel as files in two folders."""

    def __init__(
        self,
        name: str,
        image: Any,
        command: list[str],
        inputs: dict[str, Any] | None = None,
        metadata: TaskMetadata | None = None,
        arguments: list[str] | None = None,
        outputs: dict[str, Any] | None = None,
        input_data_dir: str | None = None,
        output_data_dir: str | None = None,
        metadata_format: Any = None,
        io_strategy: Any = None,
        local_logs: bool = False,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("resources") is not None and (kwargs.get("limits") or kwargs.get("requests")):
            raise ValueError(
                "`resource` can not be used together with the `limits` or `requests`. "
                "Please only set `resource`."
            )
        super().__init__(
            name,
            None,
            "raw-container",
            inputs=dict(inputs or {}),
            outputs=dict(outputs or {}),
            metadata=metadata,
            container_image=image,
            **kwargs,
        )
        self._image, self._cmd, self._args = image, list(command or []), list(arguments or [])
        self._input_data_dir, self._output_data_dir = input_data_dir, output_data_dir
        self._outputs = dict(outputs or {})
        self.metadata_format, self.io_strategy, self.local_logs = metadata_format, io_strategy, local_logs

    @property
    def image_ref(self) -> str:
        """The image as `docker run` names it (an ImageSpec by its name: dockyard never builds it)."""
        return str(getattr(self._image, "image_name", lambda: self._image)())

    @property
    def command(self) -> list[str]:
        return self._cmd

    @property
    def arguments(self) -> list[str]:
        return self._args

    def render(self, inputs: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
        """The container's argv and the host→container mounts for file and folder inputs."""
        in_dir = os.path.normpath(self._input_data_dir) if self._input_data_dir else ""
        argv, mounts = [], {}
        path_input = re.compile(rf"{re.escape(in_dir)}/(.+)$")
        for arg in self._cmd + self._args:
            by_path = path_input.match(arg)
            by_template = _WHOLE_INPUT.match(arg)
            key = by_path.group(1) if by_path else by_template.group(1) if by_template else None
            if key is None:
                argv.append(arg)
                continue
            value = inputs.get(key)
            if type(value) in (FlyteFile, FlyteDirectory):
                if not by_path:
                    raise AssertionError(
                        "FlyteFile and FlyteDirectory commands should not use the template syntax like this: "
                        "{{.inputs.infile}}"
                    )
                target = os.path.join(in_dir, key)
                mounts[str(value)] = target
                argv.append(target)
            else:
                argv.append(str(value))
        return argv, mounts

    def stage_inputs(self, inputs: dict[str, Any], directory: str) -> None:
        """Copy the file and folder inputs the command names under `input_data_dir` into `directory`,
        by input name: a pod mounts that folder at `input_data_dir` (what `render` mounts one by one)."""
        _, mounts = self.render(inputs)
        in_dir = os.path.normpath(self._input_data_dir or "")
        files = {str(v): v for v in inputs.values() if type(v) in (FlyteFile, FlyteDirectory)}
        for path, target in mounts.items():
            source = files[path].download()  # a store URI in a pod: fetched here
            dest = os.path.join(directory, os.path.relpath(target, in_dir))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if os.path.isdir(source):
                shutil.copytree(source, dest)
            else:
                shutil.copyfile(source, dest)

    def read_outputs(self, out_dir: str) -> Any:
        """The outputs the container left in `out_dir`, one file per output, as the task returns them."""
        values = []
        for key, output_type in self._outputs.items():
            path = os.path.join(out_dir, key)
            if output_type in (FlyteFile, FlyteDirectory):
                values.append(output_type(path=path))
            else:
                with open(path) as handle:
                    values.append(output_value(handle.read(), output_type))
        if not values:
            return None
        return values[0] if len(values) == 1 else tuple(values)

    def execute(self, **kwargs: Any) -> Any:
        collected = OUTPUTS_FROM.get()
        if collected is not None:
            return self.read_outputs(collected)
        ctx = FlyteContextManager.current_context()
        out_dir = ctx.file_access.get_random_local_directory()
        argv, mounts = self.render(kwargs)
        mounts[out_dir] = os.path.normpath(self._output_data_dir) if self._output_data_dir else ""
        volumes = [arg for host, inside in mounts.items() for arg in ("-v", f"{host}:{inside}:rw")]
        image = self.image_ref
        remote = DOCKER_RUN.get()
        if remote is not None:  # the container may run as another user: let it write its outputs
            os.chmod(out_dir, 0o777)
        flags = remote.flags if remote is not None else []
        docker = ["docker", "run", "--rm", *flags, *volumes, image, *argv]
        done = subprocess.run(docker, capture_output=True, text=True, check=False)
        if remote is not None:
            remote.logs = done.stdout + done.stderr
            if done.returncode != 0:
                raise ContainerFailed(f"container {image} exited with code {done.returncode}")
        if self.local_logs:
            for line in (done.stdout + done.stderr).splitlines():
                print(f"[Local Container] {line.strip()}")
        return self.read_outputs(out_dir)
