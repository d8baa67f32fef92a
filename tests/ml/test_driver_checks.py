"""Driver checks before placement: the Docker executor asks the host's nvidia-smi (a stand-in script here:
no GPU on this machine) before pulling the image; the orchestrator takes the floor from the task's spec."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockyard.config import Settings
from dockyard.errors import ExecutionError
from dockyard.imagespec import ImageSpec
from dockyard.imagespec.cuda import min_driver
from dockyard.runtime.docker_executor import DockerExecutor
from dockyard.runtime.executor import TaskAttempt
from dockyard.runtime.orchestrator import _min_driver

MISSING_IMAGE = "localhost:5000/dockyard-test/never-built:0"


@pytest.fixture
def fake_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `nvidia-smi` on PATH that prints the driver versions written to its `drivers` file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    drivers = tmp_path / "drivers"
    script = bin_dir / "nvidia-smi"
    script.write_text(f'#!/bin/sh\n[ "$1" = --query-gpu=driver_version ] || exit 9\ncat {drivers}\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return drivers


def _attempt(min_driver_version: str | None, gpu: str = "1") -> TaskAttempt:
    return TaskAttempt(
        execution_id="e1",
        node_id="n0",
        attempt=0,
        image=MISSING_IMAGE,
        command=["true"],
        limits={"gpu": gpu},
        min_driver_version=min_driver_version,
    )


def test_too_old_driver_is_refused_before_the_pull(fake_nvidia_smi: Path) -> None:
    fake_nvidia_smi.write_text("555.42.02\n535.104.05\n")
    executor = DockerExecutor(Settings(), client=object())  # never reached: the check comes first
    with pytest.raises(ExecutionError, match=r"task n0: NVIDIA driver 535.104.05 is older than 550.54.14"):
        executor.launch(_attempt("550.54.14"))


def test_no_driver_is_refused(fake_nvidia_smi: Path) -> None:
    fake_nvidia_smi.write_text("")
    with pytest.raises(
        ExecutionError, match=r"needs an NVIDIA driver >= 550.54.14 but nvidia-smi found none"
    ):
        DockerExecutor(Settings(), client=object()).launch(_attempt("550.54.14"))


def test_new_enough_driver_goes_on_to_the_image(fake_nvidia_smi: Path, docker_engine: str) -> None:
    fake_nvidia_smi.write_text("560.35.03\n")
    with pytest.raises(ExecutionError, match=rf"image {MISSING_IMAGE}: not found"):
        DockerExecutor(Settings()).launch(_attempt("550.54.14"))


def test_cpu_tasks_and_images_without_cuda_are_not_checked(tmp_path: Path, docker_engine: str) -> None:
    # No nvidia-smi anywhere on PATH: a check would fail with "did not answer".
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", str(tmp_path))
        for attempt in (_attempt("550.54.14", gpu="0"), _attempt(None)):
            executor = DockerExecutor(Settings())
            with pytest.raises(ExecutionError, match="not found locally"):
                executor.launch(attempt)


def test_the_floor_comes_from_the_task_spec(tmp_path: Path) -> None:
    cuda = ImageSpec(cuda="12.6", cuda_strategy="wheels", platform="linux/amd64")
    assert min_driver(cuda) == "560.28.03"
    assert min_driver(ImageSpec(base_image=cuda, packages=["six"])) == "560.28.03"
    assert min_driver(ImageSpec()) is None
    assert _min_driver(cuda) == "560.28.03"
    assert _min_driver("localhost:5000/some/image:tag") is None
