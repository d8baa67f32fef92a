"""dockyard: Flyte-style workflows whose images are content-addressed and built on Docker or Kubernetes.

Code written for flytekit runs after replacing `flytekit` with `dockyard` in its imports. Every public name
is loaded on first use (module `__getattr__`), so `from dockyard import task, workflow` imports no pydantic,
pandas, docker, boto3 or kubernetes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "task": "dockyard.sdk.task",
    "PythonTask": "dockyard.sdk.task",
    "PythonFunctionTask": "dockyard.sdk.task",
    "workflow": "dockyard.sdk.workflow",
    "WorkflowBase": "dockyard.sdk.workflow",
    "PythonFunctionWorkflow": "dockyard.sdk.workflow",
    "dynamic": "dockyard.sdk.dynamic",
    "map_task": "dockyard.sdk.map_task",
    "conditional": "dockyard.sdk.conditional",
    "current_context": "dockyard.sdk.context",
    "Secret": "dockyard.sdk.context",
    "ExecutionParameters": "dockyard.sdk.context",
    "Resources": "dockyard.sdk.resources",
    "PodTemplate": "dockyard.sdk.resources",
    "LaunchPlan": "dockyard.sdk.launch_plan",
    "CronSchedule": "dockyard.sdk.schedule",
    "FixedRate": "dockyard.sdk.schedule",
    "Email": "dockyard.sdk.notification",
    "Slack": "dockyard.sdk.notification",
    "PagerDuty": "dockyard.sdk.notification",
    "ImageSpec": "dockyard.imagespec.spec",
    "HashMethod": "dockyard.sdk.types",
    "kwtypes": "dockyard.sdk.types",
    "FlyteFile": "dockyard.sdk.types",
    "FlyteDirectory": "dockyard.sdk.types",
    "StructuredDataset": "dockyard.sdk.types",
    "StructuredDatasetType": "dockyard.sdk.types",
    "TypeEngine": "dockyard.sdk.types",
    "WorkflowExecutionPhase": "dockyard.models.core.execution",
}
_ALIASES = {"PythonFunctionTask": "PythonTask"}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from dockyard.imagespec.spec import (
        ImageSpec as ImageSpec,
    )
    from dockyard.models.core.execution import (
        WorkflowExecutionPhase as WorkflowExecutionPhase,
    )
    from dockyard.sdk.conditional import (
        conditional as conditional,
    )
    from dockyard.sdk.context import (
        ExecutionParameters as ExecutionParameters,
    )
    from dockyard.sdk.context import (
        Secret as Secret,
    )
    from dockyard.sdk.context import (
        current_context as current_context,
    )
    from dockyard.sdk.dynamic import (
        dynamic as dynamic,
    )
    from dockyard.sdk.launch_plan import (
        LaunchPlan as LaunchPlan,
    )
    from dockyard.sdk.map_task import (
        map_task as map_task,
    )
    from dockyard.sdk.notification import (
        Email as Email,
    )
    from dockyard.sdk.notification import (
        PagerDuty as PagerDuty,
    )
    from dockyard.sdk.notification import (
        Slack as Slack,
    )
    from dockyard.sdk.resources import (
        PodTemplate as PodTemplate,
    )
    from dockyard.sdk.resources import (
        Resources as Resources,
    )
    from dockyard.sdk.schedule import (
        CronSchedule as CronSchedule,
    )
    from dockyard.sdk.schedule import (
        FixedRate as FixedRate,
    )
    from dockyard.sdk.task import (
        PythonTask as PythonTask,
    )
    from dockyard.sdk.task import (
        task as task,
    )
    from dockyard.sdk.types import (
        FlyteDirectory as FlyteDirectory,
    )
    from dockyard.sdk.types import (
        FlyteFile as FlyteFile,
    )
    from dockyard.sdk.types import (
        HashMethod as HashMethod,
    )
    from dockyard.sdk.types import (
        StructuredDataset as StructuredDataset,
    )
    from dockyard.sdk.types import (
        StructuredDatasetType as StructuredDatasetType,
    )
    from dockyard.sdk.types import (
        TypeEngine as TypeEngine,
    )
    from dockyard.sdk.types import (
        kwtypes as kwtypes,
    )
    from dockyard.sdk.workflow import (
        PythonFunctionWorkflow as PythonFunctionWorkflow,
    )
    from dockyard.sdk.workflow import (
        WorkflowBase as WorkflowBase,
    )
    from dockyard.sdk.workflow import (
        workflow as workflow,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dockyard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _ALIASES.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
