"""`ShellTask`: a task whose body is a shell script with `{inputs.x}` / `{outputs.y}` filled in (flytekit's).

The script is formatted with Python's `str.format` (files and folders become their local paths, datetimes
ISO text), run with the given shell, and its stdout echoed; a non-zero exit raises
`FlyteRecoverableException` (so `retries` apply); each `OutputLocation` becomes a FlyteFile/FlyteDirectory.
"""

from __future__ import annotations

import datetime
import os
import string
import subprocess
from dataclasses import dataclass
from typing import Any

from dockyard.sdk.context import current_context
from dockyard.sdk.exceptions import FlyteRecoverableException
from dockyard.sdk.instance_task import PythonInstanceTask
from dockyard.sdk.types import FlyteDirectory, FlyteFile


@dataclass
class ProcessResult:
    """What a script run gave: exit code, stdout (lines joined) and stderr."""

    returncode: int
    output: str
    error: str


@dataclass
class OutputLocation:
    """An output of a ShellTask: its name, its type (FlyteFile/FlyteDirectory) and a path template."""

    var: str
    var_type: type
    location: str | os.PathLike[str]


class AttrDict(dict[str, Any]):
    """A dict whose keys are attributes too, so a template can say `{inputs.x}`."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, FlyteFile | FlyteDirectory):
            value.download()
            return str(value.path)
        if isinstance(value, datetime.datetime):
            return value.isoformat()
        return super().format_field(value, format_spec)


def interpolate(template: str, inputs: dict[str, Any], outputs: dict[str, Any] | None = None) -> str:
    """Fill `{inputs.x}`, `{outputs.y}` and `{ctx...}` into a template."""
    fields = {"inputs": AttrDict(inputs), "outputs": AttrDict(outputs or {}), "ctx": current_context()}
    try:
        return _Formatter().format(template, **fields)
    except KeyError as exc:
        raise ValueError(f"Variable {exc} in Query not found in inputs {fields.keys()}") from None


def subproc_execute(command: list[str] | str, **kwargs: Any) -> ProcessResult:
    """Run a command, fail with a clear error when it is missing or exits non-zero (flytekit's helper)."""
    kwargs = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, **kwargs}
    try:
        done = subprocess.run(command, check=True, **kwargs)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(
            f"Command: {exc.cmd}\nFailed with return code {exc.returncode}:\n{exc.stderr}"
        ) from None
    except FileNotFoundError as exc:
        raise RuntimeError(
            "Process failed because the executable could not be found. Did you specify a container image in "
            f"the task definition if using custom dependencies?\n{exc}"
        ) from None
    return ProcessResult(done.returncode, done.stdout, done.stderr)


def _run_script(script: str, shell: str) -> ProcessResult:
    done = subprocess.run(script, shell=True, executable=shell, capture_output=True, text=True)
    lines = done.stdout.splitlines()
    for line in lines:
        print(line)
    return ProcessResult(done.returncode, "".join(lines), done.stderr)


class ShellTask(PythonInstanceTask):
    """Run `script` (or `script_file`) with `shell`; inputs and outputs are named in the template."""

    def __init__(
        self,
        name: str,
        debug: bool = False,
        script: str | None = None,
        script_file: str | None = None,
        task_config: Any = None,
        shell: str = "/bin/sh",
        inputs: dict[str, Any] | None = None,
        output_locs: list[OutputLocation] | None = None,
        **kwargs: Any,
    ) -> None:
        if script and script_file:
            raise ValueError("Only either of script or script_file can be provided")
        if not script and not script_file:
            raise ValueError("Either a script or script_file is needed")
        if script_file:
            if not os.path.exists(script_file):
                raise ValueError(
                    f"FileNotFound: the specified Script file at path {script_file} cannot be loaded"
                )
            script_file = os.path.abspath(script_file)
        self._script, self._script_file = script, script_file
        self._debug, self._shell = debug, shell
        self._output_locs = list(output_locs or [])
        self._process_result: ProcessResult | None = None
        super().__init__(
            name, task_config, "shell", inputs=inputs or {}, outputs=self._validate_output_locs(), **kwargs
        )

    def _validate_output_locs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        for loc in self._output_locs:
            if loc is None:
                raise ValueError("OutputLocation cannot be none")
            if not isinstance(loc, OutputLocation):
                raise ValueError("Every output type should be an output location on the file-system")
            if loc.location is None:
                raise ValueError(f"Output Location not provided for output var {loc.var}")
            if not issubclass(loc.var_type, FlyteFile | FlyteDirectory):
                raise ValueError(
                    "Currently only outputs of type FlyteFile/FlyteDirectory and their derived types are "
                    "supported"
                )
            outputs[loc.var] = loc.var_type
        return outputs

    @property
    def result(self) -> ProcessResult | None:
        return self._process_result

    @property
    def script(self) -> str | None:
        return self._script

    @property
    def script_file(self) -> str | None:
        return self._script_file

    def _render(self, kwargs: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """The script with inputs and outputs filled in, and each output's path."""
        script = self._script
        if self._script_file:
            with open(self._script_file) as handle:
                script = handle.read()
        outputs = {loc.var: interpolate(str(loc.location), kwargs) for loc in self._output_locs}
        generated = interpolate(script or "", kwargs, outputs)
        if self._debug:
            print("\n==============================================\n")
            print(generated)
            print("\n==============================================\n")
        return generated, outputs

    def _outputs(self, outputs: dict[str, str]) -> Any:
        values = [
            (FlyteFile if issubclass(loc.var_type, FlyteFile) else FlyteDirectory)(outputs[loc.var])
            for loc in self._output_locs
        ]
        if len(values) == 1:
            return values[0]
        return tuple(values) if values else None

    def execute(self, **kwargs: Any) -> Any:
        generated, outputs = self._render(kwargs)
        self._process_result = result = _run_script(generated, self._shell)
        if result.returncode != 0:
            listing = "\n-".join(os.listdir("."))
            raise FlyteRecoverableException(
                f"Failed to Execute Script, return-code {result.returncode} \n"
                f"Current directory contents: .\n-{listing}\n"
                f"StdOut: {result.output}\nStdErr: {result.error}\n"
            )
        return self._outputs(outputs)


class RawShellTask(ShellTask):
    """A ShellTask for a "raw" script chosen at run time, with `env` exported first (`get_raw_shell_task`)."""

    @staticmethod
    def make_export_string_from_env_dict(d: dict[str, str]) -> str:
        return "\n".join(f"export {k}={v}" for k, v in d.items())

    def execute(self, **kwargs: Any) -> Any:
        if isinstance(kwargs.get("env"), dict):
            kwargs["export_env"] = self.make_export_string_from_env_dict(kwargs["env"])
        generated, outputs = self._render(kwargs)
        subprocess.check_call(generated, shell=True)
        return self._outputs(outputs)


def get_raw_shell_task(name: str) -> RawShellTask:
    """A RawShellTask running `bash <script_file> <script_args>` in the task's working directory."""
    return RawShellTask(
        name=name,
        debug=True,
        inputs={"env": dict[str, str], "script_args": str, "script_file": str},
        output_locs=[OutputLocation(var="out", var_type=FlyteDirectory, location="{ctx.working_directory}")],
        script="""
#!/bin/bash
set -uex
cd {ctx.working_directory}
{inputs.export_env}
bash {inputs.script_file} {inputs.script_args}
""",
    )
