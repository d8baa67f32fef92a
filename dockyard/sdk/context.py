"""What a running task sees: `current_context()` (execution id, checkpoint, secrets, working directory).

The context lives in a `ContextVar`, set by the task runner around each attempt, so tasks running in parallel
threads each see their own. Outside any task `current_context()` returns a process-wide default context,
as flytekit does. Sandboxes and checkpoint folders are created lazily: a 2,000-item map whose tasks never
touch them creates no folders.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from enum import Enum
from io import BufferedReader
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dockyard.sdk.errors import SecretNotFoundError

if TYPE_CHECKING:
    from datetime import datetime

ENV_PREFIX = "_FSEC_"


class MountType(Enum):
    """How a secret reaches the container (recorded; locally every kind is looked up the same way)."""

    ENV_VAR = 0
    FILE = 1
    ANY = 2


def secret_path(group: str | None, key: str | None, group_version: str | None = None) -> tuple[str, ...]:
    """A secret's file under the secrets folder, where flytekit looks: `group[/version]/key`, lower-cased.
    Executors write it there; `SecretsManager.get` reads it there."""
    return tuple(p.lower() for p in (group, group_version, key) if p)


@dataclass(frozen=True)
class Secret:
    """A secret a task asks for, flytekit's `Secret(group=..., key=...)` (at least one of the two)."""

    group: str | None = None
    key: str | None = None
    group_version: str | None = None
    mount_requirement: MountType = MountType.ANY
    env_var: str | None = None

    MountType = MountType

    def __post_init__(self) -> None:
        if not self.group and not self.key:
            raise SecretNotFoundError("Secret: give a group, a key, or both")


@dataclass(frozen=True)
class ExecutionIdentifier:
    """flytekit's WorkflowExecutionIdentifier: project, domain, name."""

    project: str
    domain: str
    name: str

    def __str__(self) -> str:
        return f"ex:{self.project}:{self.domain}:{self.name}"


@dataclass(frozen=True)
class Identifier:
    """flytekit's entity Identifier (`current_context().task_id`): kind, project, domain, name, version."""

    resource_type: str
    project: str
    domain: str
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.resource_type}:{self.project}:{self.domain}:{self.name}:{self.version}"


class MockStats:
    """flytekit's stand-in StatsD client for user metrics: accepts every call and records nothing."""

    def _ignore(self, *args: object, **kwargs: object) -> None:
        return None

    incr = decr = gauge = timing = _ignore

    @contextmanager
    def timer(self, *args: object, **kwargs: object) -> Iterator[None]:
        yield


class SecretsManager:
    """`ctx.secrets.get(group, key)`: env `_FSEC_<GROUP>_<KEY>`, then `<GROUP>_<KEY>`, then a file."""

    def __init__(self, secrets_dir: Path | None = None) -> None:
        self._dir = secrets_dir

    @property
    def secrets_dir(self) -> Path:
        if self._dir is None:
            from dockyard.config import get_settings

            self._dir = get_settings().executor.secrets_dir
        return self._dir

    @staticmethod
    def env_name(group: str | None, key: str | None = None, group_version: str | None = None) -> str:
        """The flytekit environment name of a secret without the `_FSEC_` prefix: `GROUP[_VERSION]_KEY`."""
        return "_".join(p for p in (group, group_version, key) if p).upper()

    def get(self, group: str | None = None, key: str | None = None, group_version: str | None = None) -> str:
        """Env `_FSEC_<NAME>`, then `<NAME>`, then the file `<secrets dir>/<group>/<key>`; value stripped."""
        if not group and not key:
            raise SecretNotFoundError(
                "secret: give a group and/or key, e.g. ctx.secrets.get('aws', 'access_key')"
            )
        name = self.env_name(group, key, group_version)
        for env in (ENV_PREFIX + name, name):
            value = os.environ.get(env)
            if value is not None:
                return value.strip()
        path = Path(self.get_secrets_file(group, key, group_version))
        if path.is_file():
            return path.read_text().strip()
        raise SecretNotFoundError(
            f"secret group={group!r} key={key!r}: not in env {ENV_PREFIX}{name} or {name}, nor in file {path}"
        )

    def get_secrets_env_var(
        self, group: str | None = None, key: str | None = None, group_version: str | None = None
    ) -> str:
        return ENV_PREFIX + self.env_name(group, key, group_version)

    def get_secrets_file(
        self, group: str | None = None, key: str | None = None, group_version: str | None = None
    ) -> str:
        return str(self.secrets_dir.joinpath(*secret_path(group, key, group_version)))


class Checkpoint:
    """flytekit's SyncCheckpoint: `read`/`restore` give the previous attempt's, `write`/`save` this one's.

    `prev` is the newest earlier attempt's folder that holds something, so a retry resumes from the last
    checkpoint written, even when the attempt in between wrote none.
    """

    def __init__(self, current: Path, previous: Path | None = None) -> None:
        self._current = current
        self._previous = previous

    @property
    def path(self) -> Path:
        return self._current

    def prev_exists(self) -> bool:
        return self._previous is not None and self._previous.is_dir() and any(self._previous.iterdir())

    def restore(self, path: str | Path | None = None) -> Path | None:
        """The previous checkpoint folder, copied to `path` when given; None when there is none."""
        if not self.prev_exists():
            return None
        assert self._previous is not None
        if path is None:
            return self._previous
        dest = Path(path)
        import shutil

        shutil.copytree(self._previous, dest, dirs_exist_ok=True)
        return dest

    def read(self) -> bytes | None:
        """The previous checkpoint as bytes (it must be a single file), or None."""
        prev = self.restore()
        if prev is None:
            return None
        files = [p for p in prev.iterdir() if p.is_file()]
        if len(files) != 1:
            raise ValueError(f"checkpoint {prev}: read() needs exactly one file, found {len(files)}")
        return files[0].read_bytes()

    def save(self, cp: str | Path | BufferedReader) -> None:
        """Store a file, a folder or an open binary reader as this attempt's checkpoint."""
        self._current.mkdir(parents=True, exist_ok=True)
        if isinstance(cp, BufferedReader):
            self._write_atomic(cp.read())
            return
        import shutil

        src = Path(cp)
        if src.is_dir():
            shutil.copytree(src, self._current, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, self._current / src.name)
        else:
            raise ValueError(f"checkpoint save: {src} is neither a file nor a folder")

    def write(self, b: bytes) -> None:
        """Replace this attempt's checkpoint with `b`."""
        self._current.mkdir(parents=True, exist_ok=True)
        self._write_atomic(b)

    def _write_atomic(self, data: bytes) -> None:
        tmp = self._current / "._checkpoint.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, self._current / "_checkpoint")


class ExecutionParameters:
    """The object `current_context()` returns; folders are made on first use."""

    def __init__(
        self,
        execution_id: ExecutionIdentifier,
        *,
        task_name: str | None = None,
        attempt: int = 0,
        sandbox_root: Path | None = None,
        checkpoint: Checkpoint | None = None,
        secrets: SecretsManager | None = None,
        execution_date: datetime | None = None,
        local: bool = False,
        checkpoint_factory: Callable[[], Checkpoint] | None = None,
        sandbox_factory: Callable[[], Path] | None = None,
        enable_deck: bool = False,
    ) -> None:
        self.execution_id = execution_id
        self.enable_deck = enable_deck
        self.decks: list[Any] = []  # dockyard.sdk.deck.Deck objects, in creation order
        self.task_name = task_name
        self.attempt = attempt
        self._execution_date = execution_date
        self.local = local
        self._sandbox_root = sandbox_root
        self._sandbox_factory = sandbox_factory
        self._working_dir: Path | None = None
        self._checkpoint = checkpoint
        self._checkpoint_factory = checkpoint_factory
        self._secrets = secrets

    @property
    def execution_date(self) -> datetime:
        if self._execution_date is None:
            from datetime import datetime, timezone

            self._execution_date = datetime.now(timezone.utc)
        return self._execution_date

    @property
    def working_directory(self) -> str:
        """A fresh folder for this task attempt (flytekit returns a str)."""
        import tempfile

        with _lazy_lock:
            if self._working_dir is None:
                if self._sandbox_root is None and self._sandbox_factory is not None:
                    self._sandbox_root = self._sandbox_factory()
                root = self._sandbox_root or Path(tempfile.gettempdir())
                root.mkdir(parents=True, exist_ok=True)
                self._working_dir = Path(tempfile.mkdtemp(prefix="sandbox-", dir=root))
            return str(self._working_dir)

    @property
    def checkpoint(self) -> Checkpoint:
        import tempfile

        with _lazy_lock:
            if self._checkpoint is None and self._checkpoint_factory is not None:
                self._checkpoint = self._checkpoint_factory()
            if self._checkpoint is None:
                self._checkpoint = Checkpoint(Path(tempfile.mkdtemp(prefix="dockyard-checkpoint-")))
            return self._checkpoint

    @property
    def secrets(self) -> SecretsManager:
        if self._secrets is None:
            self._secrets = SecretsManager()
        return self._secrets

    @property
    def task_id(self) -> Identifier:
        """flytekit names the task `local` in a local run, like the execution."""
        eid = self.execution_id
        name = "local" if self.local or not self.task_name else self.task_name
        return Identifier("TASK", eid.project, eid.domain, name, "local" if self.local else eid.name)

    @property
    def default_deck(self) -> Any:
        """The deck named `default`, made on first use."""
        from dockyard.sdk.deck import Deck

        found = next((d for d in self.decks if d.name == "default"), None)
        return found if found is not None else Deck("default")

    @property
    def stats(self) -> MockStats:
        return MockStats()

    @property
    def logging(self) -> logging.Logger:
        """flytekit's `ctx.logging`: a logger for user messages."""
        return logging.getLogger("dockyard.user")

    def get_secret(self, group: str | None = None, key: str | None = None) -> str:
        """flytekit's shortcut for `secrets.get(group, key)`."""
        return self.secrets.get(group, key)

    @property
    def raw_output_prefix(self) -> str:
        return self.working_directory


_lazy_lock = threading.Lock()  # guards the lazy folders of every context (rarely contended)


_CURRENT: ContextVar[ExecutionParameters | None] = ContextVar("dockyard_task_context", default=None)
_default_params: ExecutionParameters | None = None
_default_lock = threading.Lock()


def current_context() -> ExecutionParameters:
    """The running task's context, or a default one outside any task (flytekit allows both)."""
    params = _CURRENT.get()
    if params is not None:
        return params
    global _default_params
    with _default_lock:
        if _default_params is None:
            _default_params = ExecutionParameters(ExecutionIdentifier("local", "local", "local"))
        return _default_params


@contextmanager
def task_context(params: ExecutionParameters) -> Iterator[ExecutionParameters]:
    """Install `params` as the current context while a task attempt runs (in this thread)."""
    token = _CURRENT.set(params)
    try:
        yield params
    finally:
        _CURRENT.reset(token)


def enter_context(params: ExecutionParameters) -> Token[ExecutionParameters | None]:
    """`task_context` without the generator, for the hot path of small tasks."""
    return _CURRENT.set(params)


def leave_context(token: Token[ExecutionParameters | None]) -> None:
    _CURRENT.reset(token)


def is_local_execution() -> bool:
    """True while a local execution runs a task body; False while compiling, serializing or building."""
    params = _CURRENT.get()
    return params is not None and params.local
