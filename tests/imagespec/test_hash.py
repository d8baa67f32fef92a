"""Resolve and hash: golden values, stability across processes, and exactly which inputs move the tag."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dockyard.config import BuildSettings
from dockyard.errors import SpecError
from dockyard.imagespec import ImageSpec, compute_tag, image_reference, resolve
from dockyard.imagespec.resolve import TAG_LENGTH, tag_for
from dockyard.imagespec.runtime_install import RuntimeInstall
from tests.imagespec.conftest import GOLDEN, pinned

resolve_module = importlib.import_module("dockyard.imagespec.resolve")  # the package exports resolve()

# Golden values. They change only when the canonical form changes: then bump SCHEMA_VERSION.
GOLDEN_HASH = "1e62cda6860e50a8103efc68feb0c197e2c5b9b2b9434c88b37e272d2155df89"


def golden_spec() -> ImageSpec:
    return ImageSpec(
        name="golden",
        packages=["six==1.17.0", "attrs"],
        apt_packages=["curl", "ca-certificates"],
        env={"B": "2", "A": 'a b "q" $HOME'},
        commands=["echo one", "echo two"],
        requirements="requirements.txt",
        source_root="app",
        copy=["data.txt"],
        platform="linux/amd64",
        base_image="localhost:5000/dockyard/debian:bookworm",
        pip_extra_args="--no-build-isolation",
    )


def spec_hash(spec: ImageSpec, settings: BuildSettings, **kwargs: Any) -> str:
    return pinned(resolve(spec, settings, **kwargs)).spec_hash()


def test_golden_hash_and_canonical_form(project: Path, settings: BuildSettings) -> None:
    resolved = pinned(resolve(golden_spec(), settings))
    if os.environ.get("UPDATE_GOLDEN"):
        (GOLDEN / "golden.inputs.json").write_text(resolved.canonical_json() + "\n")
    expected = (GOLDEN / "golden.inputs.json").read_text().strip()
    assert resolved.canonical_json() == expected
    assert resolved.spec_hash() == GOLDEN_HASH
    data = json.loads(expected)
    assert data["schema_version"] == 1
    assert data["packages"] == ["attrs", "six==1.17.0"]  # sorted
    assert list(data["env"]) == ["A", "B"]
    assert set(data["files"]) == {
        "/root/main.py",
        "/root/util.py",
        "copy/data.txt",  # a `copy` entry: in place before the commands
        "deps/requirements.txt",
        "deps/common.txt",
    }


def test_same_hash_in_another_process(project: Path, settings: BuildSettings) -> None:
    code = (
        "from tests.imagespec.test_hash import golden_spec, spec_hash\n"
        "from dockyard.config import BuildSettings\n"
        f"print(spec_hash(golden_spec(), BuildSettings(work_dir={str(settings.work_dir)!r})))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2]), "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == spec_hash(golden_spec(), settings) == GOLDEN_HASH


def test_tag_is_a_documented_prefix_and_honours_tag_format(project: Path, settings: BuildSettings) -> None:
    digest = "ab" * 32
    assert tag_for(digest, None) == digest[:TAG_LENGTH]
    assert tag_for(digest, "{spec_hash}-dev") == digest[:TAG_LENGTH] + "-dev"
    spec = ImageSpec(name="fmt", tag_format="py311-{spec_hash}", platform="linux/amd64")
    reference = image_reference(spec, settings)
    assert reference.startswith("localhost:5000/fmt:py311-")
    assert len(reference.rsplit("-", 1)[1]) == TAG_LENGTH
    assert compute_tag(spec, settings) == reference.rsplit(":", 1)[1]


def _changes(project: Path) -> dict[str, Any]:
    """Each hashed input, changed once, as (field overrides) or a callable that edits the project."""
    return {
        "packages": {"packages": ["six==1.17.0", "attrs", "numpy"]},
        "package version": {"packages": ["six==1.16.0", "attrs"]},
        "apt": {"apt_packages": ["curl"]},
        "env value": {"env": {"B": "2", "A": "other"}},
        "env added": {"env": {"B": "2", "A": 'a b "q" $HOME', "C": "3"}},
        "commands order": {"commands": ["echo two", "echo one"]},
        "python_version": {"python_version": "3.11"},
        "platform": {"platform": "linux/arm64"},
        "base image": {"base_image": "localhost:5000/dockyard/debian:trixie"},
        "pip_index": {"pip_index": "https://mirror.example/simple"},
        "extra index": {"pip_extra_index_url": ["https://extra.example/simple"]},
        "pip_extra_args": {"pip_extra_args": "--prerelease=allow"},
        "entrypoint": {"entrypoint": ["python"]},
        "empty entrypoint": {"entrypoint": []},
        "copy another file": {"copy": ["data.txt", "common.txt"]},
        "source content": lambda: (project / "app" / "util.py").write_text("VALUE = 2\n"),
        "source file added": lambda: (project / "app" / "new.py").write_text(""),
        "executable bit": lambda: (project / "app" / "main.py").chmod(0o755),
        "copied file content": lambda: (project / "data.txt").write_text("changed\n"),
        "requirements content": lambda: (project / "requirements.txt").write_text(
            "six==1.17.0\n-r common.txt\n#\n"
        ),
        "-r include content": lambda: (project / "common.txt").write_text("attrs==23.1.0\n"),
    }


@pytest.mark.parametrize("change", list(_changes(Path())))
def test_every_hashed_input_changes_the_hash(project: Path, settings: BuildSettings, change: str) -> None:
    before = spec_hash(golden_spec(), settings)
    what = _changes(project)[change]
    if callable(what):
        what()
        spec = golden_spec()
    else:
        spec = ImageSpec(**{**golden_spec()._fields_as_given(), **what})
    assert spec_hash(spec, settings) != before


@pytest.mark.parametrize(
    "change",
    [
        {"builder": "kubernetes"},
        {"builder_options": {"cpu": "4"}},
        {"pip_secret_mounts": [("data.txt", "/root/.netrc")]},
        {"name": "another-name"},
        {"registry": "localhost:5001"},
        {"tag_format": "{spec_hash}-x"},
        {"packages": ["attrs", "six==1.17.0", "attrs"]},  # order and duplicates
        {"env": {"A": 'a b "q" $HOME', "B": "2"}},  # insertion order
    ],
)
def test_unhashed_inputs_leave_the_hash(
    project: Path, settings: BuildSettings, change: dict[str, Any]
) -> None:
    spec = ImageSpec(**{**golden_spec()._fields_as_given(), **change})
    assert spec_hash(spec, settings) == spec_hash(golden_spec(), settings)


def test_settings_that_only_concern_the_build_leave_the_hash(project: Path, settings: BuildSettings) -> None:
    other = settings.model_copy(
        update={"ca_bundle": Path("/etc/ssl/certs/ca-certificates.crt"), "builder": "x"}
    )
    assert spec_hash(golden_spec(), other) == spec_hash(golden_spec(), settings)


def test_index_credentials_are_not_hashed(project: Path, settings: BuildSettings) -> None:
    """The redacted URL plus a keyed digest of the user is hashed: a rotated password keeps the tag,
    another host or user moves it, and neither the password nor the user name is in the inputs."""

    def index(url: str) -> ImageSpec:
        return ImageSpec(pip_index=url, platform="linux/amd64")

    one = index("https://alice:one@pypi.example/simple")
    assert spec_hash(one, settings) == spec_hash(index("https://alice:two@pypi.example/simple"), settings)
    assert spec_hash(one, settings) != spec_hash(index("https://alice:one@other.example/simple"), settings)
    assert spec_hash(one, settings) != spec_hash(index("https://bob:one@pypi.example/simple"), settings)
    # A lone token (`token@host`) is a password: rotating it keeps the tag too.
    token = index("https://tok-1@pypi.example/simple")
    assert spec_hash(token, settings) == spec_hash(index("https://tok-2@pypi.example/simple"), settings)
    text = resolve(one, settings).canonical_json()
    assert "alice" not in text and "one@" not in text and "redacted-" in text


def test_moving_a_file_to_another_destination_changes_the_hash(
    project: Path, settings: BuildSettings
) -> None:
    (project / "a").mkdir()
    (project / "b").mkdir()
    (project / "a" / "x.txt").write_text("same\n")
    (project / "b" / "x.txt").write_text("same\n")
    assert spec_hash(ImageSpec(copy=["a/x.txt"]), settings) != spec_hash(
        ImageSpec(copy=["b/x.txt"]), settings
    )
    assert spec_hash(ImageSpec(copy=["a"]), settings) != spec_hash(ImageSpec(copy=["b"]), settings)
    # No separator ambiguity: "ab/c" and "a/bc" are different destinations.
    (project / "ab").mkdir()
    (project / "ab" / "c").write_text("z")
    (project / "a" / "bc").write_text("z")
    assert spec_hash(ImageSpec(copy=["ab/c"]), settings) != spec_hash(ImageSpec(copy=["a/bc"]), settings)


def test_ignored_files_are_neither_hashed_nor_sent(project: Path, settings: BuildSettings) -> None:
    (project / ".gitignore").write_text("*.log\nbuild/\n")
    (project / ".dockerignore").write_text("data.txt\nsecrets\n")
    (project / "debug.log").write_text("noise")
    (project / "build").mkdir()
    (project / "build" / "out.bin").write_text("noise")
    (project / "secrets").write_text("k")
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref")
    (project / "app" / "__pycache__").mkdir()
    (project / "app" / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"\0")
    spec = ImageSpec(source_root=".")
    keys = set(resolve(spec, settings).files)
    assert "/root/app/main.py" in keys and "/root/requirements.txt" in keys
    assert not {k for k in keys if k.endswith((".log", ".pyc", "out.bin", "HEAD", "secrets", "data.txt"))}
    before = spec_hash(spec, settings)
    (project / "debug.log").write_text("more noise")
    assert spec_hash(spec, settings) == before
    # .dockerignore patterns are anchored at the root (Docker's rule): app/data.txt is kept.
    (project / "app" / "data.txt").write_text("kept")
    assert "/root/app/data.txt" in resolve(spec, settings).files


def test_the_written_out_default_rules_are_gitignore_s_reading() -> None:
    """A tree without ignore files is walked without pathspec: its written-out rules decide as pathspec
    does on every kind of path (a folder ends in "/")."""
    import pathspec

    from dockyard.imagespec import files

    reference = pathspec.GitIgnoreSpec.from_lines(files._ALWAYS_IGNORED).match_file
    names = [
        ".git",
        "__pycache__",
        "x.pyc",
        ".pyc",
        "a.pyo",
        "pyc",
        "x.pyc.txt",
        ".gitx",
        "git",
        "m.py",
        "__pycache__x",
    ]
    paths = [*names, *(f"{n}/" for n in names)]
    paths += [f"{a}/{b}" for a in [*names, "pkg"] for b in paths]
    assert files._matcher(list(files._ALWAYS_IGNORED)) is files._never
    assert [p for p in paths if files._never(p) != reference(p)] == []
    assert files._never("pkg/.git/") and not files._never("pkg/.git")  # a `.git` file (a worktree's) is kept


def test_lock_file_and_its_pyproject_are_hashed(project: Path, settings: BuildSettings) -> None:
    (project / "uv.lock").write_text("version = 1\n")
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\nversion = '0'\n")
    spec = ImageSpec(requirements="uv.lock", platform="linux/amd64")
    resolved = resolve(spec, settings)
    assert resolved.requirements is not None and resolved.requirements.kind == "uv"
    assert set(resolved.files) == {"deps/uv.lock", "deps/pyproject.toml"}
    before = spec_hash(spec, settings)
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\nversion = '1'\n")
    assert spec_hash(spec, settings) != before


def test_requirements_with_local_paths_are_rejected(project: Path, settings: BuildSettings) -> None:
    from dockyard.errors import SpecError

    (project / "requirements.txt").write_text("-e ./app\n")
    with pytest.raises(SpecError, match=r"requirements: .*requirements.txt:1"):
        resolve(ImageSpec(requirements="requirements.txt"), settings)


def test_base_digest_from_the_registry_is_hashed(project: Path, settings: BuildSettings) -> None:
    spec = ImageSpec(platform="linux/amd64")
    digests = {"localhost:5000/dockyard/debian:bookworm": "sha256:" + "1" * 64}
    pinned_one = resolve(spec, settings, lookup_digest=digests.get)
    assert pinned_one.base_image.pinned == "localhost:5000/dockyard/debian:bookworm@sha256:" + "1" * 64
    digests["localhost:5000/dockyard/debian:bookworm"] = "sha256:" + "2" * 64
    assert spec_hash(spec, settings, lookup_digest=digests.get) != pinned(pinned_one).spec_hash()


def test_nested_base_spec_cascades_into_the_child(project: Path, settings: BuildSettings) -> None:
    asked: list[str] = []

    def lookup(ref: str) -> str | None:
        asked.append(ref)
        return None

    base = ImageSpec(name="base", apt_packages=["git"], platform="linux/amd64")
    child = ImageSpec(name="child", base_image=base, packages=["six"], platform="linux/amd64")
    resolved = resolve(child, settings, lookup_digest=lookup)
    assert resolved.base_image.reference == image_reference(base, settings)
    assert resolved.base_image.reference not in asked  # a content-addressed base is never looked up
    changed = ImageSpec(name="child", base_image=base.with_apt_packages("curl"), packages=["six"])
    assert spec_hash(changed, settings) != spec_hash(child, settings)


def test_tool_versions_are_read_and_hashed(
    project: Path, settings: BuildSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = ImageSpec(platform="linux/amd64")
    first = resolve(spec, settings)
    assert first.tools.template == (resolve_module.TEMPLATE_DIR / "VERSION").read_text().strip()
    monkeypatch.setattr(resolve_module, "template_version", lambda: "999")
    assert resolve(spec, settings).spec_hash() != first.spec_hash()
    monkeypatch.undo()
    monkeypatch.setattr(resolve_module, "uv_version", lambda: "0.0.1")
    assert resolve(spec, settings).tools.uv == "0.0.1"
    assert resolve(spec, settings).spec_hash() != first.spec_hash()
    monkeypatch.undo()
    release = RuntimeInstall(version="9.9.9", source_sha256=None)
    assert resolve(spec, settings, runtime=release).spec_hash() != first.spec_hash()
    other_sources = RuntimeInstall(version=first.tools.dockyard.version, source_sha256="0" * 64)
    assert resolve(spec, settings, runtime=other_sources).spec_hash() != first.spec_hash()


def test_versions_read_from_metadata_headers_are_the_full_parser_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tag's tool versions come from METADATA's headers alone; a description below them is not read."""
    from importlib.metadata import version

    from dockyard.version import installed_version

    for name in ("dockyard", "uv", "pydantic"):
        assert installed_version(name) == version(name), name
    info = tmp_path / "fakedist-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.4\nName: fakedist\nversion: 1.0\n\nVersion: 6.6\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert installed_version("fakedist") == version("fakedist") == "1.0"


def test_hash_does_not_depend_on_where_the_project_lives(
    project: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    import shutil

    elsewhere = tmp_path / "somewhere" / "else"
    shutil.copytree(project, elsewhere)
    here = spec_hash(golden_spec(), settings)
    os.chdir(elsewhere)
    assert spec_hash(golden_spec(), settings) == here


def test_symlinks_inside_are_copied_as_content_outside_refused_and_loops_an_error(
    project: Path, settings: BuildSettings
) -> None:
    import hashlib

    from dockyard.errors import SpecError

    (project / "app" / "linked.txt").symlink_to(project / "app" / "main.py")
    linked = resolve(ImageSpec(source_root="app"), settings).files["/root/linked.txt"]
    assert linked.sha256 == hashlib.sha256((project / "app" / "main.py").read_bytes()).hexdigest()
    # data.txt is in the spec's folder but outside source_root, the project root of the walk.
    (project / "app" / "escape.txt").symlink_to(project / "data.txt")
    with pytest.raises(SpecError, match=r"^source_root: .*escape.txt is a symlink to .*data.txt, outside"):
        resolve(ImageSpec(source_root="app"), settings)
    (project / "app" / "escape.txt").unlink()
    (project / "app" / "loop").symlink_to(project / "app")
    with pytest.raises(SpecError, match="loops back"):
        resolve(ImageSpec(source_root="app"), settings)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("copy", ["assets/missing.bin"]),
        ("requirements", "missing-requirements.txt"),
        ("source_root", "missing-folder"),
    ],
)
def test_missing_files_are_refused_at_build_not_at_declaration(
    project: Path, settings: BuildSettings, field: str, value: Any
) -> None:
    # flytekit accepts the spec and looks for its files when it builds; a local run never needs them
    spec = ImageSpec(registry="localhost:5000", **{field: value})
    with pytest.raises(SpecError, match=rf"^ImageSpec: {field}: .*missing"):
        resolve(spec, settings)


def test_a_nested_base_is_named_by_the_tag_its_own_build_gets(tmp_path: Path) -> None:
    """A child's `base_image` ImageSpec is resolved with the child's runtime, as the base's own build is: a
    runtime other than the installed client's default (a rebuilt wheel, extras) must not leave the child
    naming a tag nobody builds."""
    from dockyard.imagespec.resolve import repository, tag_for
    from dockyard.imagespec.runtime_install import RuntimeInstall

    settings = BuildSettings(work_dir=tmp_path / "work")
    debian = "localhost:5000/dockyard/debian:bookworm"
    base = ImageSpec(name="team-base", packages=["attrs"], base_image=debian)
    child = ImageSpec(name="trainer", base_image=base, packages=["cattrs"])
    runtime = RuntimeInstall(version="9.9.9", source_sha256="ab" * 32, extras=("s3",))
    built = resolve(base, settings, runtime=runtime)
    expected = f"{repository(base, settings)}:{tag_for(built.spec_hash(), None)}"
    assert resolve(child, settings, runtime=runtime).base_image.reference == expected
    assert resolve(child, settings).base_image.reference != expected  # the runtime is part of the base's tag
