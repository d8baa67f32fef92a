"""Notifications of a plain `dockyard run` of a launch plan (no container, no scheduler): Slack through the
webhook of the settings (a local HTTP server stands in for Slack), email through SMTP (none listens here:
the failure is logged, the run still succeeds)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import free_port
from .test_registration import Webhook

DOCKYARD = Path(sys.executable).with_name("dockyard")

PLAN = """
from dockyard import Email, LaunchPlan, Slack, WorkflowExecutionPhase, task, workflow


@task
def shout(text: str) -> str:
    return text.upper()


@workflow
def announce(text: str) -> str:
    return shout(text=text)


done = WorkflowExecutionPhase.SUCCEEDED
announced = LaunchPlan.get_or_create(
    announce,
    name="announced",
    default_inputs={"text": "hi"},
    notifications=[
        Slack(phases=[done], recipients_email=["#ml-runs"]),
        Email(phases=[done], recipients_email=["ops@example.com"]),
    ],
)
"""


def test_a_local_run_of_a_plan_sends_its_notifications(tmp_path: Path) -> None:
    hook = Webhook()
    (tmp_path / "plans.py").write_text(PLAN)
    env = {
        **os.environ,
        "DOCKYARD_SLACK_WEBHOOK_URL": hook.url,
        "DOCKYARD_SMTP_HOST": "127.0.0.1",
        "DOCKYARD_SMTP_PORT": str(free_port()),
    }
    proc = subprocess.run(
        [str(DOCKYARD), "run", "plans.py", "announced"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "HI" in proc.stdout
    (body,) = hook.bodies
    assert "announced ended SUCCEEDED. (a local run)" in body["text"] and "#ml-runs" in body["text"]
    assert "the email notification was not delivered" in proc.stderr
    assert hook.url not in proc.stderr + proc.stdout  # the webhook URL is a credential
