"""The ImageSpec model: validation errors that name the field, immutability, YAML == Python, identity."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from dockyard.errors import DockyardError, SpecError
from dockyard.imagespec import ImageSpec
from dockyard.imagespec.spec import IMAGE_SPEC_ID_ENV


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"packages": ["numpy>>1"]}, "packages"),
        ({"packages": ["--index-url=http://evil"]}, "packages"),
        ({"packages": "numpy"}, "packages"),
        ({"apt_packages": ["curl; rm -rf /"]}, "apt_packages"),
        ({"apt_packages": ["curl", "$(id)"]}, "apt_packages"),
        ({"apt_packages": ["Curl"]}, "apt_packages"),
        ({"registry": "bad registry"}, "registry"),
        ({"registry": "localhost:5000/UPPER_"}, "registry"),
        ({"name": "my image"}, "name"),
        ({"name": "-leading"}, "name"),
        ({"base_image": "debian:bad tag"}, "base_image"),
        ({"base_image": "localhost:5000/x:" + "t" * 200}, "base_image"),
        ({"tag_format": "fixed"}, "tag_format"),
        ({"tag_format": "{spec_hash}/x"}, "tag_format"),
        ({"tag_format": "{other}-{spec_hash}"}, "tag_format"),
        ({"copy": ["/etc/passwd"]}, "copy"),
        ({"copy": ["../outside"]}, "copy"),
        ({"cudnn": "8"}, "cudnn"),
        ({"conda_channels": ["nvidia"]}, "conda_channels"),
        ({"env": {"BAD NAME": "x"}}, "env"),
        ({"env": {"A": "line\nbreak"}}, "env"),
        ({"python_version": "three"}, "python_version"),
        ({"python_version": 3.10}, "python_version: 3.1 is a number; quote the version ('3.10')"),
        ({"cuda": 12.4}, "cuda: 12.4 is a number"),
        ({"platform": "linux"}, "platform"),
        ({"pip_index": "not a url"}, "pip_index"),
        ({"pip_extra_index_url": ["ftp://x"]}, "pip_extra_index_url"),
        ({"pip_secret_mounts": [("secret.txt", "relative/path")]}, "pip_secret_mounts"),
        ({"pip_extra_args": "--opt 'unclosed"}, "pip_extra_args"),
        ({"pip_extra_args": "--opt 'a\nb'"}, "pip_extra_args"),
        ({"commands": [""]}, "commands"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_invalid_fields_raise_one_line_naming_the_field(
    project: Path, fields: dict[str, Any], named: str
) -> None:
    with pytest.raises(SpecError) as caught:
        ImageSpec(**fields)
    message = str(caught.value)
    assert named in message
    assert "\n" not in message
    assert isinstance(caught.value, DockyardError) and isinstance(caught.value, ValueError)


def test_absolute_paths_inside_the_project_mean_the_relative_ones(project: Path) -> None:
    """flytekit specs name files as `str(Path(__file__).parent / "requirements.txt")`: the same spec as
    the relative form (same identity, so the same tag on every machine); outside the project, refused.
    `copy` takes relative paths only, as flytekit's builder does."""
    absolute = ImageSpec(source_root=str(project), requirements=project / "requirements.txt")
    relative = ImageSpec(source_root=".", requirements="requirements.txt")
    assert absolute.declared() == relative.declared()
    assert absolute.identity() == relative.identity()
    absolute.check_files()
    with pytest.raises(SpecError, match=r"^ImageSpec\.requirements: .* is outside the project folder"):
        ImageSpec(requirements=str(project.parent / "requirements.txt"))
    with pytest.raises(SpecError, match=r"^ImageSpec\.copy: .* not an absolute path"):
        ImageSpec(copy=[str(project / "app")])


def test_url_packages_are_named_as_pep_508(project: Path) -> None:
    """pip's `git+URL#egg=name` (which flytekit passes through) is `name @ URL`; a URL naming no project is
    refused with the form to write, since the build holds every package by name; credentials never echo."""
    spec = ImageSpec(
        packages=[
            "git+https://github.com/psf/requests@v2.31.0#egg=requests",
            "git+https://github.com/flyteorg/flytekit.git@master#subdirectory=plugins/flytekit-envd&egg=flytekitplugins-envd",
            "six @ https://files.pythonhosted.org/packages/six-1.16.0-py2.py3-none-any.whl",
        ]
    )
    assert spec.packages == (
        "requests @ git+https://github.com/psf/requests@v2.31.0",
        "flytekitplugins-envd @ git+https://github.com/flyteorg/flytekit.git@master#subdirectory=plugins/flytekit-envd",
        "six @ https://files.pythonhosted.org/packages/six-1.16.0-py2.py3-none-any.whl",
    )
    with pytest.raises(
        SpecError, match=r"^ImageSpec\.packages: .* names no project: write it as 'NAME @ git\+"
    ):
        ImageSpec(packages=["git+https://github.com/psf/requests@v2.31.0"])
    for leaky in ("git+https://me:hunter2@git.example.com/x.git", "x @ https://me:hunter2@example.com/x.whl"):
        with pytest.raises(SpecError, match="has credentials in its URL") as caught:
            ImageSpec(packages=[leaky])
        assert "hunter2" not in str(caught.value)


def test_lock_file_needs_pyproject_beside_it(project: Path) -> None:
    (project / "uv.lock").write_text("version = 1\n")
    with pytest.raises(SpecError, match=r"requirements: uv\.lock needs pyproject\.toml"):
        ImageSpec(requirements="uv.lock").check_files()  # what a build checks first
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    ImageSpec(requirements="uv.lock").check_files()


def test_valid_spec_normalises_like_flytekit(project: Path) -> None:
    spec = ImageSpec(
        name="My-App",
        registry="LOCALHOST:5000/Team",
        packages=["numpy>=1.26", "pandas[parquet]==2.2.2; python_version >= '3.10'"],
        apt_packages=["curl", "git=1:2.39.5-0+deb12u1", "libc6:amd64"],
        base_image="localhost:5000/dockyard/debian:bookworm@sha256:" + "a" * 64,
        platform="linux/amd64,linux/arm64",
        env={"N": 3},
        requirements="requirements.txt",
        copy=["data.txt", "app"],
    )
    assert spec.name == "my-app"
    assert spec.registry == "localhost:5000/team"
    assert spec.env == {"N": "3"}
    assert spec.platforms == ("linux/amd64", "linux/arm64")
    assert isinstance(spec.packages, tuple)


def test_spec_is_immutable_and_hashable(project: Path) -> None:
    spec = ImageSpec(packages=["six"], env={"A": "1"})
    with pytest.raises(Exception, match="frozen"):
        spec.packages = ("numpy",)  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.env["A"] = "2"  # type: ignore[index]
    with pytest.raises(AttributeError):
        spec.packages.append("x")  # type: ignore[union-attr]
    assert {spec: 1}[ImageSpec(packages=["six"], env={"A": "1"})] == 1


def test_with_methods_return_new_specs_and_leave_the_original(project: Path) -> None:
    spec = ImageSpec(packages=["six"], copy=["data.txt"])
    more = spec.with_packages("attrs").with_apt_packages(["curl"]).with_commands("echo hi").with_copy("app")
    assert spec.packages == ("six",) and spec.apt_packages is None and spec.copy == ("data.txt",)
    assert more.packages == ("six", "attrs")
    assert more.apt_packages == ("curl",)
    assert more.commands == ("echo hi",)
    assert more.copy == ("data.txt", "app")
    with pytest.raises(SpecError, match=r"packages: .*bad>>1"):
        spec.with_packages("bad>>1")


def test_with_methods_keep_the_folder_the_spec_was_declared_in(project: Path, tmp_path: Path) -> None:
    spec = ImageSpec(copy=["data.txt"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    import os

    os.chdir(elsewhere)
    derived = spec.with_copy("app")  # app/ exists only in the project folder
    assert derived.path("app") == project / "app"


def test_yaml_gives_the_same_spec_as_python(project: Path) -> None:
    (project / "spec.yaml").write_text(
        """
name: app
packages: [six, attrs]
apt_packages: [curl]
env: {GREETING: "hello world", N: 3}
requirements: requirements.txt
copy: [data.txt]
base_image:
  name: base
  apt_packages: [git]
"""
    )
    from_yaml = ImageSpec.from_yaml(project / "spec.yaml")
    from_python = ImageSpec(
        name="app",
        packages=["six", "attrs"],
        apt_packages=["curl"],
        env={"GREETING": "hello world", "N": "3"},
        requirements="requirements.txt",
        copy=["data.txt"],
        base_image=ImageSpec(name="base", apt_packages=["git"]),
    )
    assert from_yaml == from_python
    assert from_yaml.identity() == from_python.identity()
    assert ImageSpec.from_file(project / "spec.yaml") == from_python


def test_yaml_paths_are_relative_to_the_yaml_file(project: Path, tmp_path: Path) -> None:
    (project / "spec.yaml").write_text("requirements: requirements.txt\n")
    import os

    os.chdir(tmp_path)
    spec = ImageSpec.from_yaml(project / "spec.yaml")
    assert spec.path(spec.requirements or "") == project / "requirements.txt"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("packages: [six]\nsource_rot: .\n", "'source_rot'"),
        ("base_image:\n  name: b\n  pakages: [x]\n", "'base_image.pakages'"),
        ("- a list\n", "mapping"),
        ("packages: [six\n", "invalid YAML"),
    ],
)
def test_yaml_errors_name_the_file_and_key(project: Path, text: str, named: str) -> None:
    (project / "spec.yaml").write_text(text)
    with pytest.raises(SpecError) as caught:
        ImageSpec.from_yaml(project / "spec.yaml")
    assert "spec.yaml" in str(caught.value) and named in str(caught.value)


def test_declaring_a_spec_reads_no_files(project: Path) -> None:
    # as in flytekit, a build looks for them (tests/imagespec/test_hash.py), neither a local run nor a
    # task container (which has no build inputs) does
    spec = ImageSpec(requirements="not-shipped.txt", copy=["missing.txt"], source_root="no-such-dir")
    assert (spec.requirements, spec.copy, spec.source_root) == (
        "not-shipped.txt",
        ("missing.txt",),
        "no-such-dir",
    )


def test_identity_reads_no_files_and_changes_with_declared_fields(project: Path) -> None:
    spec = ImageSpec(copy=["data.txt"])
    before = spec.identity()
    (project / "data.txt").write_text("other content\n")
    assert spec.identity() == before
    assert ImageSpec(copy=["data.txt"], packages=["six"]).identity() != before
    assert len(before) == 64


def test_is_container_only_in_the_image_the_runtime_started(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = ImageSpec(packages=["six"])
    other = ImageSpec(packages=["attrs"])
    assert spec.is_container()  # flytekit: true outside a container run, so guarded imports happen locally
    monkeypatch.setenv("DOCKYARD_EXECUTION_ID", "e1")  # inside a container the orchestrator started
    assert not spec.is_container()
    monkeypatch.setenv(IMAGE_SPEC_ID_ENV, spec.identity())
    assert spec.is_container()
    assert not other.is_container()


def test_from_env_pins_this_interpreter_and_installed_versions(project: Path) -> None:
    from importlib.metadata import version

    spec = ImageSpec.from_env(pinned_packages=["pydantic"], packages=["six"], name="envd")
    assert spec.python_version == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert spec.packages == ("six", f"pydantic=={version('pydantic')}")
    with pytest.raises(SpecError, match="python_version"):
        ImageSpec.from_env(python_version="3.9")
    with pytest.raises(SpecError, match="not-installed-anywhere"):
        ImageSpec.from_env(pinned_packages=["not-installed-anywhere"])


def test_importing_imagespec_loads_no_heavy_client() -> None:
    import subprocess

    code = (
        "import sys, dockyard.imagespec\n"
        "print(sorted(m for m in ('docker', 'boto3', 'kubernetes', 'pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_specs_survive_pickle_and_deepcopy(project: Path) -> None:
    import copy
    import pickle

    spec = ImageSpec(
        env={"A": "1"}, builder_options={"x": "y"}, base_image=ImageSpec(name="b", env={"B": "2"})
    )
    for clone in (pickle.loads(pickle.dumps(spec)), copy.deepcopy(spec)):
        assert clone == spec and clone.identity() == spec.identity()
        with pytest.raises(TypeError):
            clone.env["A"] = "2"  # type: ignore[index]
