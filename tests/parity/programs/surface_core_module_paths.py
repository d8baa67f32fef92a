"""The flytekit.core.* paths users import resolve, and name the same objects as the top level."""

import flytekit
from flytekit.core.array_node_map_task import map_task as array_map
from flytekit.core.base_task import PythonTask, TaskMetadata, kwtypes
from flytekit.core.checkpointer import Checkpoint
from flytekit.core.condition import conditional
from flytekit.core.context_manager import FlyteContext, FlyteContextManager
from flytekit.core.dynamic_workflow_task import dynamic
from flytekit.core.launch_plan import LaunchPlan, reference_launch_plan
from flytekit.core.legacy_map_task import map_task as legacy_map
from flytekit.core.notification import Email, PagerDuty, Slack
from flytekit.core.pod_template import PodTemplate
from flytekit.core.promise import Promise
from flytekit.core.resources import Resources
from flytekit.core.schedule import CronSchedule, FixedRate
from flytekit.core.task import reference_task, task
from flytekit.core.type_engine import TypeEngine, TypeTransformerFailedError
from flytekit.core.workflow import ImperativeWorkflow, WorkflowFailurePolicy, reference_workflow, workflow

print(task is flytekit.task, workflow is flytekit.workflow, dynamic is flytekit.dynamic)
print(conditional is flytekit.conditional, LaunchPlan is flytekit.LaunchPlan, Resources is flytekit.Resources)
print(ImperativeWorkflow is flytekit.Workflow, WorkflowFailurePolicy is flytekit.WorkflowFailurePolicy)
print(CronSchedule is flytekit.CronSchedule, FixedRate is flytekit.FixedRate, Email is flytekit.Email)
print(FlyteContext is flytekit.FlyteContext, FlyteContextManager is flytekit.FlyteContextManager)
print(reference_task is flytekit.reference_task, reference_workflow is flytekit.reference_workflow)
print(reference_launch_plan is flytekit.reference_launch_plan, PodTemplate is flytekit.PodTemplate)
print(TypeEngine.__name__, callable(array_map), callable(legacy_map))
print(issubclass(TypeTransformerFailedError, TypeError), Checkpoint is not None, PythonTask is not None)
print(
    kwtypes is flytekit.kwtypes, TaskMetadata is flytekit.TaskMetadata, bool(Slack and PagerDuty and Promise)
)
