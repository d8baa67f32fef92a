"""flytekit's `flytekit.core.workflow`."""

from dockyard.sdk.imperative import ImperativeWorkflow
from dockyard.sdk.reference import ReferenceWorkflow, WorkflowReference, reference_workflow
from dockyard.sdk.workflow import PythonFunctionWorkflow, WorkflowBase, WorkflowFailurePolicy, workflow

__all__ = [
    "ImperativeWorkflow",
    "PythonFunctionWorkflow",
    "ReferenceWorkflow",
    "WorkflowBase",
    "WorkflowFailurePolicy",
    "WorkflowReference",
    "reference_workflow",
    "workflow",
]
