"""A registered module with a scheduled, notifying launch plan (for the registration and schedule tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

from dockyard import Email, FixedRate, ImageSpec, LaunchPlan, Slack, WorkflowExecutionPhase, task, workflow

runtime_image = ImageSpec(name="dockyard-test-runtime", registry="localhost:5000")


@task(container_image=runtime_image)
def stamp(when: datetime, label: str) -> str:
    return f"{label}@{when.isoformat()}"


@workflow
def stamped(when: datetime, label: str = "run") -> str:
    return stamp(when=when, label=label)


nightly = LaunchPlan.get_or_create(
    stamped,
    name="scheduled.nightly",
    default_inputs={"label": "nightly"},
    schedule=FixedRate(duration=timedelta(minutes=1), kickoff_time_input_arg="when"),
    notifications=[Email(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["ops@example.com"])],
)

announced = LaunchPlan.get_or_create(  # no schedule: its notifications go out for a plain run of it
    stamped,
    name="scheduled.announced",
    default_inputs={"label": "announced"},
    notifications=[
        Slack(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["#ml-runs"]),
        Email(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["ops@example.com"]),
    ],
)
