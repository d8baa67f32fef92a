"""Notifications on a launch plan: an email when the workflow fails or succeeds."""

from flytekit import Email, LaunchPlan, WorkflowExecutionPhase, task, workflow
from flytekit.core.notification import Slack


@task
def ok() -> str:
    return "ok"


@workflow
def wf() -> str:
    return ok()


lp = LaunchPlan.get_or_create(
    wf,
    name="surface_notified",
    notifications=[
        Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["oncall@example.com"]),
        Slack(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["#ml"]),
    ],
)
print(lp())
