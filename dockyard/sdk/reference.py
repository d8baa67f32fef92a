"""Reference entities: tasks, workflows and launch plans registered elsewhere, known by id and signature.

They type-check in workflow bodies like any entity; called locally they raise flytekit's
`NotImplementedError` ("... You must mock this out."), so tests mock them with `dockyard.testing.task_mock`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from dockyard.sdk.context import Identifier
from dockyard.sdk.promise import current_builder
from dockyard.sdk.task import PythonTask
from dockyard.sdk.walker import NonRetryable

_LOCAL_CALL = "Remote reference entities cannot be run locally. You must mock this out."


class ReferenceCallError(NotImplementedError, NonRetryable):
    """A reference entity ran locally without a mock; retrying cannot help. Named as the builtin it
    subclasses, because that is what flytekit raises and what user code and tracebacks show."""


ReferenceCallError.__name__ = ReferenceCallError.__qualname__ = "NotImplementedError"


@dataclass(frozen=True)
class Reference:
    """Where a registered entity lives: project, domain, name and version."""

    project: str
    domain: str
    name: str
    version: str

    resource_type: ClassVar[str] = "UNSPECIFIED"

    @property
    def id(self) -> Identifier:
        return Identifier(self.resource_type, self.project, self.domain, self.name, self.version)


class TaskReference(Reference):
    resource_type = "TASK"


class WorkflowReference(Reference):
    resource_type = "WORKFLOW"


class LaunchPlanReference(Reference):
    resource_type = "LAUNCH_PLAN"


class ReferenceEntity(PythonTask):
    """A registered entity with the signature of the decorated function, which is never run."""

    reference_type: ClassVar[type[Reference]] = TaskReference
    has_body: ClassVar[bool] = False  # the decorated function is a signature, never run

    def __init__(self, fn: Callable[..., Any], project: str, domain: str, name: str, version: str) -> None:
        @functools.wraps(fn)
        def not_here(**kwargs: Any) -> Any:
            raise ReferenceCallError(_LOCAL_CALL)

        super().__init__(not_here, name=name)
        self._not_here = not_here
        self.reference = self.reference_type(project, domain, name, version)

    @property
    def id(self) -> Identifier:
        return self.reference.id

    def execute(self, **kwargs: Any) -> Any:
        return self.fn(**kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if current_builder() is None and self.fn is self._not_here:  # called directly and not mocked
            raise NotImplementedError(_LOCAL_CALL)
        return super().__call__(*args, **kwargs)


class ReferenceTask(ReferenceEntity):
    reference_type = TaskReference


class ReferenceWorkflow(ReferenceEntity):
    reference_type = WorkflowReference


class ReferenceLaunchPlan(ReferenceEntity):
    reference_type = LaunchPlanReference


def _decorator(cls: type[ReferenceEntity]) -> Callable[..., Callable[[Callable[..., Any]], ReferenceEntity]]:
    def reference(project: str, domain: str, name: str, version: str) -> Callable[..., ReferenceEntity]:
        def wrap(fn: Callable[..., Any]) -> ReferenceEntity:
            return cls(fn, project, domain, name, version)

        return wrap

    reference.__name__ = f"reference_{cls.reference_type.resource_type.lower()}"
    reference.__doc__ = (
        f"Declare a registered {cls.reference_type.resource_type.lower()} by id and signature."
    )
    return reference


reference_task = _decorator(ReferenceTask)
reference_workflow = _decorator(ReferenceWorkflow)
reference_launch_plan = _decorator(ReferenceLaunchPlan)
