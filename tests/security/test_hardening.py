"""Task containers are hardened by default, on the real Docker engine: a non-root user, no capabilities,
no-new-privileges, their own network, and of a `file://` store only their own execution (read-only) and
their output and checkpoint prefixes (read-write). Each default relaxes with its documented setting."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from dockyard.config import Settings, load_settings
from dockyard.runtime.docker_executor import DockerExecutor
from dockyard.runtime.executor import Phase, SecretRef, TaskAttempt

pytestmark = [pytest.mark.docker]

IMAGE = "localhost:5000/dockyard/debian:bookworm"


def store_with_two_executions(root: Path) -> tuple[str, str]:
    mine, theirs = f"mine{uuid.uuid4().hex[:8]}", f"theirs{uuid.uuid4().hex[:8]}"
    for execution in (mine, theirs):
        inputs = root / "executions" / execution / "nodes" / "n0" / "0"
        inputs.mkdir(parents=True)
        (inputs / "inputs.json").write_text(f'{{"who": "{execution}"}}')
    (root / "bundles").mkdir()
    (root / "bundles" / "abc.tar.gz").write_bytes(b"bundle")
    (root / "bundles" / "other.tar.gz").write_bytes(b"someone else's code")
    return mine, theirs


def attempt(root: Path, execution: str, script: str, **kwargs: Any) -> TaskAttempt:
    prefix = f"file://{root}/executions/{execution}/nodes/n0/0"
    command = [
        "sh",
        "-c",
        script,
        "--output-prefix",
        f"{prefix}/outputs",
        "--checkpoint-cur",
        f"file://{root}/executions/{execution}/nodes/n0/checkpoints/0/",
        "--bundle",
        f"file://{root}/bundles/abc.tar.gz",
    ]
    return TaskAttempt(
        execution_id=execution, node_id="n0", attempt=0, image=IMAGE, command=command, **kwargs
    )


def run(settings: Settings, root: Path, task: TaskAttempt, docker_engine: str) -> tuple[str, dict[str, Any]]:
    executor = DockerExecutor(settings, secret_source=lambda ref: b"s3cret", store_root=root)
    handle = executor.launch(task)
    inspected = handle.container.attrs["HostConfig"]
    outcome = executor.wait(handle)
    logs = executor.logs(handle)
    assert outcome.phase is Phase.SUCCEEDED, logs
    return logs, inspected


PROBE = """
MINE={root}/executions/{mine}/nodes/n0
echo "uid=$(id -u) gid=$(id -g)"
grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status
cat {root}/executions/{mine}/nodes/n0/0/inputs.json && echo " read-own-inputs"
ls {root}/executions/{theirs} 2>/dev/null && echo "SAW-THEIRS" || echo "no-theirs"
ls {root}/bundles/other.tar.gz 2>/dev/null && echo "SAW-OTHER-BUNDLE" || echo "no-other-bundle"
cat {root}/bundles/abc.tar.gz && echo " read-own-bundle"
touch $MINE/0/inputs.json 2>/dev/null && echo WROTE-INPUTS || echo inputs-read-only
mkdir -p {root}/executions/{mine}/nodes/n0/0/outputs {root}/executions/{mine}/nodes/n0/checkpoints/0
echo out > {root}/executions/{mine}/nodes/n0/0/outputs/x && echo "wrote-outputs"
echo ck > {root}/executions/{mine}/nodes/n0/checkpoints/0/c && echo "wrote-checkpoint"
cat /etc/secrets/db/password 2>/dev/null && echo " read-secret"
true
"""


def test_a_task_runs_hardened_by_default(tmp_path: Path, docker_engine: str, base_image: str) -> None:
    root = tmp_path / "store"
    mine, theirs = store_with_two_executions(root)
    settings = load_settings(environ={})
    task = attempt(
        root, mine, PROBE.format(root=root, mine=mine, theirs=theirs), secrets=(SecretRef("db", "password"),)
    )
    logs, host = run(settings, root, task, docker_engine)
    assert "uid=65532 gid=65532" in logs
    assert "CapEff:\t0000000000000000" in logs and "CapBnd:\t0000000000000000" in logs
    assert "NoNewPrivs:\t1" in logs
    assert "read-own-inputs" in logs and "read-own-bundle" in logs and "read-secret" in logs
    assert "no-theirs" in logs and "SAW-THEIRS" not in logs
    assert "no-other-bundle" in logs and "SAW-OTHER-BUNDLE" not in logs
    assert "inputs-read-only" in logs and "WROTE-INPUTS" not in logs
    assert "wrote-outputs" in logs and "wrote-checkpoint" in logs
    assert host["NetworkMode"] == "bridge" and host["CapDrop"] == ["ALL"]
    assert host["SecurityOpt"] == ["no-new-privileges:true"]
    assert (root / "executions" / mine / "nodes" / "n0" / "0" / "outputs" / "x").read_text() == "out\n"


def test_each_default_relaxes_with_its_setting(tmp_path: Path, docker_engine: str, base_image: str) -> None:
    root = tmp_path / "store"
    mine, theirs = store_with_two_executions(root)
    relaxed = {
        "task_user": "root",
        "task_drop_capabilities": False,
        "task_no_new_privileges": False,
        "task_network": "host",
        "task_mount_whole_store": True,
    }
    settings = load_settings({"executor": relaxed}, environ={})
    logs, host = run(
        settings, root, attempt(root, mine, PROBE.format(root=root, mine=mine, theirs=theirs)), docker_engine
    )
    assert "uid=0 gid=0" in logs and "NoNewPrivs:\t0" in logs and "CapEff:\t0000000000000000" not in logs
    assert "SAW-THEIRS" in logs and "WROTE-INPUTS" in logs
    assert host["NetworkMode"] == "host"


def test_a_pod_template_user_wins(tmp_path: Path, docker_engine: str, base_image: str) -> None:
    root = tmp_path / "store"
    mine, _ = store_with_two_executions(root)
    template = {"podSpec": {"containers": [{"name": "primary", "securityContext": {"runAsUser": 0}}]}}
    task = attempt(root, mine, "id -u", pod_template=template)
    logs, _ = run(load_settings(environ={}), root, task, docker_engine)
    assert logs.strip() == "0"
