"""Launch plans: flytekit 1.16's identity rules, input merging, and declaration-time checks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dockyard import CronSchedule, Email, FixedRate, LaunchPlan, Slack, task, workflow
from dockyard.models.core.execution import WorkflowExecutionPhase
from dockyard.sdk.launch_plan import LaunchPlanError

calls: list[tuple[str, int, str]] = []


@task
def train(data_path: str, epochs: int, tag: str) -> str:
    calls.append((data_path, epochs, tag))
    return f"{data_path}:{epochs}:{tag}"


@workflow
def pipeline(data_path: str, epochs: int = 10, tag: str = "dev") -> str:
    return train(data_path=data_path, epochs=epochs, tag=tag)


@task
def stamp(run_at: datetime) -> str:
    return run_at.isoformat()


@workflow
def scheduled(run_at: datetime, note: str = "") -> str:
    return stamp(run_at=run_at)


def test_same_arguments_give_the_same_object() -> None:
    kwargs = {
        "default_inputs": {"data_path": "s3://data/latest", "epochs": 5},
        "schedule": CronSchedule(schedule="0 2 * * *"),
        "notifications": [
            Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["team@example.com"])
        ],
    }
    first = LaunchPlan.get_or_create(workflow=pipeline, name="nightly", **kwargs)
    again = LaunchPlan.get_or_create(
        workflow=pipeline,
        name="nightly",
        default_inputs={"data_path": "s3://data/latest", "epochs": 5},
        schedule=CronSchedule(schedule="0 2 * * *"),
        notifications=[Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["team@example.com"])],
    )
    assert again is first
    assert LaunchPlan.CACHE["nightly"] is first


@pytest.mark.parametrize(
    ("changed", "attr"),
    [
        ({"default_inputs": {"data_path": "s3://other"}}, "default_inputs"),
        ({"fixed_inputs": {"data_path": "s3://data/latest"}}, "fixed_inputs"),
        ({"schedule": FixedRate(duration=timedelta(hours=1))}, "schedule"),
        (
            {"notifications": [Slack(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["#ml"])]},
            "notifications",
        ),
        ({"labels": {"team": "ml"}}, "labels"),
    ],
)
def test_same_name_different_arguments_is_an_error(changed: dict[str, object], attr: str) -> None:
    LaunchPlan.get_or_create(workflow=pipeline, name="plan")
    with pytest.raises(LaunchPlanError, match=f"launch plan plan .* already exists with different {attr}"):
        LaunchPlan.get_or_create(workflow=pipeline, name="plan", **changed)  # type: ignore[arg-type]
    with pytest.raises(AssertionError):  # flytekit's exception type, for code that catches it
        LaunchPlan.get_or_create(workflow=pipeline, name="plan", **changed)  # type: ignore[arg-type]


def test_same_name_other_workflow_is_an_error() -> None:
    LaunchPlan.get_or_create(workflow=pipeline, name="shared")
    with pytest.raises(LaunchPlanError, match="already exists for workflow"):
        LaunchPlan.get_or_create(workflow=scheduled, name="shared")


def test_create_with_a_taken_name_raises() -> None:
    LaunchPlan.create("once", pipeline)
    with pytest.raises(LaunchPlanError, match="once was already created"):
        LaunchPlan.create("once", pipeline)


def test_default_launch_plan_is_named_after_the_workflow() -> None:
    default = LaunchPlan.get_or_create(pipeline)
    assert default.name == pipeline.name
    assert LaunchPlan.get_or_create(pipeline) is default
    with pytest.raises(LaunchPlanError, match="only named launch plans"):
        LaunchPlan.get_or_create(pipeline, default_inputs={"epochs": 1})


def test_call_merges_defaults_kwargs_and_fixed_inputs() -> None:
    plan = LaunchPlan.get_or_create(
        pipeline,
        name="merge",
        default_inputs={"data_path": "s3://a", "epochs": 5},
        fixed_inputs={"tag": "prod"},
    )
    calls.clear()
    assert plan() == "s3://a:5:prod"
    assert plan(epochs=7) == "s3://a:7:prod"
    assert calls == [("s3://a", 5, "prod"), ("s3://a", 7, "prod")]


def test_call_rejects_positional_arguments_and_fixed_overrides() -> None:
    plan = LaunchPlan.get_or_create(pipeline, name="strict", fixed_inputs={"tag": "prod"})
    with pytest.raises(LaunchPlanError, match="only keyword arguments"):
        plan("s3://a")
    with pytest.raises(LaunchPlanError, match="input 'tag' is fixed and cannot be overridden"):
        plan(data_path="s3://a", tag="dev")


def test_launch_plan_inside_a_workflow_runs_with_its_bindings() -> None:
    plan = LaunchPlan.get_or_create(
        pipeline, name="inner", fixed_inputs={"tag": "lp"}, default_inputs={"epochs": 2}
    )

    @workflow
    def outer(path: str) -> str:
        return plan(data_path=path)

    assert outer(path="/d") == "/d:2:lp"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"default_inputs": {"nope": 1}}, "default_inputs names 'nope', which is not an input"),
        ({"fixed_inputs": {"epochs": "ten"}}, "fixed_inputs.epochs: expected int, got str"),
        (
            {"default_inputs": {"epochs": 1}, "fixed_inputs": {"epochs": 2}},
            "both a default and a fixed input",
        ),
        ({"schedule": "0 2 * * *"}, "schedule must be a CronSchedule or FixedRate"),
        ({"notifications": ["team@example.com"]}, "notifications must be Email, Slack or PagerDuty"),
    ],
)
def test_declaration_errors_name_the_plan_and_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(LaunchPlanError, match=message) as info:
        LaunchPlan.get_or_create(pipeline, name="bad", **kwargs)  # type: ignore[arg-type]
    assert str(info.value).startswith("launch plan bad: ")
    assert "bad" not in LaunchPlan.CACHE


def test_only_workflows_get_launch_plans() -> None:
    with pytest.raises(LaunchPlanError, match="must be a @workflow"):
        LaunchPlan.get_or_create(train, name="of_a_task")


def test_kickoff_time_input_arg_must_be_a_datetime_input() -> None:
    ok = LaunchPlan.get_or_create(
        scheduled, name="kick", schedule=CronSchedule(schedule="@daily", kickoff_time_input_arg="run_at")
    )
    when = datetime(2024, 5, 1, 2, tzinfo=timezone.utc)
    assert ok(run_at=when) == when.isoformat()
    with pytest.raises(LaunchPlanError, match="kickoff_time_input_arg 'missing' is not an input"):
        LaunchPlan.get_or_create(
            scheduled, name="k2", schedule=CronSchedule(schedule="@daily", kickoff_time_input_arg="missing")
        )
    with pytest.raises(LaunchPlanError, match="kickoff_time_input_arg 'note' must be a datetime input"):
        LaunchPlan.get_or_create(
            scheduled,
            name="k3",
            schedule=FixedRate(duration=timedelta(hours=1), kickoff_time_input_arg="note"),
        )


def test_interface_and_document() -> None:
    plan = LaunchPlan.get_or_create(
        pipeline,
        name="doc",
        default_inputs={"epochs": 3},
        fixed_inputs={"tag": "prod"},
        schedule=FixedRate(duration=timedelta(hours=1)),
        notifications=[Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["team@example.com"])],
    )
    assert list(plan.interface.inputs) == ["data_path", "epochs"]
    assert plan.interface.defaults == {"epochs": 3}
    assert plan.python_interface == plan.interface
    doc = plan.to_dict()
    assert doc["schema"] == "dockyard.launchplan/v1"
    assert doc["workflow"].endswith(":pipeline")
    assert doc["default_inputs"] == {"epochs": {"int": 3}}
    assert doc["fixed_inputs"] == {"tag": {"str": "prod"}}
    assert doc["schedule"] == {"kind": "fixed_rate", "minutes": 60, "kickoff_time_input_arg": None}
    assert doc["notifications"] == [
        {"kind": "email", "phases": ["FAILED"], "recipients": ["team@example.com"]}
    ]
