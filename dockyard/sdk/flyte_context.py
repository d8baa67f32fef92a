"""flytekit's `FlyteContext` / `FlyteContextManager`: the handle user code and tests pass around.

dockyard keeps its state elsewhere (the task's `ExecutionParameters` in a ContextVar, the blob store in
`types.transfer`); a FlyteContext is a view over them with flytekit's members: `file_access` (local
paths and copies), `execution_state` (mode, `is_local_execution()`), `user_space_params` (what
`current_context()` returns). `TypeEngine.to_literal(ctx, ...)` and `to_python_value(ctx, ...)` accept it.
"""

from __future__ import annotations

import enum
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dockyard.sdk.context import ExecutionParameters, current_context, is_local_execution


class FileAccessProvider:
    """Local paths and copies; a run's files live under one sandbox folder, made on first use."""

    def __init__(
        self, local_sandbox_dir: str | os.PathLike[str] | None = None, raw_output_prefix: str = ""
    ) -> None:
        self._sandbox = Path(local_sandbox_dir) if local_sandbox_dir else None
        self._raw_output_prefix = raw_output_prefix

    @property
    def local_sandbox_dir(self) -> Path:
        if self._sandbox is None:
            self._sandbox = Path(tempfile.mkdtemp(prefix="flyte-"))
        self._sandbox.mkdir(parents=True, exist_ok=True)
        return self._sandbox

    @property
    def raw_output_prefix(self) -> str:
        return self._raw_output_prefix or str(self.local_sandbox_dir / "raw")

    @staticmethod
    def get_random_string() -> str:
        return uuid.uuid4().hex

    @staticmethod
    def is_remote(path: str | os.PathLike[str]) -> bool:
        return "://" in str(path) and not str(path).startswith("file://")

    def get_random_local_path(self, file_path_or_file_name: str | None = None) -> str:
        tail = Path(file_path_or_file_name).name if file_path_or_file_name else ""
        folder = self.local_sandbox_dir / "local_flytekit" / self.get_random_string()
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / tail) if tail else str(folder)

    def get_random_local_directory(self) -> str:
        path = self.get_random_local_path()
        os.makedirs(path, exist_ok=True)
        return path

    def get_random_remote_path(self, file_path_or_file_name: str | None = None) -> str:
        tail = Path(file_path_or_file_name).name if file_path_or_file_name else ""
        base = os.path.join(self.raw_output_prefix, self.get_random_string())
        return os.path.join(base, tail) if tail else base

    def get_random_remote_directory(self) -> str:
        return self.get_random_remote_path()

    def exists(self, path: str) -> bool:
        return Path(path.removeprefix("file://")).exists()

    def get_data(self, remote_path: str, local_path: str, is_multipart: bool = False, **kwargs: Any) -> str:
        """Copy a file or folder to `local_path` (local and `file://` sources; URLs over HTTP)."""
        src = remote_path.removeprefix("file://")
        if not src.startswith(("http://", "https://")) and not Path(src).exists():
            from dockyard.sdk.exceptions import FlyteDataNotFoundException

            raise FlyteDataNotFoundException(src)
        if src.startswith(("http://", "https://")):
            import urllib.request

            urllib.request.urlretrieve(src, local_path)
        elif Path(src).is_dir():
            shutil.copytree(src, local_path, dirs_exist_ok=True)
        elif Path(local_path).is_dir():  # a file into a folder (a one-part dataset read as a folder)
            shutil.copy(src, local_path)
        else:
            Path(local_path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, local_path)
        return local_path

    def put_data(self, local_path: str, remote_path: str, is_multipart: bool = False, **kwargs: Any) -> str:
        return self.get_data(local_path, remote_path.removeprefix("file://"))

    download = download_directory = get_data
    upload = upload_directory = put_data


class ExecutionMode(enum.Enum):
    """flytekit's `ExecutionState.Mode`."""

    TASK_EXECUTION = 1
    LOCAL_WORKFLOW_EXECUTION = 2
    LOCAL_TASK_EXECUTION = 3
    DYNAMIC_TASK_EXECUTION = 4
    EAGER_EXECUTION = 5
    EAGER_LOCAL_EXECUTION = 6
    LOCAL_DYNAMIC_TASK_EXECUTION = 7


@dataclass(frozen=True)
class ExecutionState:
    """What is running now: `mode` is None outside any execution, LOCAL_TASK_EXECUTION inside a local task."""

    mode: ExecutionMode | None = None
    working_dir: str | None = None
    user_space_params: ExecutionParameters | None = None

    Mode = ExecutionMode

    def is_local_execution(self) -> bool:
        return self.mode in (
            ExecutionMode.LOCAL_TASK_EXECUTION,
            ExecutionMode.LOCAL_WORKFLOW_EXECUTION,
            ExecutionMode.LOCAL_DYNAMIC_TASK_EXECUTION,
            ExecutionMode.EAGER_LOCAL_EXECUTION,
        )

    def with_params(self, **kwargs: Any) -> ExecutionState:
        return replace(self, **kwargs)


class CompilationState:
    """flytekit's view of a body being compiled: `nodes` in creation order, each usable with `>>`."""

    def __init__(self, builder: Any) -> None:
        self._builder = builder

    @property
    def prefix(self) -> str:
        return str(self._builder.id_prefix)

    @property
    def nodes(self) -> list[Any]:
        from dockyard.sdk.promise import NodeHandle

        return [NodeHandle(node.id, self._builder) for node in self._builder.graph.nodes]


@dataclass(frozen=True)
class FlyteContext:
    """A snapshot of the current execution: file access, execution state and the task's parameters."""

    file_access: FileAccessProvider = field(default_factory=FileAccessProvider)
    execution_state: ExecutionState = field(default_factory=ExecutionState)
    user_space_params: ExecutionParameters | None = None

    @staticmethod
    def current_context() -> FlyteContext:
        return FlyteContextManager.current_context()

    @property
    def compilation_state(self) -> CompilationState | None:
        """The workflow body being traced now (its nodes so far), or None outside one."""
        from dockyard.sdk.promise import current_builder

        builder = current_builder()
        return None if builder is None else CompilationState(builder)

    def new_execution_state(self, working_dir: str | None = None) -> ExecutionState:
        return ExecutionState(working_dir=working_dir or str(self.file_access.local_sandbox_dir))

    def with_execution_state(self, execution_state: ExecutionState) -> FlyteContext:
        return replace(self, execution_state=execution_state)

    def with_file_access(self, file_access: FileAccessProvider) -> FlyteContext:
        return replace(self, file_access=file_access)

    def new_builder(self) -> FlyteContext:
        return self

    def build(self) -> FlyteContext:
        return self


class FlyteContextManager:
    """`current_context()` is a fresh view over the running task (or the process default outside one)."""

    _pushed: list[FlyteContext] = []  # noqa: RUF012 - process-wide stack, as flytekit's
    _file_access: FileAccessProvider | None = None

    @classmethod
    def current_context(cls) -> FlyteContext:
        if cls._pushed:
            return cls._pushed[-1]
        if cls._file_access is None:
            cls._file_access = FileAccessProvider()
        params = current_context()
        mode = ExecutionMode.LOCAL_TASK_EXECUTION if is_local_execution() else None
        state = ExecutionState(mode=mode, user_space_params=params if mode else None)
        return FlyteContext(file_access=cls._file_access, execution_state=state, user_space_params=params)

    @classmethod
    @contextmanager
    def with_context(cls, context: FlyteContext) -> Iterator[FlyteContext]:
        cls._pushed.append(context)
        try:
            yield context
        finally:
            cls._pushed.pop()

    @classmethod
    def push_context(cls, context: FlyteContext) -> FlyteContext:
        cls._pushed.append(context)
        return context

    @classmethod
    def pop_context(cls) -> FlyteContext:
        return cls._pushed.pop()


def new_context() -> AbstractContextManager[FlyteContext]:
    """flytekit's `new_context()`: a copy of the current context, current while the block lasts."""
    return FlyteContextManager.with_context(FlyteContextManager.current_context().new_builder())
