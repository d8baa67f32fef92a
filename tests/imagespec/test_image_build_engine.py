"""flytekit's `ImageBuildEngine` (`dockyard.image_spec`): `build(spec)` makes the image exist with dockyard's
build engine, does nothing inside a task run, and hands a spec to a flytekit-style builder registered
under its `builder` name."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from dockyard import task
from dockyard.builders.engine import BuildEngine
from dockyard.config import get_settings
from dockyard.image_spec import ImageBuildEngine, ImageSpec
from dockyard.image_spec.image_spec import ImageSpecBuilder


class RecordingBuilder(ImageSpecBuilder):
    """A user's flytekit-style builder: it builds what the registry lacks."""

    def __init__(self) -> None:
        self.built: list[ImageSpec] = []

    def build_image(self, spec: ImageSpec) -> str:
        self.built.append(spec)
        return f"custom/{spec.name}:latest"


def test_a_registered_builder_builds_its_specs(registry: str, monkeypatch: pytest.MonkeyPatch) -> None:
    builder = RecordingBuilder()
    monkeypatch.setattr(ImageBuildEngine, "_REGISTRY", {})
    ImageBuildEngine.register("recording", builder, priority=7)
    assert ImageBuildEngine.get_registry() == {"recording": (builder, 7)}
    spec = ImageSpec(
        name=f"custom-built-{uuid.uuid4().hex[:8]}", registry="localhost:5000", builder="recording"
    )
    ImageBuildEngine.build(spec)  # the registry lacks it: built
    assert builder.built == [spec]


def test_nothing_is_built_inside_a_task_run(monkeypatch: pytest.MonkeyPatch) -> None:
    builder = RecordingBuilder()
    monkeypatch.setattr(ImageBuildEngine, "_REGISTRY", {"recording": (builder, 5)})
    spec = ImageSpec(name="not-built", builder="recording")

    @task
    def inside() -> None:
        ImageBuildEngine.build(spec)

    inside()
    assert builder.built == []


@pytest.mark.docker
@pytest.mark.slow
def test_build_pushes_the_image_dockyard_build_would(
    base_image: str, registry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKYARD_BUILD_DEFAULT_BASE_IMAGE", base_image)
    monkeypatch.setenv("DOCKYARD_BUILD_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")  # as the builds do
    monkeypatch.chdir(tmp_path)
    spec = ImageSpec(name=f"build-engine-{uuid.uuid4().hex[:8]}", registry=registry, env={"X": "1"})
    assert spec.exist() is False
    result: Any = ImageBuildEngine.build(spec)
    assert result is None  # flytekit's build returns nothing; the image is in the registry
    assert spec.exist() is True
    engine = BuildEngine(get_settings())
    try:  # flytekit's force_push(): the same tag, built and pushed again although the registry holds it
        assert engine.ensure([spec], push=True)[spec].built is False
        forced = spec.force_push()
        assert forced.image_name() == spec.image_name()
        assert engine.ensure([forced], push=True)[forced].built is True
    finally:
        engine.registry.close()


def test_a_force_pushed_spec_is_built_by_a_registered_builder_without_asking() -> None:
    spec = ImageSpec(name="forced", registry="localhost:5000")
    assert RecordingBuilder().should_build(spec.force_push()) is True  # no registry question
    assert not spec.is_force_push  # the original is untouched


def test_with_builder_options_merges(project: Path) -> None:
    spec = ImageSpec(builder_options={"a": "1"})
    assert dict(spec.with_builder_options({"b": 2}).builder_options or {}) == {"a": "1", "b": "2"}
    assert dict(spec.builder_options or {}) == {"a": "1"}


def test_flytekits_default_builder_name_means_the_configured_builder(project: Path) -> None:
    """flytekit examples write `builder="default"` (its own builder's name): dockyard's configured builder
    builds such a spec, with the same tag as one that names no builder."""
    spec = ImageSpec(name="defaulted", builder="default")
    assert spec.builder is None and spec.identity() == ImageSpec(name="defaulted").identity()
    engine = BuildEngine(get_settings())
    try:
        engine._check_builders(spec)  # an unknown builder would raise here, before anything runs
    finally:
        engine.registry.close()
