"""The docker builder on hand-made build contexts: output options, local loads, option checks, plugins."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from dockyard.builders.docker import DockerBuilder
from dockyard.builders.plugins import available, check_fields, load_builder
from dockyard.builders.registry import ACCEPT, Present, RegistryClient
from dockyard.errors import ConfigError, SpecError
from dockyard.imagespec import ImageSpec, prepare
from dockyard.imagespec.context import BuildContext

from .conftest import SESSION, build_settings

ZSTD_LAYER = "application/vnd.oci.image.layer.v1.tar+zstd"


def _context(tmp_path: Path, base_image: str, image: str, **extra: object) -> BuildContext:
    folder = tmp_path / "context"
    folder.mkdir()
    (folder / "Dockerfile").write_text(f"FROM {base_image}\nRUN echo {uuid.uuid4().hex} > /stamp\n")
    tag = image.rsplit(":", 1)[1]
    return BuildContext(
        directory=folder, image=image, tag=tag, platforms=(), build_platform="linux/amd64", **extra
    )


def _manifest(client: httpx.Client, repository: str, reference: str) -> dict[str, object]:
    resp = client.get(
        f"http://localhost:5000/v2/{repository}/manifests/{reference}", headers={"Accept": ACCEPT}
    )
    resp.raise_for_status()
    return resp.json()  # type: ignore[no-any-return]


@pytest.mark.docker
@pytest.mark.registry
def test_zstd_compression_and_registry_cache(tmp_path: Path, base_image: str) -> None:
    repository = f"dockyard-test/zstd-{SESSION}"
    settings = build_settings(tmp_path / "work", compression="zstd", registry_cache=True)
    context = _context(
        tmp_path, base_image, f"localhost:5000/{repository}:one", labels={"dockyard.test": "a b"}
    )
    result = DockerBuilder(settings).build(context, push=True)
    with httpx.Client() as client:
        top = _manifest(client, repository, result.digest)
        images = [m for m in top.get("manifests", [top]) if m.get("platform", {}).get("os") != "unknown"]  # type: ignore[union-attr, attr-defined]
        manifest = _manifest(client, repository, images[0]["digest"]) if "manifests" in top else top
        layer_types = {layer["mediaType"] for layer in manifest["layers"]}  # type: ignore[index, union-attr]
        cache = client.head(
            f"http://localhost:5000/v2/{repository}/manifests/buildcache", headers={"Accept": ACCEPT}
        )
    assert layer_types == {ZSTD_LAYER}  # force-compression re-compressed the base's gzip layers too
    assert cache.status_code == 200  # mode=max cache exported next to the image
    with RegistryClient() as registry:
        assert registry.image_labels(context.image)["dockyard.test"] == "a b"


@pytest.mark.docker
def test_no_push_loads_the_image_locally(tmp_path: Path, base_image: str) -> None:
    image = f"localhost:5000/dockyard-test/local-{SESSION}:{uuid.uuid4().hex[:12]}"
    result = DockerBuilder(build_settings(tmp_path / "work")).build(
        _context(tmp_path, base_image, image), push=False
    )
    assert result.image_ref == image and result.digest.startswith("sha256:")
    inspect = subprocess.run(["docker", "image", "inspect", image], capture_output=True, text=True)
    assert inspect.returncode == 0
    with RegistryClient() as registry:  # loaded, not pushed
        assert registry.digest(image) is None


def test_unknown_builder_option_is_refused(tmp_path: Path) -> None:
    context = _context(tmp_path, "scratch", "localhost:5000/x:y", builder_options={"frobnicate": "1"})
    builder = DockerBuilder(build_settings(tmp_path / "work"))
    with pytest.raises(SpecError, match="builder_options: frobnicate not understood by the docker builder"):
        builder.command(context, push=True, metadata_file=tmp_path / "m.json")


def test_command_line_carries_secrets_by_path_only(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("s3cr3t-value")
    context = _context(
        tmp_path,
        "scratch",
        "localhost:5000/x:y",
        secrets={"tok": secret},
        builder_options={"network": "none"},
    )
    cmd = DockerBuilder(build_settings(tmp_path / "work")).command(
        context, push=True, metadata_file=tmp_path / "m"
    )
    assert f"id=tok,src={secret}" in cmd and "s3cr3t-value" not in " ".join(cmd)
    assert cmd[cmd.index("--network") + 1] == "none"
    gzip = "compression=gzip,compression-level=1,force-compression=true,oci-mediatypes=true"
    assert f"type=image,name=localhost:5000/x:y,push=true,{gzip}" in cmd
    # reproducible by default: the config's dates clamped, and no provenance (it records the build's time)
    assert "SOURCE_DATE_EPOCH=0" in cmd and "--provenance=false" in cmd
    direct = DockerBuilder(build_settings(tmp_path / "work", reproducible=False)).command(
        context, push=True, metadata_file=tmp_path / "m"
    )
    assert f"type=image,name=localhost:5000/x:y,push=true,{gzip}" in direct
    assert "SOURCE_DATE_EPOCH=0" not in direct and "--provenance=false" not in direct
    # not pushed: into the engine's store, compressed as configured (--load would take BuildKit's level)
    local = DockerBuilder(build_settings(tmp_path / "work")).command(
        context, push=False, metadata_file=tmp_path / "m"
    )
    assert f"type=image,name=localhost:5000/x:y,push=false,{gzip}" in local and "--load" not in local


def test_plugins_load_and_check_fields(tmp_path: Path) -> None:
    assert "docker" in available()
    settings = build_settings(tmp_path / "work")
    builder = load_builder("docker", settings)
    assert isinstance(builder, DockerBuilder)
    check_fields(builder, frozenset({"packages", "apt_packages"}), image="app")
    check_fields(builder, frozenset({"packages", "cuda", "conda_packages", "python_provider"}), image="app")
    with pytest.raises(SpecError, match="the docker builder does not support a_future_field, zz"):
        check_fields(builder, frozenset({"packages", "zz", "a_future_field"}), image="app")
    with pytest.raises(ConfigError, match=r"builder 'nope' is not installed \(available: .*docker"):
        load_builder("nope", settings)


def test_insecure_registry_outputs(tmp_path: Path) -> None:
    insecure = ["registry.internal:5000"]
    settings = build_settings(tmp_path / "work", insecure_registries=insecure, registry_cache=True)
    context = _context(tmp_path, "scratch", "registry.internal:5000/app:t")
    cmd = DockerBuilder(settings).command(context, push=True, metadata_file=tmp_path / "m")
    output = cmd[cmd.index("--output") + 1]  # buildx pushes it itself, over http
    assert output.startswith("type=image,") and output.endswith(",registry.insecure=true")
    cache = "type=registry,ref=registry.internal:5000/app:buildcache,registry.insecure=true"
    assert cmd[cmd.index("--cache-from") + 1] == cache


def _buildkit_name(step: str) -> str:
    """A step's name as BuildKit gives it: an exec form's words each between quotes, unescaped."""
    head, exec_form, argv = step.partition(' ["')
    if not exec_form:
        return step
    words = json.loads('["' + argv)
    return head + " [" + ", ".join(f'"{word}"' for word in words) + "]"


def test_steps_are_named_as_the_user_wrote_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress and failures name a step without what the template adds around it: mounts, the shell that
    dates the layer's files, and for the commands the wrapper shell (they are its last argument)."""
    from dockyard.builders.docker import _plain_step
    from dockyard.imagespec.prepare import render_dockerfile

    monkeypatch.chdir(tmp_path)
    spec = ImageSpec(
        name="app", apt_packages=["git"], packages=["six"], commands=['echo "a b" && exit 7  # why']
    )
    settings = build_settings(tmp_path / "work", default_base_image="localhost:5000/dockyard/debian:bookworm")
    lines = [line for line in render_dockerfile(spec, settings.build).split("\n") if line]
    steps, current = [], ""
    for line in lines:  # BuildKit names a step by its instruction, continuation lines joined
        current += line.removesuffix("\\") + " "
        if not line.endswith("\\"):
            steps.append(_buildkit_name("[stage-0 3/9] " + current.strip()))
            current = ""
    named = [
        _plain_step(step) for step in steps if step.startswith("[stage-0 3/9] RUN ") and "chmod" not in step
    ]
    assert "DOCKYARD_SINCE" not in " ".join(named) and "--mount" not in " ".join(named)
    assert named[0].startswith("[stage-0 3/9] RUN rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update")
    assert named[0].endswith(" git")
    assert named[-1] == '[stage-0 3/9] RUN echo "a b" && exit 7  # why'


def test_progress_stream_parsing() -> None:
    """buildx 0.13 prints each SolveStatus as indented JSON; logs arrive base64 and split across messages."""
    from dockyard.builders.docker import _Progress

    def status(**fields: object) -> list[str]:
        return [line + "\n" for line in json.dumps(fields, indent=2).splitlines()]

    def log(data: bytes) -> list[str]:
        return status(logs=[{"vertex": "sha256:a", "data": base64.b64encode(data).decode()}])

    mounts = "--mount=type=cache,target=/root/.cache/uv --mount=type=bind,source=uv,target=/u"
    run = f"[stage-0 2/3] RUN {mounts} pip x"
    failed = 'process "/bin/sh -c pip x" did not complete successfully: exit code: 9'
    steps: list[str] = []
    progress = _Progress(on_step=steps.append)
    stream = [
        *status(vertexes=[{"digest": "sha256:a", "name": run, "started": "t0"}]),
        *log(b"first line\nsecond "),
        *log(b"half\nboom"),
        *status(vertexes=[{"digest": "sha256:a", "name": run, "started": "t0", "error": failed}]),
        "ERROR: failed to solve: process did not complete successfully\n",
    ]
    for line in stream:
        progress.feed(line)
    assert steps == ["[stage-0 2/3] RUN pip x"]
    first, *tail = str(progress.failure("r/app:t", 1)).splitlines()
    assert (
        first == "r/app:t: build failed at step `[stage-0 2/3] RUN pip x`: command failed with exit code: 9"
    )
    assert tail == ["  | first line", "  | second half", "  | boom"]
    assert "ERROR: failed to solve: process did not complete successfully" in progress.transcript


def _two_platform_context(tmp_path: Path, image: str) -> BuildContext:
    """An index for amd64 and arm64 with nothing to run (scratch + COPY): no QEMU, no base to pull."""
    folder = tmp_path / "context"
    folder.mkdir()
    (folder / "stamp").write_text(uuid.uuid4().hex)
    (folder / "Dockerfile").write_text("FROM scratch\nCOPY stamp /stamp\n")
    tag = image.rsplit(":", 1)[1]
    platforms = ("linux/amd64", "linux/arm64")
    return BuildContext(
        directory=folder, image=image, tag=tag, platforms=platforms, build_platform="linux/amd64"
    )


@pytest.mark.docker
@pytest.mark.registry
def test_a_registry_5xx_during_the_push_is_retried(tmp_path: Path) -> None:
    """Seen here: distribution 2.8 answered docker's manifest HEAD with 500 ("invalid checksum digest
    format") while the tag was being written, and docker's push (after BuildKit's) does not retry."""
    from .fault_proxy import fault_proxy

    with fault_proxy() as (host, plan):
        tag = uuid.uuid4().hex[:12]
        image = f"{host}/dockyard-test/retry-{SESSION}:{tag}"
        steps: list[str] = []
        plan.fail("HEAD", f"/manifests/{tag}", times=1, agent="docker/")
        result = DockerBuilder(build_settings(tmp_path / "work", insecure_registries=[host])).build(
            _two_platform_context(tmp_path, image), push=True, on_step=steps.append
        )
        assert plan.failed == 1
        assert steps.count("registry error while pushing: building and pushing again (2)") == 1
        with RegistryClient() as registry:
            answer = registry.lookup(image)
        assert isinstance(answer, Present) and answer.digest == result.digest
        assert set(answer.platforms) == {"linux/amd64", "linux/arm64"}


@pytest.mark.docker
@pytest.mark.registry
def test_a_registry_that_keeps_failing_fails_the_build_in_one_line(tmp_path: Path) -> None:
    from dockyard.errors import BuildError

    from .fault_proxy import fault_proxy

    with fault_proxy() as (host, plan):
        tag = uuid.uuid4().hex[:12]
        image = f"{host}/dockyard-test/retry-{SESSION}:{tag}"
        plan.fail("HEAD", f"/manifests/{tag}", times=100, status=503, agent="docker/")
        steps: list[str] = []
        with pytest.raises(BuildError) as caught:
            DockerBuilder(build_settings(tmp_path / "work", insecure_registries=[host])).build(
                _two_platform_context(tmp_path, image), push=True, on_step=steps.append
            )
        assert [s for s in steps if s.startswith("registry error")] == [
            "registry error while pushing: building and pushing again (2)",
            "registry error while pushing: building and pushing again (3)",
        ]
        assert plan.failed >= 3  # docker retries a 503 itself within an attempt
        first = str(caught.value).splitlines()[0]
        assert first.startswith(f"{image}: build failed at step `pushing {image} with docker`")
        assert first.endswith("503 Service Unavailable")


@pytest.mark.docker
@pytest.mark.registry
def test_the_same_inputs_forced_again_push_the_same_digest(
    tmp_path: Path, base_image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rendered Dockerfile dates every file a step writes to the epoch, the snapshot's files too, and
    SOURCE_DATE_EPOCH dates the config: a forced rebuild (no cache: every step run again, at another time)
    pushes the very same digest. The spec exercises what writes times: apt (its logs too), uv, commands
    that delete a base file and end in a comment or an `exit`, and source files whose mtimes change."""
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "app" / "main.py").write_text("VALUE = 1\n")
    monkeypatch.chdir(project)
    spec = ImageSpec(
        name=f"dockyard-test/repro-{SESSION}",
        registry="localhost:5000",
        apt_packages=["tree"],
        packages=["six==1.16.0"],
        commands=[
            "rm /etc/debian_version",  # joined with ` && `, so a comment can only end the last one
            "mkdir -p /opt/made && echo made > /opt/made/file; exit 0  # a comment",
        ],
        source_root=".",
    )
    settings = build_settings(tmp_path / "work", no_cache=True, default_base_image=base_image)

    def build() -> tuple[str, str]:
        context = prepare(spec, settings.build, work_dir=tmp_path / "work")
        return context.image, DockerBuilder(settings).build(context, push=True).digest

    image, first = build()
    os.utime(project / "app" / "main.py", (1_000_000, 1_000_000))  # touched: the same content
    assert build() == (image, first)
    with RegistryClient() as registry:
        assert registry.digest(image) == first
    listing = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            image,
            "sh",
            "-c",
            "stat -c '%Y %n' /opt/made/file /root/app/main.py /usr/bin/tree && wc -c < /var/log/dpkg.log",
        ],
        capture_output=True,
        text=True,
    )
    assert listing.stdout.split("\n")[:4] == [
        "0 /opt/made/file",
        "0 /root/app/main.py",
        "0 /usr/bin/tree",
        "0",
    ], listing.stderr
    created = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Created}}", image], capture_output=True, text=True
    )
    assert created.stdout.startswith("1970-01-01")
    (project / "app" / "main.py").write_text("VALUE = 2\n")  # another input: another image
    assert build()[1] != first


def test_compression_level_reaches_every_exporter(tmp_path: Path) -> None:
    """`build.compression_level` is BuildKit's compression-level, the same for every push (reproducible or
    not) and the Kubernetes builder (one `image_output`); gzip defaults to 1, zstd to BuildKit's own level; a
    gzip level past 9 is refused naming the setting."""
    from dockyard.builders.base import image_output

    context = _context(tmp_path, "scratch", "localhost:5000/x:y")
    for reproducible in (True, False):
        settings = build_settings(tmp_path / "work", compression_level=1, reproducible=reproducible)
        cmd = DockerBuilder(settings).command(context, push=True, metadata_file=tmp_path / "m")
        output = cmd[cmd.index("--output") + 1]
        assert ",compression=gzip,compression-level=1,force-compression=true" in output
    zstd = build_settings(tmp_path / "work", compression="zstd", compression_level=19).build
    output = image_output(context, zstd, push=True)
    assert "compression=zstd,compression-level=19,force-compression=true" in output
    assert ",compression-level=1," in image_output(context, build_settings(tmp_path).build, push=True)  # gzip
    default_zstd = build_settings(tmp_path / "work", compression="zstd").build  # BuildKit's own level
    assert "compression-level" not in image_output(context, default_zstd, push=True)
    with pytest.raises(ConfigError, match="compression_level 12: gzip levels are 0-9"):
        build_settings(tmp_path / "work", compression_level=12)
