"""The dockyard runtime in a task image: the user's pins are kept, only what dockyard-execute needs goes in.

Real builds on the local engine, checked from inside the built image: versions through importlib.metadata,
the absence of the client's own dependencies, and the one line a real conflict gives.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest

from dockyard.builders.engine import BuildEngine
from dockyard.config import Settings, load_settings
from dockyard.errors import RuntimeConflictError
from dockyard.imagespec import ImageSpec

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
RUN = uuid.uuid4().hex[:10]
# croniter leaves python-dateutil open: alone it resolves to 4.x, which boto3's botocore (<3) cannot take.
PINS = {"urllib3": "1.26.18", "requests": "2.31.0", "pydantic": "2.7.4", "croniter": "6.0.0"}
CLIENT_ONLY = ("typer", "click", "rich", "httpx", "kubernetes", "jinja2", "filelock")


def settings(work: Path, store: str, **build: object) -> Settings:
    values: dict[str, object] = {"work_dir": str(work), **build}
    if CA_BUNDLE.is_file():
        values["ca_bundle"] = str(CA_BUNDLE)
    return load_settings({"build": values, "store": {"url": store}}, environ={})


def inside(image: str, code: str) -> str:
    done = subprocess.run(
        ["docker", "run", "--rm", image, "python", "-c", code], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def versions(image: str, names: tuple[str, ...]) -> dict[str, str | None]:
    code = (
        "import importlib.metadata as m, json\n"
        "have = {d.metadata['Name'].lower().replace('_', '-'): d.version for d in m.distributions()}\n"
        f"print(json.dumps({{n: have.get(n) for n in {list(names)!r}}}))"
    )
    return json.loads(inside(image, code))


def test_the_users_pins_survive_the_runtime_and_the_s3_client(tmp_path: Path) -> None:
    spec = ImageSpec(
        name=f"dockyard-test/pins-{RUN}", packages=[f"{name}=={version}" for name, version in PINS.items()]
    )
    engine = BuildEngine(settings(tmp_path / "work", "s3://dockyard-pins/store"))
    image = engine.ensure([spec], local=True)[spec].image_ref
    found = versions(image, (*PINS, "boto3", "dockyard", "python-dateutil", *CLIENT_ONLY))
    assert {name: found[name] for name in PINS} == PINS  # exactly as pinned: nothing upgraded
    # what the user never named was resolved together with the runtime, within what croniter allows
    assert int((found["python-dateutil"] or "9").split(".")[0]) < 3
    assert found["boto3"] is not None  # the s3:// store's client, resolved against urllib3 1.26.18
    assert found["dockyard"] is not None
    assert {name: found[name] for name in CLIENT_ONLY} == dict.fromkeys(CLIENT_ONLY)
    probe = "import dockyard.runtime.entrypoint as e, dockyard.runtime.blobstore.s3; e.parse_args(['--help'])"
    assert "usage" in inside(image, probe).lower()


def test_a_pin_the_runtime_cannot_live_with_is_one_line_naming_both(tmp_path: Path) -> None:
    spec = ImageSpec(name=f"dockyard-test/conflict-{RUN}", packages=["pydantic==1.10.13"])
    engine = BuildEngine(settings(tmp_path / "work", f"file://{tmp_path}/store"))
    with pytest.raises(RuntimeConflictError) as caught:
        engine.ensure([spec], local=True)
    message = str(caught.value)
    assert caught.value.exit_code == 2
    assert "\n" not in message
    assert "pydantic>=2.7" in message and "pydantic==1.10.13" in message, message


def test_runtime_source_names_a_package_index(tmp_path: Path) -> None:
    """A PEP 503 folder served over http holds the dockyard wheel: the image installs it from there."""
    import hashlib
    import socket
    import sys

    from dockyard.imagespec.uv_binary import uv_executable
    from dockyard.version import __version__

    repo = Path(__file__).resolve().parents[2]
    project = tmp_path / "simple" / "dockyard"
    built = subprocess.run(
        [uv_executable(), "build", "--wheel", "--quiet", "--out-dir", str(project), str(repo)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = project.glob("dockyard-*.whl")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (project / "index.html").write_text(f'<a href="{wheel.name}#sha256={digest}">{wheel.name}</a>\n')
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp_path)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        index = f"http://127.0.0.1:{port}/simple"
        spec = ImageSpec(
            name=f"dockyard-test/runtime-index-{RUN}",
            builder_options={"network": "host"},  # the build's RUN steps reach the host's loopback index
        )
        engine = BuildEngine(settings(tmp_path / "work", f"file://{tmp_path}/store", runtime_source=index))
        image = engine.ensure([spec], local=True)[spec].image_ref
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[1]
    assert f"GET /simple/dockyard/{wheel.name}" in log  # the wheel came from the index
    code = (
        "import importlib.metadata as m; d = m.distribution('dockyard'); "
        "print(d.version, d.read_text('direct_url.json') is None)"
    )
    assert inside(image, code).split() == [__version__, "True"]  # from an index, not a wheel file
