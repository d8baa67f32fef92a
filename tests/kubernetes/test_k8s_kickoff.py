"""`dockyard schedules kickoff`, the command a CronJob's Job runs: the scheduled time reaches the input named
by DOCKYARD_KICKOFF_TIME_INPUT, the run is the registered version's, notifications go out as with `serve`.
Real parts: the Docker backend (the Job's driver is backend-agnostic), a file:// store, an SMTP server."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from test_k8s_dry_run import dockyard

from dockyard.kubernetes.schedules import kickoff_time
from dockyard.runtime.blobstore import open_store
from dockyard.sdk.types.literal import literals_from_json

pytestmark = [pytest.mark.docker, pytest.mark.registry]

SCHEDULED = Path(__file__).parents[1] / "runtime" / "workflows" / "scheduled.py"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def _output(store_url: str, execution_id: str) -> str:
    store = open_store(store_url)
    uri = store.url_for("executions", execution_id, "outputs.json")
    (value,) = literals_from_json(store.read_bytes(uri).decode()).values()
    return str(value["str"])


def test_kickoff_passes_the_scheduled_time(tmp_path: Path, docker_engine: str, registry: str) -> None:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        src = tmp_path / "src"
        src.mkdir()
        shutil.copy(SCHEDULED, src / "scheduled.py")
        store_url = f"file://{tmp_path}/store"
        env = {
            "DOCKYARD_STORE_URL": store_url,
            "DOCKYARD_SMTP_HOST": "127.0.0.1",
            "DOCKYARD_SMTP_PORT": str(port),
            "DOCKYARD_BUILD_REGISTRY": registry,
        }
        if CA_BUNDLE.is_file():
            env["DOCKYARD_BUILD_CA_BUNDLE"] = str(CA_BUNDLE)
        registered = dockyard("register", str(src / "scheduled.py"), "--project", "ml", "--domain", "prod",
                              cwd=tmp_path, **env)  # fmt: skip
        assert registered.returncode == 0, registered.stderr
        version = registered.stdout.strip()

        def kickoff(*args: str, **extra: str) -> Any:
            where = ["--project", "ml", "--domain", "prod", "--version", version]
            return dockyard(
                "schedules", "kickoff", "scheduled.nightly", *where, *args, cwd=tmp_path, **env, **extra
            )

        before = kickoff_time(datetime.now(timezone.utc))
        now = kickoff(DOCKYARD_KICKOFF_TIME_INPUT="when")
        after = kickoff_time(datetime.now(timezone.utc))
        assert now.returncode == 0, now.stderr
        at, plan, phase, execution_id = now.stdout.split()
        assert (plan, phase) == ("scheduled.nightly", "SUCCEEDED")
        assert datetime.fromisoformat(at) in {before, after}  # the Job's start, truncated to the minute
        assert _output(store_url, execution_id) == f"nightly@{at}"

        exact = kickoff("--at", "2026-05-01T02:00:00Z", DOCKYARD_KICKOFF_TIME_INPUT="when")
        assert exact.returncode == 0, exact.stderr
        assert _output(store_url, exact.stdout.split()[3]) == "nightly@2026-05-01T02:00:00+00:00"
        assert len(inbox.messages) == 2  # the plan's SUCCEEDED notification, once per launch

        # the CronJob's variable names the input: a name the workflow lacks fails the Job (exit 5)
        wrong = kickoff("--at", "2026-05-01T02:00:00Z", DOCKYARD_KICKOFF_TIME_INPUT="not_an_input")
        assert wrong.returncode == 5
        assert "scheduled.nightly FAILED" in wrong.stdout
        assert "not_an_input" in wrong.stderr
    finally:
        smtp.stop()
