"""The Docker executor against the real engine, with the base image pinned by digest."""

from __future__ import annotations

import math
import threading
import uuid
from typing import Any

import docker.errors
import pytest

from dockyard.config import load_settings
from dockyard.errors import ExecutionError
from dockyard.runtime.docker_executor import DockerExecutor, cpu_to_nano, memory_to_bytes
from dockyard.runtime.executor import SecretRef, TaskAttempt
from dockyard.runtime.phase import Phase
from dockyard.sdk.resources import ResourceError, Resources

from .conftest import TcpProxy

pytestmark = pytest.mark.docker


def attempt(image: str, command: list[str], **kwargs: Any) -> TaskAttempt:
    return TaskAttempt(
        execution_id=f"x{uuid.uuid4().hex[:8]}",
        node_id="n0",
        attempt=0,
        image=image,
        command=command,
        **kwargs,
    )


@pytest.fixture(scope="module")
def executor() -> DockerExecutor:
    secrets = {("db", "password"): b"hunter2-s3cret"}
    return DockerExecutor(load_settings(environ={}), secret_source=lambda ref: secrets[(ref.group, ref.key)])


def gone(client: Any, container_id: str) -> bool:
    try:
        client.containers.get(container_id)
    except docker.errors.NotFound:
        return True
    return False


def test_quantities() -> None:
    assert cpu_to_nano("500m") == 500_000_000
    assert cpu_to_nano("2") == 2_000_000_000
    assert memory_to_bytes("64Mi") == 64 * 2**20
    assert memory_to_bytes("1G") == 10**9


@pytest.mark.parametrize("text", ["512Ki", "1.5Gi", "1e3", "2E", "0.5M", "+3k", "100m"])
def test_docker_reads_quantities_by_the_resources_grammar(text: str) -> None:
    """Every spelling `Resources` accepts means the same number of bytes as in Kubernetes."""
    Resources(mem=text)
    units = {"Ki": 2**10, "Gi": 2**30, "E": 10**18, "M": 10**6, "k": 10**3, "m": 10**-3, "e3": 10**3}
    number, unit = next((text[: -len(u)], units[u]) for u in units if text.endswith(u))
    assert memory_to_bytes(text) == math.ceil(float(number) * unit)


def test_a_quantity_kubernetes_refuses_is_refused_naming_the_resource() -> None:
    """`512ki` is no Kubernetes quantity: it used to run with a 512-byte limit."""
    with pytest.raises(ResourceError, match=r"resources\.mem: '512ki' is not a Kubernetes quantity"):
        memory_to_bytes("512ki")
    with pytest.raises(ResourceError):
        Resources(mem="512ki")
    with pytest.raises(ResourceError, match=r"resources\.cpu"):
        cpu_to_nano("two")


def test_losing_the_engine_while_waiting_is_not_a_timeout(base_digest: str, docker_client: Any) -> None:
    """The engine's connection drops mid-wait (a stand-in proxy in front of its socket is stopped)."""
    proxy = TcpProxy(0, unix_socket="/var/run/docker.sock")
    proxy.start()
    client = docker.DockerClient(base_url=f"tcp://127.0.0.1:{proxy.port}")
    executor = DockerExecutor(load_settings(environ={}), secret_source=lambda ref: b"", client=client)
    handle = executor.launch(attempt(base_digest, ["sleep", "60"], timeout_s=50))
    try:
        threading.Timer(1.0, proxy.stop).start()
        with pytest.raises(ExecutionError, match="lost the connection to the docker engine while waiting"):
            executor.wait(handle)
    finally:
        docker_client.containers.get(handle.container.id).remove(force=True)


def test_success_logs_and_removal(executor: DockerExecutor, base_digest: str, docker_client: Any) -> None:
    handle = executor.launch(attempt(base_digest, ["sh", "-c", "echo hello-out; echo hello-err >&2"]))
    outcome = executor.wait(handle)
    assert outcome.phase is Phase.SUCCEEDED and outcome.exit_code == 0
    assert "hello-out" in executor.logs(handle) and "hello-err" in executor.logs(handle)
    executor.join_removals()  # removal happens off the attempt's path
    assert gone(docker_client, handle.container.id)


def test_failure_exit_code(executor: DockerExecutor, base_digest: str) -> None:
    outcome = executor.wait(executor.launch(attempt(base_digest, ["sh", "-c", "exit 3"])))
    assert outcome.phase is Phase.FAILED and outcome.exit_code == 3


def test_limits_are_applied(executor: DockerExecutor, base_digest: str, docker_client: Any) -> None:
    task = attempt(
        base_digest,
        ["sleep", "30"],
        requests={"cpu": "250m", "mem": "32Mi"},
        limits={"cpu": "500m", "mem": "64Mi"},
    )
    handle = executor.launch(task)
    host = docker_client.containers.get(handle.container.id).attrs["HostConfig"]
    assert host["NanoCpus"] == 500_000_000
    assert host["Memory"] == 64 * 2**20
    assert host["MemoryReservation"] == 32 * 2**20
    executor.cancel(handle)
    outcome = executor.wait(handle)
    assert outcome.phase is Phase.ABORTED
    executor.join_removals()  # removal happens off the attempt's path
    assert gone(docker_client, handle.container.id)


def test_secrets_are_files_never_env_or_argv(
    executor: DockerExecutor, base_digest: str, docker_client: Any
) -> None:
    task = attempt(
        base_digest,
        ["sh", "-c", "cat /etc/secrets/db/password; echo; env; touch /etc/secrets/db/x || echo read-only"],
        secrets=(SecretRef("db", "password"),),
    )
    handle = executor.launch(task)
    inspected = str(docker_client.containers.get(handle.container.id).attrs)
    assert "hunter2-s3cret" not in inspected
    assert executor.wait(handle).phase is Phase.SUCCEEDED
    logs = executor.logs(handle)
    assert logs.count("hunter2-s3cret") == 1  # from the file only; `env` does not show it
    assert "read-only" in logs
    assert handle.secrets_dir is not None and not handle.secrets_dir.exists()


def test_killed_container_is_a_system_failure(
    executor: DockerExecutor, base_digest: str, docker_client: Any
) -> None:
    handle = executor.launch(attempt(base_digest, ["sleep", "60"]))
    killer = threading.Timer(1.0, lambda: docker_client.containers.get(handle.container.id).kill())
    killer.start()
    outcome = executor.wait(handle)
    killer.join()
    assert outcome.phase is Phase.FAILED
    assert outcome.exit_code == 137
    assert outcome.message.startswith("system error: container killed by signal 9")


def test_timeout_kills_the_container(executor: DockerExecutor, base_digest: str, docker_client: Any) -> None:
    handle = executor.launch(attempt(base_digest, ["sleep", "60"], timeout_s=1.5))
    outcome = executor.wait(handle)
    assert outcome.phase is Phase.TIMED_OUT
    assert "timed out after 1.5s" in outcome.message
    executor.join_removals()  # removal happens off the attempt's path
    assert gone(docker_client, handle.container.id)


def test_missing_image_is_a_clear_error(executor: DockerExecutor) -> None:
    image = "localhost:5000/dockyard/no-such-image@sha256:" + "0" * 64
    with pytest.raises(
        ExecutionError, match=r"image localhost:5000/dockyard/no-such-image@sha256:0+: not found"
    ):
        executor.launch(attempt(image, ["true"]))


def test_gpu_request_fails_clearly_without_a_gpu_runtime(
    executor: DockerExecutor, base_digest: str, docker_client: Any
) -> None:
    if "nvidia" in docker_client.info().get("Runtimes", {}):
        pytest.skip("this engine has the nvidia runtime")
    with pytest.raises(
        ExecutionError, match=r"task n0: requests gpu=1 but the Docker engine has no nvidia runtime"
    ):
        executor.launch(attempt(base_digest, ["true"], limits={"gpu": "1"}))
