"""pyflyte's run flags in real Docker remote runs: `--labels`/`--annotations` become labels of every task
container (read back from the engine), `-p`/`-d` are what the task's `current_context()` sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dockyard.config import Settings
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
