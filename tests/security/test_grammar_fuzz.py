"""Arbitrary text in every field that reaches a Dockerfile, a shell or an argv (hypothesis).

Each value either is refused with one clean line naming the field (`ImageSpec.<field>...`), or renders a
Dockerfile with the same instructions as a harmless value would, the value sitting only where it belongs:
one word of the apt or conda command, the FROM line, one ENV entry, one exec-form RUN, the image reference
that becomes `--tag`.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockyard.config import BuildSettings
from dockyard.errors import SpecError
from dockyard.imagespec import ImageSpec, grammar, resolve
from dockyard.imagespec.render import RenderOptions, env_quote, render
from dockyard.imagespec.resolve import image_reference
from dockyard.imagespec.runtime_install import RuntimeInstall

RUNTIME = RuntimeInstall(version="1.0.0", source_sha256=None)
BASE = "localhost:5000/dockyard/debian:bookworm"
NASTY = "\n\r\0\t\x0b\x1b $`'\"\\;|&<>(){}[]#~*?!%=,:/@.-_+"
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(NASTY + "abcXYZ019"), max_size=40),
    st.builds(
        lambda a, b: a + b, st.sampled_from(["curl", "six", "linux/amd64", "A", "app", BASE]), st.text(NASTY)
    ),
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("x = 1\n")
    old = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)


@pytest.fixture
def build_settings(tmp_path: Path) -> BuildSettings:
    return BuildSettings(registry="localhost:5000", default_base_image=BASE, work_dir=tmp_path / "work")


def logical_lines(dockerfile: str) -> list[str]:
    """Dockerfile instructions, continuation lines joined."""
    lines, current = [], ""
    for raw in dockerfile.split("\n"):  # BuildKit splits on newlines only
        current += raw.rstrip("\\") + " " if raw.endswith("\\") else raw
        if not raw.endswith("\\"):
            if current.strip():
                lines.append(current)
            current = ""
    return lines


def keywords(dockerfile: str) -> list[str]:
    return [line.split()[0] for line in logical_lines(dockerfile)]


def attempt(field: str, value: Any, build: BuildSettings, **more: Any) -> str | None:
    """The Dockerfile for a spec with `field=value`, or None when it is refused the right way."""
    try:
        spec = ImageSpec(**{"platform": "linux/amd64", "base_image": BASE, field: value, **more})
    except SpecError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message
        assert message.startswith((f"ImageSpec.{field}", f"ImageSpec: {field}")), message
        return None
    return render(resolve(spec, build, runtime=RUNTIME), RenderOptions())


def check(field: str, value: Any, harmless: Any, build: BuildSettings, where: Callable[[str], None]) -> None:
    text = attempt(field, value, build)
    if text is not None:
        baseline = attempt(field, harmless, build)
        assert baseline is not None
        assert keywords(text) == keywords(baseline)
        where(text)


def run_words(text: str, marker: str) -> list[str]:
    """The shell words of the RUN instruction containing `marker`."""
    (line,) = [line for line in logical_lines(text) if line.startswith("RUN ") and marker in line]
    return shlex.split(line.removeprefix("RUN "))


def last_word(words: list[str]) -> str:
    """A step's last word of its own, before the `&& { … }` that dates the layer's files (_macros.j2)."""
    end = len(words) - 1 - words[::-1].index("&&")
    return words[end - 1]


@FUZZ
@given(value=TEXT)
def test_apt_packages(project: Path, build_settings: BuildSettings, value: str) -> None:
    check(
        "apt_packages",
        [value],
        ["curl"],
        build_settings,
        lambda text: last_word(run_words(text, "apt-get install")) == value or pytest.fail(text),
    )


@FUZZ
@given(value=TEXT)
def test_conda_packages(project: Path, build_settings: BuildSettings, value: str) -> None:
    def where(text: str) -> None:
        assert last_word(run_words(text, "micromamba create")) == value

    text = attempt("conda_packages", [value], build_settings, python_version="3.11")
    if text is not None:
        where(text)


@FUZZ
@given(value=TEXT)
def test_packages(project: Path, build_settings: BuildSettings, value: str) -> None:
    # packages go to a generated requirements file, one per line: never a newline inside one.
    text = attempt("packages", [value], build_settings)
    if text is not None:
        assert not any(c in value for c in "\n\r\0") and not value.strip().startswith("-")


@FUZZ
@given(key=TEXT, value=TEXT)
def test_env(project: Path, build_settings: BuildSettings, key: str, value: str) -> None:
    def where(text: str) -> None:
        (env_line,) = [line for line in logical_lines(text) if line.startswith("ENV PYTHONPATH")]
        assert env_line.endswith(f" {key}={env_quote(value)}")

    check("env", {key: value}, {"A": "1"}, build_settings, where)


@FUZZ
@given(value=TEXT)
def test_commands(project: Path, build_settings: BuildSettings, value: str) -> None:
    def where(text: str) -> None:
        marker = '["/bin/sh", "-c", '  # the commands' exec-form argv, after the step's mounts
        runs = [line for line in logical_lines(text) if line.startswith("RUN ") and marker in line]
        # the command is the last argument, after the wrapper that settles the layer's times
        assert [json.loads(line[line.index(marker) :])[3:] for line in runs] == [["dockyard-commands", value]]

    check("commands", [value], ["true"], build_settings, where)


@FUZZ
@given(value=TEXT)
def test_entrypoint(project: Path, build_settings: BuildSettings, value: str) -> None:
    def where(text: str) -> None:
        assert logical_lines(text)[-1] == f"ENTRYPOINT {json.dumps([value])}"

    check("entrypoint", [value], ["python"], build_settings, where)


@FUZZ
@given(value=TEXT)
def test_base_image(project: Path, build_settings: BuildSettings, value: str) -> None:
    text = attempt("base_image", value, build_settings)
    if text is not None:
        assert logical_lines(text)[0] == f"FROM {value}"


@FUZZ
@given(value=TEXT)
def test_pip_extra_args(project: Path, build_settings: BuildSettings, value: str) -> None:
    text = attempt("pip_extra_args", value, build_settings, packages=["six"])
    if text is not None:
        words = run_words(text, "--requirement /tmp/dockyard-gen/packages.txt")
        args = shlex.split(value)
        assert words[words.index("--python") + 2 : words.index("--python") + 2 + len(args)] == args


@FUZZ
@given(value=TEXT)
def test_index_urls(project: Path, build_settings: BuildSettings, value: str) -> None:
    text = attempt("pip_index", value, build_settings)
    if text is not None:
        words = run_words(text, "uv pip install")
        assert words[words.index("--index-url") + 1] == value


@FUZZ
@given(name=TEXT, registry=TEXT, tag_format=TEXT, platform=TEXT)
def test_image_reference_fields(
    project: Path, build_settings: BuildSettings, name: str, registry: str, tag_format: str, platform: str
) -> None:
    """name, registry and tag_format make the `--tag` argument; platform the `--platform` one."""
    fields = {
        "name": name,
        "registry": registry,
        "tag_format": tag_format + "{spec_hash}",
        "platform": platform,
    }
    try:
        spec = ImageSpec(**fields)
    except SpecError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith("ImageSpec."), message
        assert message.split(":")[0].removeprefix("ImageSpec.") in fields
        return
    reference = image_reference(spec, build_settings)
    assert grammar.REFERENCE_RE.fullmatch(reference) and not any(c.isspace() for c in reference)
    assert all(grammar.PLATFORM_RE.fullmatch(p) for p in spec.platforms)


@FUZZ
@given(value=TEXT, field=st.sampled_from(["copy", "source_root", "requirements", "pip_lock"]))
def test_paths(project: Path, build_settings: BuildSettings, value: str, field: str) -> None:
    try:
        spec = ImageSpec(**{field: [value] if field == "copy" else value})
    except SpecError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith((f"ImageSpec.{field}", f"ImageSpec: {field}")), (
            message
        )
        return
    # Accepted: an existing path inside the project, with nothing a shell or `~` expansion would change.
    assert (
        not any(c in value for c in "~$\\\n\r\0")
        and not value.startswith("/")
        and ".." not in value.split("/")
    )
    assert spec.path(value).resolve().is_relative_to(project.resolve())


OTHER_FIELDS: dict[str, tuple[Callable[[str], Any], dict[str, Any], str]] = {
    # field: (how the text becomes the value, fields it needs, the harmless text)
    "conda_channels": (lambda v: [v], {"python_version": "3.11", "conda_packages": ["numpy"]}, "conda-forge"),
    "pip_extra_index_url": (lambda v: [v], {"packages": ["six"]}, "https://pypi.example/simple"),
    "python_version": (lambda v: v, {}, "3.11"),
    "builder_options": (lambda v: {"network": v}, {}, "host"),
    "pip_secret_mounts": (lambda v: [("secret.txt", v)], {"packages": ["six"]}, "/root/.netrc"),
}


@FUZZ
@given(value=TEXT, field=st.sampled_from(sorted(OTHER_FIELDS)))
def test_every_other_field(project: Path, build_settings: BuildSettings, value: str, field: str) -> None:
    """The remaining fields: a clean one-line error, or the instructions of a harmless value."""
    (project / "secret.txt").write_text("s3cret")
    wrap, needs, harmless = OTHER_FIELDS[field]
    text = attempt(field, wrap(value), build_settings, **needs)
    if text is not None:
        baseline = attempt(field, wrap(harmless), build_settings, **needs)
        assert baseline is not None and keywords(text) == keywords(baseline)
        assert "s3cret" not in text
