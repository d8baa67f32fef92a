"""Launch plans: defaults, fixed inputs, schedules, notifications, parallelism and cache overwrite."""

import datetime

from dockyard import CronSchedule, Email, FixedRate, LaunchPlan, PagerDuty, Slack, task, workflow
from dockyard.models.core.execution import WorkflowExecutionPhase


@task
def report(day: datetime.datetime, region: str) -> str:
    return f"{region}:{day}"


@workflow
def nightly(day: datetime.datetime, region: str = "eu") -> str:
    return report(day=day, region=region)


@workflow
def hourly(day: datetime.datetime, region: str) -> str:
    return report(day=day, region=region)


cron_lp = LaunchPlan.get_or_create(
    nightly,
    name="nightly_cron",
    schedule=CronSchedule(schedule="0 2 * * *", kickoff_time_input_arg="day"),
    default_inputs={"region": "us"},
)
alias_lp = LaunchPlan.get_or_create(
    nightly, name="nightly_alias", schedule=CronSchedule(schedule="@daily", kickoff_time_input_arg="day")
)
rate_lp = LaunchPlan.get_or_create(
    hourly,
    name="hourly_rate",
    schedule=FixedRate(duration=datetime.timedelta(minutes=90), kickoff_time_input_arg="day"),
    fixed_inputs={"region": "ap"},
)
notify_lp = LaunchPlan.get_or_create(
    hourly,
    name="hourly_notify",
    default_inputs={"region": "eu", "day": datetime.datetime(2024, 1, 2, 3, 4, 5)},
    notifications=[
        Email(
            phases=[WorkflowExecutionPhase.FAILED, WorkflowExecutionPhase.TIMED_OUT],
            recipients_email=["a@x.org"],
        ),
        Slack(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["#ml"]),
        PagerDuty(phases=[WorkflowExecutionPhase.ABORTED], recipients_email=["pd@x.org"]),
    ],
)
labelled_lp = LaunchPlan.get_or_create(
    nightly,
    name="nightly_labelled",
    max_parallelism=7,
    overwrite_cache=True,
    fixed_inputs={"region": "sa"},
)
