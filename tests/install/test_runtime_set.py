"""The one rule for what a task image installs of dockyard's dependencies, and the settings that extend it."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from dockyard.config import BuildSettings, Settings, StoreSettings, load_settings
from dockyard.image_install import (
    CLIENT_ONLY,
    CONFLICT_MARK,
    client_requirements,
    conflict_line,
    requirement_name,
    runtime_requirements,
)
from dockyard.imagespec import ImageSpec
from dockyard.imagespec.resolve import compute_tag

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
DEPENDENCIES = PYPROJECT["project"]["dependencies"]


def names(requirements: list[str]) -> set[str]:
    return {requirement_name(r) for r in requirements}


def test_the_runtime_set_is_the_dependencies_less_the_clients_own() -> None:
    assert names(DEPENDENCIES) >= CLIENT_ONLY  # the rule names real dependencies
    runtime = runtime_requirements(DEPENDENCIES)
    assert names(runtime) == names(DEPENDENCIES) - CLIENT_ONLY
    assert {"pydantic", "platformdirs"} <= names(runtime)
    assert names(runtime_requirements(DEPENDENCIES, ["s3"])) == names(runtime) | {"boto3"}
    assert names(runtime_requirements(DEPENDENCIES, ["kubernetes"])) == names(runtime) | {"kubernetes"}
    assert names(client_requirements(DEPENDENCIES)) == CLIENT_ONLY
    marked = [
        "pydantic>=2.7",
        "docker>=7; extra == 'build'",
        'uv>=0.5; extra=="build"',
        "tomli; python_version<'3.11'",
    ]
    assert runtime_requirements(marked) == ["pydantic>=2.7", "tomli; python_version<'3.11'"]


def test_an_s3_store_puts_its_client_in_the_images_and_their_tags(tmp_path: Path) -> None:
    s3 = load_settings({"store": {"url": "s3://bucket/x"}}, environ={})
    assert s3.build.runtime_extras == ["s3"]
    assert Settings(store=StoreSettings(url="s3://bucket/x")).build.runtime_extras == ["s3"]
    assert load_settings({"store": {"url": f"file://{tmp_path}"}}, environ={}).build.runtime_extras == []
    spec = ImageSpec(name="extras", base_image="localhost:5000/dockyard/debian:bookworm")
    plain = BuildSettings(work_dir=tmp_path)
    assert compute_tag(spec, plain) != compute_tag(spec, s3.build.model_copy(update={"work_dir": tmp_path}))


def test_a_conflict_is_one_line_naming_both_requirements() -> None:
    uv = (
        "error: No solution found when resolving dependencies\n"
        "  cause: Because you require pydantic>=2.7 and pydantic==1.10.13, we can conclude that your "
        "requirements are unsatisfiable.\n"
    )
    line = conflict_line(uv, ["croniter>=2", "pydantic>=2.7"], ["pydantic==1.10.13", "six==1.17.0"])
    assert line.startswith(CONFLICT_MARK) and "\n" not in line
    assert "requires pydantic>=2.7" in line and "hold pydantic==1.10.13" in line
