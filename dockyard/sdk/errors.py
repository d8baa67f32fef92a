"""Errors of the SDK core: compile-time mistakes in workflow bodies, bad task definitions, missing secrets.

Each is a `DockyardError` so the CLI prints one line; compile errors also subclass the Python exception that
flytekit raises in the same situation, so `except TypeError`/`except ValueError` code keeps working.
"""

from __future__ import annotations

from dockyard.errors import ConfigError, DockyardError, ExecutionError
from dockyard.sdk.exceptions import FlyteAssertion


class NonRetryable(Exception):
    """Mix into an exception to stop the walker from retrying it (and from naming the task in it)."""


class InterfaceError(ConfigError, TypeError):
    """A task or workflow signature cannot be turned into an interface (e.g. a missing annotation)."""


class TaskDefinitionError(ConfigError, ValueError):
    """A @task parameter is invalid, e.g. `cache=True` without `cache_version`."""


class CompileError(DockyardError, TypeError):
    """A workflow body breaks the promise rules; the message names the workflow, the line and the promise."""

    exit_code = 2


class PromiseUsageError(CompileError, ValueError):
    """A workflow body tests or iterates a promise, whose value does not exist yet."""


class WorkflowAssertionError(CompileError, AssertionError):
    """Misuse flytekit reports as an AssertionError: an unknown input, `if_(promise)`."""


class MissingNodeInputError(CompileError, FlyteAssertion):
    """A node in a workflow body lacks a required input: flytekit's FlyteAssertion, its words first."""


class SecretNotFoundError(ExecutionError, ValueError):
    """A secret named by `current_context().secrets.get` is in no env variable and no secrets file."""


class ConditionalFailure(ExecutionError, ValueError):
    """A conditional's taken branch was `.fail(msg)`: the message first, as flytekit's ValueError has it."""


class EntityNotFoundError(ConfigError, LookupError):
    """`load_entity` could not find the module, file or name."""


class TaskTimeoutError(ExecutionError, TimeoutError):
    """A task attempt ran past its `timeout` (locally the thread is abandoned: Python cannot kill it)."""


class OutputShapeTypeError(NonRetryable, TypeError):
    """A body's return value does not fit its outputs' shape (not iterable, or a tuple for one output)."""


class OutputShapeIndexError(NonRetryable, IndexError):
    """A body returned more values than it declares outputs."""


class OutputShapeAssertionError(NonRetryable, AssertionError):
    """A body returned fewer values than it declares outputs."""


# Named as the builtin flytekit raises in the same place, so `type(e).__name__` and the last line of a
# traceback read the same under both SDKs; they stay DockyardErrors for `dockyard` commands.
PromiseUsageError.__name__ = PromiseUsageError.__qualname__ = "ValueError"
ConditionalFailure.__name__ = ConditionalFailure.__qualname__ = "ValueError"
WorkflowAssertionError.__name__ = WorkflowAssertionError.__qualname__ = "AssertionError"
MissingNodeInputError.__name__ = MissingNodeInputError.__qualname__ = "FlyteAssertion"
for _shape in (OutputShapeTypeError, OutputShapeIndexError, OutputShapeAssertionError):
    _shape.__name__ = _shape.__qualname__ = _shape.__mro__[2].__name__
