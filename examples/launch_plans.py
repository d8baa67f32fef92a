"""Launch plans from the seed: default inputs, a cron schedule, a fixed rate, notifications.

    dockyard run examples/launch_plans.py nightly_plan
    dockyard run examples/launch_plans.py scheduled_plan --kickoff_time 2024-05-01T02:00:00Z
    dockyard run examples/launch_plans.py hourly_plan --epochs 3

Locally a launch plan runs its workflow with its inputs; the schedule and the notifications are what a
scheduler reads from `plan.to_dict()`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dockyard import CronSchedule, Email, FixedRate, LaunchPlan, Slack, task, workflow
from dockyard.models.core.execution import WorkflowExecutionPhase


@task
def train(data_path: str, epochs: int) -> str:
    return f"trained on {data_path} for {epochs} epochs"


@workflow
def training_pipeline(data_path: str, epochs: int = 10) -> str:
    return train(data_path=data_path, epochs=epochs)


@task
def stamp(summary: str, kickoff_time: datetime) -> str:
    return f"{summary} (run of {kickoff_time:%Y-%m-%d %H:%M})"


@workflow
def scheduled_pipeline(kickoff_time: datetime, data_path: str = "s3://data/latest", epochs: int = 5) -> str:
    return stamp(summary=train(data_path=data_path, epochs=epochs), kickoff_time=kickoff_time)


nightly_plan = LaunchPlan.get_or_create(
    workflow=training_pipeline,
    name="nightly_retrain",
    default_inputs={"data_path": "s3://data/latest", "epochs": 5},
)

scheduled_plan = LaunchPlan.get_or_create(
    workflow=scheduled_pipeline,
    name="scheduled_retrain",
    schedule=CronSchedule(schedule="0 2 * * *", kickoff_time_input_arg="kickoff_time"),
)

hourly_plan = LaunchPlan.get_or_create(
    workflow=training_pipeline,
    name="hourly_eval",
    default_inputs={"data_path": "s3://data/latest", "epochs": 1},
    schedule=FixedRate(duration=timedelta(hours=1)),
)

notified_plan = LaunchPlan.get_or_create(
    workflow=training_pipeline,
    name="notified_retrain",
    default_inputs={"data_path": "s3://data/latest"},
    fixed_inputs={"epochs": 2},
    notifications=[
        Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["team@example.com"]),
        Slack(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["#ml-alerts"]),
    ],
)
