"""flytekit's `flytekit.core.reference_entity`."""

from dockyard.sdk.reference import (
    LaunchPlanReference,
    Reference,
    ReferenceEntity,
    TaskReference,
    WorkflowReference,
)

__all__ = ["LaunchPlanReference", "Reference", "ReferenceEntity", "TaskReference", "WorkflowReference"]
