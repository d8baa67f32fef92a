"""`dockyard package` against `pyflyte package` (flytekit 1.16.31) on the same 40+ workflows: every
document must match field by field, except the image, the container args and version strings
(tests/flyte/compare.py)."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest

from tests.flyte.compare import differences, read_archive
from tests.flyte.conftest import IMAGE, WORKFLOWS, copy_workflows, dockyard_cli


def _count_workflows() -> int:
    count = 0
    for path in WORKFLOWS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                (isinstance(d, ast.Name) and d.id == "workflow") for d in node.decorator_list
            ):
                count += 1
    return count


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory, pyflyte_archive: Path) -> tuple[dict, dict]:
    ours = copy_workflows(tmp_path_factory.mktemp("dockyard"), "dockyard")
    result = dockyard_cli("package", "fwf", "--image", IMAGE, "-o", "ours.tgz", cwd=ours)
    assert result.returncode == 0, result.stderr
    return read_archive(ours / "ours.tgz"), read_archive(pyflyte_archive)


def test_at_least_40_workflows() -> None:
    assert _count_workflows() >= 40


def test_same_entities(packages: tuple[dict, dict]) -> None:
    ours, theirs = packages
    assert sorted(ours) == sorted(theirs)
    kinds = {k for k, _ in theirs}
    assert kinds == {"1", "2", "3"}


def test_documents_match_field_by_field(packages: tuple[dict, dict]) -> None:
    ours, theirs = packages
    report = []
    for key in sorted(theirs):
        diffs = differences(ours.get(key), theirs[key])
        report.extend(f"{key}: {d}" for d in diffs)
    assert not report, "\n".join(report[:50])


def test_comparison_sees_a_changed_field(packages: tuple[dict, dict]) -> None:
    """The comparison is not blind: one changed retry count in one node is reported."""
    ours, _ = packages
    doc = ours[("2", "fwf.metadata.overrides")]
    changed = copy.deepcopy(doc)
    changed["template"]["nodes"][0]["metadata"]["retries"] = {"retries": 4}
    assert differences(changed, doc) == [".template.nodes[0].metadata.retries.retries: dockyard=4 flytekit=5"]


def test_every_construct_is_covered(packages: tuple[dict, dict]) -> None:
    """The workflows exercise what the issue lists, so a match means each construct maps."""
    text = repr(packages[1])
    for needle in (
        "branchNode",
        "arrayNode",
        "subWorkflowRef",
        "launchplanRef",
        "_F_SS_C",
        "discoveryVersion",
        "cacheSerializable",
        "interruptible",
        "timeout",
        "extendedResources",
        "k8sPod",
        "securityContext",
        "cronSchedule",
        "rate",
        "notifications",
        "fixedInputs",
        "binary",
        "unionType",
        "enumType",
        "structuredDatasetType",
        "MULTIPART",
        "boundInputs",
        "minSuccessRatio",
        "parallelism",
        "error",
    ):
        assert needle in text, needle


def test_serialize_flyteidl_writes_the_same_documents(tmp_path: Path, packages: tuple[dict, dict]) -> None:
    ours = copy_workflows(tmp_path, "dockyard")
    result = dockyard_cli("serialize", "--format", "flyteidl", "-f", "out", "fwf", "--image", IMAGE, cwd=ours)
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (ours / "out").iterdir())
    assert len(files) == len(packages[0])
    assert files[0].startswith("000_") and files[-1].endswith("_3.pb")


def test_package_of_nothing_is_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_text("x = 1\n")
    result = dockyard_cli("package", "empty.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error:") and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "flyte-package.tgz").exists()


def test_a_module_that_fails_to_import_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("from dockyard import task\nraise RuntimeError('boom')\n")
    result = dockyard_cli("package", "broken.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: broken: cannot import: RuntimeError: boom"
