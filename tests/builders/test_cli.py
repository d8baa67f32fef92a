"""`dockyard build` / `dockyard exists` as a user runs them: exit codes, one-line errors, Ctrl-C."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from .conftest import CA_BUNDLE, SESSION

DOCKYARD = str(Path(sys.executable).parent / "dockyard")


def dockyard(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DOCKYARD_BUILD_WORK_DIR": str(cwd / "work"), **(env or {})}
    if CA_BUNDLE.is_file():
        full_env.setdefault("DOCKYARD_BUILD_CA_BUNDLE", str(CA_BUNDLE))
    return subprocess.run(
        [DOCKYARD, *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=600, check=False
    )


PROGRESS_LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The error line, besides the timestamped progress lines a piped build prints (--progress auto)."""
    lines = [line for line in proc.stderr.splitlines() if line.strip() and not PROGRESS_LINE.match(line)]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: "), proc.stderr
    return lines[0]


def write_spec(folder: Path, text: str) -> Path:
    path = folder / "spec.yaml"
    path.write_text(text)
    return path


# --- bad input: rejected before anything runs -----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("name: app\npackages: ['numpy>=>1']\n", "packages"),
        ("name: app\napt_packages: ['curl; rm -rf /']\n", "apt_packages"),
        ("name: app\npackagez: [numpy]\n", "packagez"),
        ("name: app\nrequirements: missing-requirements.txt\n", "missing-requirements.txt"),
    ],
    ids=["invalid-package", "shell-metacharacters", "unknown-key", "missing-requirements"],
)
def test_bad_spec_is_one_line_and_exit_2(tmp_path: Path, text: str, needle: str) -> None:
    spec = write_spec(tmp_path, text)
    proc = dockyard("build", str(spec), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert needle in one_error_line(proc)


def test_unknown_builder_lists_the_available_ones(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "name: app\n")
    proc = dockyard("build", str(spec), "--backend", "nope", cwd=tmp_path)
    assert proc.returncode == 2
    assert "available: docker" in one_error_line(proc)


def test_unsupported_field_fails_before_anything_runs(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "name: app\nbuilder_options: {network: none}\nregistry: 127.0.0.1:1\n")
    # An s3:// store, so the Kubernetes preflight (pods cannot reach a folder) passes and the field is judged.
    store = {"DOCKYARD_STORE_URL": "s3://dockyard-unsupported-field/store"}
    proc = dockyard("build", str(spec), "--backend", "kubernetes", cwd=tmp_path, env=store)
    assert proc.returncode == 2, proc.stderr
    assert "the kubernetes builder does not support builder_options" in one_error_line(proc)


# --- registries that give no answer ------------------------------------------------------------------------
def test_unreachable_registry_exit_4(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = write_spec(tmp_path, f"name: app\nregistry: 127.0.0.1:{port}\n")
    for command in ("build", "exists"):
        proc = dockyard(command, str(spec), cwd=tmp_path)
        assert proc.returncode == 4, proc.stderr
        assert f"127.0.0.1:{port}: registry unreachable" in one_error_line(proc)


@pytest.mark.registry
def test_auth_failure_exit_4(tmp_path: Path, auth_registry: object) -> None:
    spec = write_spec(tmp_path, "name: app\nregistry: localhost:5001\n")
    proc = dockyard("build", str(spec), cwd=tmp_path)
    assert proc.returncode == 4, proc.stderr
    assert "localhost:5001: authentication required and no credentials found" in one_error_line(proc)
    config = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    config.write_text(
        json.dumps({"auths": {"localhost:5001": {"auth": base64.b64encode(b"dockyard:bad").decode()}}})
    )
    proc = dockyard("exists", str(spec), cwd=tmp_path)
    assert proc.returncode == 4, proc.stderr
    assert "localhost:5001: credentials rejected" in one_error_line(proc)


@pytest.mark.registry
def test_allow_unknown_existence_opts_in_to_building(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = write_spec(tmp_path, f"name: app\nregistry: 127.0.0.1:{port}\n")
    proc = dockyard(
        "build", str(spec), "--dry-run", cwd=tmp_path, env={"DOCKYARD_BUILD_ALLOW_UNKNOWN_EXISTENCE": "true"}
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-1] == "unknown"


# --- builds that fail ----------------------------------------------------------------------------------
@pytest.mark.docker
@pytest.mark.registry
def test_missing_base_image_exit_3(tmp_path: Path, base_image: str) -> None:
    missing = f"localhost:5000/no-such-base-{uuid.uuid4().hex[:8]}:1"
    spec = write_spec(tmp_path, f"name: dockyard-test/nobase-{SESSION}\nbase_image: {missing}\n")
    proc = dockyard("build", str(spec), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert f"base image {missing} cannot be pulled" in one_error_line(proc)


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_a_python_version_the_base_lacks_says_how_to_get_it(tmp_path: Path, base_image: str) -> None:
    """flytekit's builder installs any python_version; dockyard uses the base's unless told otherwise, and
    the build error says so (the default base has Python 3.11)."""
    spec = write_spec(tmp_path, f'name: dockyard-test/py39-{SESSION}\npython_version: "3.9"\n')
    proc = dockyard("build", str(spec), "--no-push", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    first = next(line for line in proc.stderr.splitlines() if line.startswith("error: "))
    assert "set python_provider to 'uv' to install it, or a base_image that has it" in first


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_failing_run_step_names_the_step_and_its_log(tmp_path: Path, base_image: str) -> None:
    spec = write_spec(
        tmp_path,
        f"name: dockyard-test/fails-{SESSION}\n"
        f"commands: ['echo boom-{SESSION} && echo last-line && exit 7']\n",
    )
    proc = dockyard("build", str(spec), "--progress", "plain", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    progress = [line for line in proc.stderr.splitlines() if PROGRESS_LINE.match(line)]
    first, *tail = [line for line in proc.stderr.strip().splitlines() if not PROGRESS_LINE.match(line)]
    assert first.startswith("error: ") and "build failed at step `" in first
    assert f"echo boom-{SESSION}" in first and "exit code: 7" in first
    assert [line.strip() for line in tail][-2:] == [f"| boom-{SESSION}", "| last-line"]
    assert any(f"step: running echo boom-{SESSION}" in line for line in progress), proc.stderr
    assert " failed: " in progress[-1]
    kept = list(tmp_path.rglob("logs/*.log"))  # build.work_dir/logs/<tag>.log, as docs/builders.md says
    assert len(kept) == 1 and "last-line" in kept[0].read_text()
    exists = dockyard("exists", str(spec), cwd=tmp_path)
    assert exists.returncode == 1  # nothing was pushed


# --- success, dry run, json ----------------------------------------------------------------------------
@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_build_json_then_exists_then_dry_run(tmp_path: Path, base_image: str) -> None:
    spec = write_spec(tmp_path, f"name: dockyard-test/cli-{SESSION}\ncommands: ['echo cli-{SESSION}']\n")
    dry = dockyard("build", str(spec), "--dry-run", "--output", "json", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    (planned,) = json.loads(dry.stdout)
    assert planned["state"] == "absent"
    absent = dockyard("exists", str(spec), cwd=tmp_path)
    assert (absent.returncode, absent.stdout.strip()) == (1, planned["image"])
    built = dockyard("build", str(spec), "--output", "json", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    (row,) = json.loads(built.stdout)
    assert row["built"] is True and row["image"] == planned["image"]
    assert row["image_ref"] == f"{row['image'].rsplit(':', 1)[0]}@{row['digest']}"
    present = dockyard("exists", str(spec), cwd=tmp_path)
    assert (present.returncode, present.stdout.strip()) == (0, row["image_ref"])
    again = dockyard("build", str(spec), "--output", "json", cwd=tmp_path)
    assert json.loads(again.stdout)[0]["built"] is False


# --- Ctrl-C ----------------------------------------------------------------------------------------------
def _sleeping(marker: str) -> bool:
    for proc in Path("/proc").iterdir():
        try:
            if marker in (proc / "cmdline").read_bytes().decode(errors="replace"):
                return True
        except OSError:
            continue
    return False


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_ctrl_c_mid_build_exits_130_and_pushes_nothing(tmp_path: Path, base_image: str) -> None:
    seconds = f"300.{uuid.uuid4().int % 10**9}"  # a unique argv, so the test can see the RUN step running
    spec = write_spec(tmp_path, f"name: dockyard-test/ctrlc-{SESSION}\ncommands: ['sleep {seconds}']\n")
    env = {**os.environ, "DOCKYARD_BUILD_WORK_DIR": str(tmp_path / "work")}
    if CA_BUNDLE.is_file():
        env["DOCKYARD_BUILD_CA_BUNDLE"] = str(CA_BUNDLE)
    image = json.loads(dockyard("build", str(spec), "--dry-run", "--output", "json", cwd=tmp_path).stdout)[0]
    cli = subprocess.Popen(
        [DOCKYARD, "build", str(spec)], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 480
    while not _sleeping(f"sleep {seconds}"):
        assert cli.poll() is None, cli.stderr.read() if cli.stderr else ""
        assert time.monotonic() < deadline, "the RUN step never started"
        time.sleep(0.5)
    cli.send_signal(signal.SIGINT)
    _, err = cli.communicate(timeout=120)
    assert cli.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted"
    repository, tag = image["image"].removeprefix("localhost:5000/").rsplit(":", 1)
    head = httpx.head(
        f"http://localhost:5000/v2/{repository}/manifests/{tag}",
        headers={
            "Accept": "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json"
        },
    )
    assert head.status_code == 404
    deadline = time.monotonic() + 60
    while _sleeping(f"sleep {seconds}"):  # BuildKit stops the RUN step's container too
        assert time.monotonic() < deadline, "the RUN step kept running after Ctrl-C"
        time.sleep(0.5)


@pytest.mark.registry
def test_kubernetes_dry_run_prints_the_manifests(tmp_path: Path, base_image: str) -> None:
    spec = write_spec(tmp_path, f"name: dockyard-test/k8s-{SESSION}\ncommands: ['echo k8s']\n")
    s3 = {"DOCKYARD_STORE_URL": "s3://dockyard-test/k8s"}  # the kubernetes builder needs an s3:// store
    proc = dockyard("build", str(spec), "--builder", "kubernetes", "--dry-run", cwd=tmp_path, env=s3)
    assert proc.returncode == 0, proc.stderr
    assert "--builder kubernetes is deprecated" in proc.stderr  # the old spelling of --backend still works
    image = proc.stderr.strip().splitlines()[-1].split()[1]  # the summary: stdout is YAML only
    manifests = list(yaml.safe_load_all(proc.stdout))
    assert [m["kind"] for m in manifests] == ["Secret", "Job"]
    assert all(m["apiVersion"] and m["metadata"]["name"] for m in manifests)
    assert manifests[1]["metadata"]["annotations"]["dockyard.io/image"] == image


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_push_to_the_auth_registry_then_force(tmp_path: Path, base_image: str, auth_registry: object) -> None:
    login = base64.b64encode(b"dockyard:dockyard-secret").decode()
    config = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    config.write_text(
        json.dumps({"auths": {"localhost:5001": {"auth": login}}})
    )  # what `docker login` writes
    spec = write_spec(
        tmp_path, f"name: dockyard-test/auth-{SESSION}\nregistry: localhost:5001\ncommands: ['echo auth']\n"
    )
    first = dockyard("build", str(spec), "--output", "json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    (row,) = json.loads(first.stdout)
    assert row["built"] and row["image_ref"].startswith("localhost:5001/")
    assert dockyard("exists", str(spec), cwd=tmp_path).stdout.strip() == row["image_ref"]
    forced = dockyard("build", str(spec), "--force", "--no-cache", "--format", "json", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    (again,) = json.loads(forced.stdout)
    assert again["built"] is True
    assert again["digest"] == row["digest"]  # reproducible: every step ran again, at another time


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_ctrl_c_stops_parallel_builds(tmp_path: Path, base_image: str) -> None:
    markers = [f"sleep 300.{uuid.uuid4().int % 10**9}" for _ in range(2)]
    specs = []
    for number, marker in enumerate(markers):
        folder = tmp_path / f"spec{number}"
        folder.mkdir()
        specs.append(
            str(write_spec(folder, f"name: dockyard-test/par{number}-{SESSION}\ncommands: ['{marker}']\n"))
        )
    env = {**os.environ, "DOCKYARD_BUILD_WORK_DIR": str(tmp_path / "work")}
    if CA_BUNDLE.is_file():
        env["DOCKYARD_BUILD_CA_BUNDLE"] = str(CA_BUNDLE)
    cli = subprocess.Popen(
        [DOCKYARD, "build", *specs], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 480
    while not all(_sleeping(marker) for marker in markers):
        assert cli.poll() is None, cli.stderr.read() if cli.stderr else ""
        assert time.monotonic() < deadline, "the RUN steps never both started"
        time.sleep(0.5)
    cli.send_signal(signal.SIGINT)
    _, err = cli.communicate(timeout=120)
    assert cli.returncode == 130, err
    deadline = time.monotonic() + 60
    while any(_sleeping(marker) for marker in markers):
        assert time.monotonic() < deadline, "a RUN step kept running after Ctrl-C"
        time.sleep(0.5)
    for spec in specs:
        assert dockyard("exists", spec, cwd=tmp_path).returncode == 1


@pytest.mark.registry
def test_platform_flag_changes_the_tag_and_is_checked(tmp_path: Path, base_image: str) -> None:
    spec = write_spec(tmp_path, f"name: dockyard-test/plat-{SESSION}\n")
    plain = dockyard("build", str(spec), "--dry-run", "--output", "json", cwd=tmp_path)
    arm = dockyard(
        "build", str(spec), "--dry-run", "--output", "json", "--platform", "linux/arm64", cwd=tmp_path
    )
    assert plain.returncode == 0 and arm.returncode == 0, plain.stderr + arm.stderr
    assert json.loads(plain.stdout)[0]["image"] != json.loads(arm.stdout)[0]["image"]
    bad = dockyard("build", str(spec), "--platform", "linux;rm", cwd=tmp_path)
    assert bad.returncode == 2
    assert one_error_line(bad).startswith("error: --platform: 'linux;rm' is not a platform")


@pytest.mark.registry
def test_a_platform_the_base_image_lacks_is_one_line_before_any_build(
    tmp_path: Path, base_image: str
) -> None:
    """The default base is amd64 only: asking for arm64 fails naming the platform and the base, exit 2,
    and nothing is pushed (not BuildKit's 'no match for platform in manifest' after the context is sent)."""
    name = f"dockyard-test/plat-missing-{SESSION}"
    spec = write_spec(tmp_path, f"name: {name}\nplatform: linux/amd64,linux/arm64\n")
    proc = dockyard("build", str(spec), cwd=tmp_path)
    assert proc.returncode == 2
    assert one_error_line(proc) == (
        f"error: ImageSpec.platform: linux/arm64 not in the base image {base_image} (it has linux/amd64)"
    )
    tags = httpx.get(f"http://localhost:5000/v2/{name}/tags/list", timeout=30)
    assert tags.status_code == 404  # nothing was pushed to the repository


@pytest.mark.registry
def test_platform_and_builder_overrides_are_validated_with_the_spec(tmp_path: Path, base_image: str) -> None:
    cuda = write_spec(tmp_path, f"name: dockyard-test/cuda-{SESSION}\ncuda: '12.4'\ncuda_strategy: base\n")
    ppc = dockyard("build", str(cuda), "--dry-run", "--platform", "linux/ppc64le", cwd=tmp_path)
    assert ppc.returncode == 2, ppc.stderr
    assert "linux/ppc64le is not in the CUDA 12.4 images" in one_error_line(ppc)
    plain = write_spec(tmp_path, f"name: dockyard-test/plat-{SESSION}\n")
    for platform in ("linux/mips64le", "windows/amd64", "linux/arm/v7"):
        odd = dockyard("build", str(plain), "--dry-run", "--platform", platform, cwd=tmp_path)
        assert odd.returncode == 2, odd.stderr
        assert f"{platform} is not supported (one of linux/amd64, linux/arm64," in one_error_line(odd)
