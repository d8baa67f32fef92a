"""Registration (serialize, register, run by name) and the scheduler with SMTP notifications, against the
real Docker engine, a file:// store and a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from dockyard.config import Settings, load_settings
from dockyard.errors import ConfigError, StoreError
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.registration import SCHEMA, fetch, load_registered, publish, register, serialize
from dockyard.runtime.remote import run_registered
from dockyard.runtime.scheduler import Scheduler
from dockyard.sdk.types.literal import literals_from_json

from .conftest import free_port

pytestmark = [pytest.mark.docker, pytest.mark.registry]

WORKFLOWS = Path(__file__).parent / "workflows"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Any:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def settings_for(tmp_path: Path, smtp_port: int = 25, **sections: Any) -> Settings:
    build: dict[str, Any] = {"work_dir": str(tmp_path / "build")}
    if CA_BUNDLE.is_file():
        build["ca_bundle"] = str(CA_BUNDLE)
    return load_settings(
        {
            "build": build,
            "store": {"url": f"file://{tmp_path}/store"},
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "sender": "dockyard@test"},
            **sections,
        },
        environ={},
    )


def source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(WORKFLOWS / "scheduled.py", src / "scheduled.py")
    return src / "scheduled.py"


def test_register_then_run_by_name_with_pinned_images(
    tmp_path: Path, docker_engine: str, registry: str
) -> None:
    settings = settings_for(tmp_path)
    store = open_store(settings.store.url, settings)
    file = source(tmp_path)
    doc = register(file, store, settings, project="ml", domain="dev")
    assert doc["schema"] == SCHEMA
    assert all("@sha256:" in image for image in doc["images"].values())
    assert {t["name"] for t in doc["tasks"]} == {"scheduled.stamp"}
    assert doc["workflows"][0]["graph"]["schema"] == "dockyard.graph/v1"
    assert doc["launch_plans"][0]["schedule"]["kind"] == "fixed_rate"
    again = register(file, store, settings, project="ml", domain="dev", version="v-explicit")
    assert again["images"] == doc["images"]
    assert again["bundle_uri"] == doc["bundle_uri"]

    # A document serialized before the sources changed is not published with the new sources. (Had its own
    # bundle been stored already, that bundle would be used: it matches the document.)
    original = file.read_text()
    file.write_text(original + "\n# edited before serialize\n")
    stale = serialize(file, settings, version="v-stale")
    file.write_text(original + "\n# edited after serialize\n")
    with pytest.raises(ConfigError, match="the sources changed since they were serialized"):
        publish(stale, file.parent, store, project="ml", domain="dev")
    with pytest.raises(StoreError, match="no registered version 'v-stale'"):
        fetch(store, project="ml", domain="dev", name="scheduled.stamped", version="v-stale")

    file.unlink()  # a registered version needs no local source
    latest = fetch(store, project="ml", domain="dev", name="scheduled.stamped", version=None)
    assert latest["version"] == "v-explicit"
    pinned = fetch(store, project="ml", domain="dev", name="scheduled.stamped", version=doc["version"])
    entity = load_registered(pinned, store, "scheduled.stamped")
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    result = run_registered(pinned, entity, {"when": when, "label": "x"}, settings=settings)
    assert result.outputs == f"x@{when.isoformat()}"
    with pytest.raises(StoreError, match="ml/dev: nothing registered under the name 'nope'"):
        fetch(store, project="ml", domain="dev", name="nope", version=None)
    with pytest.raises(StoreError, match="no registered version 'v9'"):
        fetch(store, project="ml", domain="dev", name="scheduled.stamped", version="v9")


def test_schedule_launches_with_kickoff_time_and_emails(
    tmp_path: Path, smtp: Any, docker_engine: str, registry: str
) -> None:
    controller, inbox = smtp
    settings = settings_for(tmp_path, controller.port)
    store = open_store(settings.store.url, settings)
    register(source(tmp_path), store, settings, project="ml", domain="prod")
    t0 = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)
    scheduler = Scheduler(store, settings, "ml", "prod", start=t0)
    assert scheduler.load() == ["scheduled.nightly"]
    assert scheduler.tick(t0 + timedelta(seconds=30)) == []
    (launch,) = scheduler.tick(t0 + timedelta(seconds=61))
    assert launch.phase == "SUCCEEDED", launch.message
    assert launch.scheduled_at == t0 + timedelta(minutes=1)
    outputs_uri = store.url_for("executions", str(launch.execution_id), "outputs.json")
    (value,) = literals_from_json(store.read_bytes(outputs_uri).decode()).values()
    assert "nightly@2026-05-01T02:01:00+00:00" in str(value)
    (envelope,) = inbox.messages
    assert envelope.rcpt_tos == ["ops@example.com"]
    mail = message_from_bytes(envelope.content)
    assert mail["Subject"] == "[dockyard] launch plan scheduled.nightly: SUCCEEDED"
    assert str(launch.execution_id) in mail.get_payload()


class Webhook:
    """A local HTTP server standing in for Slack's incoming webhook: keeps each JSON body posted."""

    def __init__(self) -> None:
        import http.server
        import threading

        bodies = self.bodies = []  # type: list[dict[str, Any]]

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T0/B0/secret"


def test_a_plain_run_of_a_plan_notifies_slack_by_webhook_and_email_failures_are_recorded(
    tmp_path: Path, docker_engine: str, registry: str
) -> None:
    """No SMTP server listens: the email fails, is recorded, and the run still succeeds; Slack is a POST."""
    hook = Webhook()
    settings = settings_for(tmp_path, free_port(), slack={"webhook_url": hook.url})
    store = open_store(settings.store.url, settings)
    doc = register(source(tmp_path), store, settings, project="ml", domain="prod")
    plan = load_registered(doc, store, "scheduled.announced")
    when = datetime(2026, 1, 2, tzinfo=timezone.utc)
    result = run_registered(doc, plan, {"when": when}, settings=settings)
    assert result.outputs == f"announced@{when.isoformat()}"
    (body,) = hook.bodies
    assert "scheduled.announced ended SUCCEEDED" in body["text"] and result.execution_id in body["text"]
    assert "#ml-runs" in body["text"]
    recorded = store.read_json(store.url_for("executions", result.execution_id, "notifications.json"))
    assert [(d["kind"], bool(d["error"])) for d in recorded] == [("slack", False), ("email", True)]
    assert "secret" not in json.dumps(recorded)  # the webhook URL is a credential

    scheduler = Scheduler(store, settings, "ml", "prod")
    with pytest.raises(ConfigError, match=r"scheduled\.announced: not a scheduled launch plan"):
        scheduler.kickoff("scheduled.announced", when)


def test_schedules_follow_the_registry(tmp_path: Path, docker_engine: str, registry: str) -> None:
    """Re-registering does not re-run a slot that ran; deactivating, or a version without the schedule,
    stops the plan; an SMTP server that goes away does not stop the scheduler."""
    from aiosmtpd.controller import Controller

    from dockyard.runtime.scheduler import list_schedules, set_active

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = settings_for(tmp_path, controller.port)
    store = open_store(settings.store.url, settings)
    file = source(tmp_path)
    register(file, store, settings, project="ml", domain="prod", version="v1")
    t0 = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)
    scheduler = Scheduler(store, settings, "ml", "prod", start=t0)
    scheduler.load()
    assert scheduler.next_fire_times() == {"scheduled.nightly": t0 + timedelta(minutes=1)}
    (launch,) = scheduler.tick(t0 + timedelta(seconds=61))
    assert launch.phase == "SUCCEEDED"
    controller.stop()  # SMTP goes away: the next run's email fails, the scheduler goes on

    register(file, store, settings, project="ml", domain="prod", version="v2")
    assert scheduler.load() == ["scheduled.nightly"]
    assert scheduler.tick(t0 + timedelta(seconds=62)) == []  # the 02:01 slot ran already
    assert scheduler.next_fire_times() == {"scheduled.nightly": t0 + timedelta(minutes=2)}
    (launch,) = scheduler.tick(t0 + timedelta(seconds=121))
    assert launch.phase == "SUCCEEDED" and launch.scheduled_at == t0 + timedelta(minutes=2)
    (delivery,) = store.read_json(store.url_for("executions", str(launch.execution_id), "notifications.json"))
    assert delivery["kind"] == "email" and f"127.0.0.1:{controller.port}" in delivery["error"]

    set_active(store, "ml", "prod", "scheduled.nightly", False)
    assert scheduler.load() == []
    (info,) = list_schedules(store, "ml", "prod")
    assert (info.name, info.version, info.active, info.next_at) == ("scheduled.nightly", "v2", False, None)
    set_active(store, "ml", "prod", "scheduled.nightly", True)
    assert scheduler.load() == ["scheduled.nightly"]

    original = file.read_text()
    line = '    schedule=FixedRate(duration=timedelta(minutes=1), kickoff_time_input_arg="when"),\n'
    file.write_text(original.replace(line, ""))
    register(file, store, settings, project="ml", domain="prod", version="v3")
    assert scheduler.load() == []
    assert scheduler.tick(t0 + timedelta(hours=1)) == []
    assert list_schedules(store, "ml", "prod") == []

    file.write_text(original)  # the schedule back, then a version without the plan at all
    register(file, store, settings, project="ml", domain="prod", version="v4")
    assert scheduler.load() == ["scheduled.nightly"]
    file.write_text(
        original[: original.index("nightly = LaunchPlan")] + original[original.index("announced =") :]
    )
    register(file, store, settings, project="ml", domain="prod", version="v5")
    assert scheduler.load() == []
    assert list_schedules(store, "ml", "prod") == []
    assert len(inbox.messages) == 1


def test_cli_run_remote_status_logs_register_and_run_registered(
    tmp_path: Path, docker_engine: str, registry: str
) -> None:
    import os
    import re
    import subprocess
    import sys

    src = tmp_path / "src"
    shutil.copytree(WORKFLOWS, src, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "DOCKYARD_STORE_URL": f"file://{tmp_path}/store"}
    if CA_BUNDLE.is_file():
        env["DOCKYARD_BUILD_CA_BUNDLE"] = str(CA_BUNDLE)

    def dockyard(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-c", "from dockyard.cli.main import main; main()", *args]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return done

    ran = dockyard("run", "--remote", str(src / "faults.py"), "greet", "--name", "cli")
    assert ran.stdout.strip().startswith('"HELLO CLI V1')
    match = re.search(r"execution (\S+): succeeded", ran.stderr)
    assert match, ran.stderr
    status = dockyard("status", match.group(1), "-o", "json")
    nodes = json.loads(status.stdout)["nodes"]
    assert sorted(n["task"] for n in nodes.values()) == ["faults.hello", "faults.shout"]
    shout = next(node_id for node_id, n in nodes.items() if n["task"] == "faults.shout")
    assert "dockyard-execute: wrote" in dockyard("logs", match.group(1), shout).stdout

    version = dockyard(
        "register", str(src / "scheduled.py"), "--project", "p", "--domain", "d"
    ).stdout.strip()
    (src / "scheduled.py").unlink()
    again = dockyard(
        "run", "--remote", "--registered", f"scheduled.stamped:{version}", "--project", "p", "--domain", "d",
        "--when", "2026-02-03T04:05:06+00:00", "--label", "cli",
    )  # fmt: skip
    assert json.loads(again.stdout) == "cli@2026-02-03T04:05:06+00:00"
