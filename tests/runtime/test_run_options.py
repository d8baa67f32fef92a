"""pyflyte's run flags in real Docker remote runs: `--labels`/`--annotations` become labels of every task
container (read back from the engine), `-p`/`-d` are what the task's `current_context()` sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dockyard.config import Settings
from dockyard.errors import ConfigError
from dockyard.runtime.blobstore import open_store
from dockyard.runtime.options import RunOptions
from dockyard.runtime.remote import make_executor, run_remote

from .test_remote import load, settings_for, source_copy

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]


@pytest.fixture
def settings(tmp_path: Path, docker_engine: str, registry: str) -> Settings:
    return settings_for(f"file://{tmp_path}/store", tmp_path)


def test_labels_annotations_project_and_domain_reach_the_container(
    settings: Settings, tmp_path: Path
) -> None:
    src = source_copy(tmp_path / "src")
    executor: Any = make_executor(settings, open_store(settings.store.url, settings))
    launch, seen = executor.launch, []

    def recording(attempt: Any) -> Any:
        handle = launch(attempt)
        handle.container.reload()  # the engine's own view of the container (docker inspect)
        seen.append(dict(handle.container.labels))
        return handle

    executor.launch = recording
    options = RunOptions(
        project="churn",
        domain="staging",
        labels={"cost-center": "ml-42"},
        annotations={"owner": "Ada Lovelace", "dockyard.node": "not-mine"},
    )
    result = run_remote(
        load(src, "faults", "whoami"),
        {},
        source_root=src,
        settings=settings,
        executor=executor,
        options=options,
    )
    assert result.outputs == f"churn/staging/{result.execution_id}"
    (labels,) = seen
    assert labels["cost-center"] == "ml-42" and labels["owner"] == "Ada Lovelace"
    assert labels["dockyard.execution"] == result.execution_id
    assert labels["dockyard.node"] == "n0"  # dockyard's own labels win over the run's


RAW_OUTPUTS = """
from dockyard import FlyteFile, task, workflow
from faults import count_lines, runtime_image


@task(container_image=runtime_image)
def write_lines(n: int) -> FlyteFile:
    with open("lines.txt", "w") as handle:
        handle.write("x\\n" * n)
    return FlyteFile("lines.txt")


@workflow
def raw(n: int) -> FlyteFile:
    return write_lines(n=n)


@workflow
def raw_passed(n: int) -> int:
    return count_lines(f=write_lines(n=n))
"""


def test_raw_outputs_go_under_the_prefix(settings: Settings, tmp_path: Path) -> None:
    """A file output lands under `<prefix>/<execution>/<node>/<attempt>`, outside the store's execution
    folder, and a downstream container reads it from there."""
    src = source_copy(tmp_path / "src")
    (src / "raw_outputs.py").write_text(RAW_OUTPUTS)
    prefix = f"file://{tmp_path}/raw-data"
    options = RunOptions(raw_output_prefix=prefix)
    result = run_remote(
        load(src, "raw_outputs", "raw"), {"n": 3}, source_root=src, settings=settings, options=options
    )
    uri = result.outputs.remote_source or result.outputs.path
    assert str(uri).startswith(f"{prefix}/{result.execution_id}/n0-n0/0/"), uri
    assert Path(str(uri).removeprefix("file://")).read_text() == "x\nx\nx\n"
    passed = run_remote(
        load(src, "raw_outputs", "raw_passed"), {"n": 4}, source_root=src, settings=settings, options=options
    )
    assert passed.outputs == 4
    raw = tmp_path / "raw-data" / passed.execution_id
    files = [p.relative_to(raw).parts[:2] for p in raw.rglob("*") if p.is_file()]
    assert files == [("n0-n0", "0")]  # the upstream file, read by the downstream container from there


def test_a_raw_prefix_the_store_cannot_write_is_refused_before_any_build(
    settings: Settings, tmp_path: Path
) -> None:
    src = source_copy(tmp_path / "src")
    options = RunOptions(raw_output_prefix="s3://elsewhere/raw")
    with pytest.raises(
        ConfigError, match=r"--raw-output-data-prefix s3://elsewhere/raw: remote runs need a file://"
    ):
        run_remote(load(src, "faults", "whoami"), {}, source_root=src, settings=settings, options=options)
    assert not (tmp_path / "build").exists()
