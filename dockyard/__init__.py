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
    "WorkflowFailurePolicy": "dockyard.sdk.workflow",
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
    "__version__": "dockyard.version",
    "logger": "dockyard.loggers",
    "FlyteContext": "dockyard.sdk.flyte_context",
    "FlyteContextManager": "dockyard.sdk.flyte_context",
    "Workflow": "dockyard.sdk.imperative",
    "reference_task": "dockyard.sdk.reference",
    "reference_workflow": "dockyard.sdk.reference",
    "reference_launch_plan": "dockyard.sdk.reference",
    "TaskReference": "dockyard.sdk.reference",
    "WorkflowReference": "dockyard.sdk.reference",
    "LaunchPlanReference": "dockyard.sdk.reference",
    "Deck": "dockyard.sdk.deck",
    "TaskMetadata": "dockyard.sdk.instance_task",
    "PythonInstanceTask": "dockyard.sdk.instance_task",
    "Checkpoint": "dockyard.sdk.context",
    "ContainerTask": "dockyard.sdk.container_task",
    "Config": "dockyard.sdk.configuration",
    "Blob": "dockyard.sdk.types.models",
    "BlobMetadata": "dockyard.sdk.types.models",
    "BlobType": "dockyard.sdk.types.models",
    "Literal": "dockyard.sdk.types.models",
    "LiteralType": "dockyard.sdk.types.models",
    "Scalar": "dockyard.sdk.types.models",
    "Cache": "dockyard.sdk.cache_policy",
    "CachePolicy": "dockyard.sdk.cache_policy",
    "VersionParameters": "dockyard.sdk.cache_policy",
    "eager": "dockyard.sdk.task",
    "sleep": "dockyard.sdk.gate",
    "approve": "dockyard.sdk.gate",
    "wait_for_input": "dockyard.sdk.gate",
    "Labels": "dockyard.sdk.launch_plan",
    "Annotations": "dockyard.sdk.launch_plan",
    "BatchSize": "dockyard.sdk.types.batch",
    "StructuredDatasetFormat": "dockyard.types.structured",
    "SQLTask": "dockyard.sdk.sqlite_task",
    "StructuredDatasetTransformerEngine": "dockyard.types.structured",
    "Options": "dockyard.sdk.options",
    "Artifact": "dockyard.sdk.artifact",
    "SecurityContext": "dockyard.sdk.options",
    "new_context": "dockyard.sdk.flyte_context",
}
_ALIASES = {"PythonFunctionTask": "PythonTask"}

__all__ = [
    "Annotations",
    "Artifact",
    "BatchSize",
    "Blob",
    "BlobMetadata",
    "BlobType",
    "Cache",
    "CachePolicy",
    "Checkpoint",
    "Config",
    "ContainerTask",
    "CronSchedule",
    "Deck",
    "Email",
    "ExecutionParameters",
    "FixedRate",
    "FlyteContext",
    "FlyteContextManager",
    "FlyteDirectory",
    "FlyteFile",
    "HashMethod",
    "ImageSpec",
    "Labels",
    "LaunchPlan",
    "LaunchPlanReference",
    "Literal",
    "LiteralType",
    "Options",
    "PagerDuty",
    "PodTemplate",
    "PythonFunctionTask",
    "PythonFunctionWorkflow",
    "PythonInstanceTask",
    "PythonTask",
    "Resources",
    "SQLTask",
    "Scalar",
    "Secret",
    "SecurityContext",
    "Slack",
    "StructuredDataset",
    "StructuredDatasetFormat",
    "StructuredDatasetTransformerEngine",
    "StructuredDatasetType",
    "TaskMetadata",
    "TaskReference",
    "TypeEngine",
    "VersionParameters",
    "Workflow",
    "WorkflowBase",
    "WorkflowExecutionPhase",
    "WorkflowFailurePolicy",
    "WorkflowReference",
    "__version__",
    "approve",
    "conditional",
    "current_context",
    "dynamic",
    "eager",
    "kwtypes",
    "logger",
    "map_task",
    "new_context",
    "reference_launch_plan",
    "reference_task",
    "reference_workflow",
    "sleep",
    "task",
    "wait_for_input",
    "workflow",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from dockyard.imagespec.spec import ImageSpec
    from dockyard.loggers import logger
    from dockyard.models.core.execution import WorkflowExecutionPhase
    from dockyard.sdk.artifact import Artifact
    from dockyard.sdk.cache_policy import Cache, CachePolicy, VersionParameters
    from dockyard.sdk.conditional import conditional
    from dockyard.sdk.configuration import Config
    from dockyard.sdk.container_task import ContainerTask
    from dockyard.sdk.context import (
        Checkpoint,
        ExecutionParameters,
        Secret,
        current_context,
    )
    from dockyard.sdk.deck import Deck
    from dockyard.sdk.dynamic import dynamic
    from dockyard.sdk.flyte_context import FlyteContext, FlyteContextManager, new_context
    from dockyard.sdk.gate import approve, sleep, wait_for_input
    from dockyard.sdk.imperative import Workflow
    from dockyard.sdk.instance_task import PythonInstanceTask, TaskMetadata
    from dockyard.sdk.launch_plan import Annotations, Labels, LaunchPlan
    from dockyard.sdk.map_task import map_task
    from dockyard.sdk.notification import Email, PagerDuty, Slack
    from dockyard.sdk.options import Options, SecurityContext
    from dockyard.sdk.reference import (
        LaunchPlanReference,
        TaskReference,
        WorkflowReference,
        reference_launch_plan,
        reference_task,
        reference_workflow,
    )
    from dockyard.sdk.resources import PodTemplate, Resources
    from dockyard.sdk.schedule import CronSchedule, FixedRate
    from dockyard.sdk.sqlite_task import SQLTask
    from dockyard.sdk.task import PythonTask, eager, task
    from dockyard.sdk.types import (
        FlyteDirectory,
        FlyteFile,
        HashMethod,
        StructuredDataset,
        StructuredDatasetType,
        TypeEngine,
        kwtypes,
    )
    from dockyard.sdk.types.batch import BatchSize
    from dockyard.sdk.types.models import Blob, BlobMetadata, BlobType, Literal, LiteralType, Scalar
    from dockyard.sdk.workflow import (
        PythonFunctionWorkflow,
        WorkflowBase,
        WorkflowFailurePolicy,
        workflow,
    )
    from dockyard.types.structured import StructuredDatasetFormat, StructuredDatasetTransformerEngine
    from dockyard.version import __version__


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dockyard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _ALIASES.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
