"""Real-world projects, each built through the CLI as its user builds it, then checked inside its image.

Every project under `projects/` is copied to a private folder with a `dockyard.toml` naming this session's
registry namespace (so each run really builds), then `dockyard build` runs there. All builds start together
on first use, at most `PARALLEL` at once: downloads overlap, and a failing project fails only its own tests.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

collect_ignore_glob = ["projects/*"]  # user projects, not tests (the serving project has its own tests/)

PROJECTS = Path(__file__).parent / "projects"
BIN = Path(sys.executable).parent
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SESSION = uuid.uuid4().hex[:10]
NAMESPACE = f"localhost:5000/realworld-{SESSION}"  # the open loopback registry (fixture `registry`)
BRIDGE = "172.17.0.1"  # the docker0 address: build containers and the host both reach it
PARALLEL = 4

# project folder -> the CLI's spec arguments, as its README would tell a user to run them
SPECS: dict[str, list[str]] = {
    "churn": ["workflows.py:image"],
    "nlp": ["image.yaml"],
    "serving": ["service.py:api_image"],
    "filetype": ["spec.yaml"],
    "uvproject": ["image.yaml"],
    "reqs": ["ingest.py:ingest_image"],
    "privateindex": ["features.py:features_image"],
    "envcmds": ["image.yaml"],
    "teambase": ["images.py:trainer"],
    "pipcompile": ["image.yaml"],
    "poetryproject": ["image.yaml"],
    "netrcindex": ["image.yaml"],
    "wheelcopy": ["app.py:image"],
    "pathforms": ["tasks.py:image"],
}
# what the user ran before building, in the project folder
BEFORE: dict[str, list[str]] = {
    "uvproject": ["lock"],
    "wheelcopy": ["build", "--wheel", "--out-dir", "dist", "textkit"],
    "pipcompile": [
        *("pip", "compile", "--generate-hashes", "--python-version", "3.11"),
        *("--python-platform", "x86_64-manylinux_2_28", "requirements.in", "-o", "requirements.txt"),
    ],
}


@dataclass(frozen=True)
class Built:
    """One project's build: its folder, the CLI's exit and output, and the images it reported."""

    folder: Path
    returncode: int
    stdout: str
    stderr: str
    images: list[dict[str, object]]

    @property
    def image_ref(self) -> str:
        assert self.returncode == 0, f"dockyard build failed (exit {self.returncode}):\n{self.stderr[-4000:]}"
        (only,) = self.images
        return str(only["image_ref"])

    def run(self, *argv: str, entrypoint: str | None = None) -> subprocess.CompletedProcess[str]:
        """`docker run --rm` of the built image, with its output."""
        options = ["--entrypoint", entrypoint] if entrypoint is not None else []
        command = ["docker", "run", "--rm", *options, self.image_ref, *argv]
        return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)

    def python(self, script: str) -> str:
        """Run a Python check inside the image (the venv's python); its stdout, or the failure."""
        done = self.run("python", "-c", script, entrypoint="")
        assert done.returncode == 0, f"check failed in the image:\n{done.stdout}\n{done.stderr}"
        return done.stdout


def dockyard(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The installed CLI, run the way a user runs it from the project folder (output piped, as in CI)."""
    return subprocess.run(
        [str(BIN / "dockyard"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=840
    )


@dataclass
class PrivateIndex:
    """A PEP 503 index of the company's own wheels behind basic auth, served by http.server."""

    root: Path
    user: str = "ci-reader"
    token: str = field(default_factory=lambda: f"tok-{uuid.uuid4().hex}")
    port: int = 0

    def url(self, *, credentials: bool = True) -> str:
        login = f"{self.user}:{self.token}@" if credentials else ""
        return f"http://{login}{BRIDGE}:{self.port}/simple/"

    def netrc(self) -> str:
        return f"machine {BRIDGE} login {self.user} password {self.token}\n"

    def publish(self, wheel: Path) -> None:
        """Put a wheel under its project's page, as `twine upload` to such an index does."""
        project = wheel.name.split("-")[0].replace("_", "-").lower()
        page = self.root / "simple" / project
        page.mkdir(parents=True, exist_ok=True)
        shutil.copy2(wheel, page / wheel.name)
        links = "".join(f'<a href="{w.name}">{w.name}</a>\n' for w in sorted(page.glob("*.whl")))
        (page / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")


def _handler(index: PrivateIndex) -> Callable[..., SimpleHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{index.user}:{index.token}".encode()).decode()

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def send_head(self):  # type: ignore[no-untyped-def]
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="acme"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return super().send_head()

    return partial(Handler, directory=str(index.root))


@pytest.fixture(scope="session")
def private_index(base_image: str) -> Iterator[PrivateIndex]:
    """The index, with `acme-features` built from its source by `uv build` and published to it."""
    index = PrivateIndex(Path(tempfile.mkdtemp(prefix="dockyard-rw-index-")))
    dist = index.root / "dist"
    source = index.root / "acme-features"  # setuptools builds in its source folder: a copy, not the repo
    shutil.copytree(PROJECTS / "privateindex" / "acme-features", source)
    built = subprocess.run(
        [str(BIN / "uv"), "build", "--wheel", "--out-dir", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SSL_CERT_FILE": str(CA_BUNDLE), "UV_NO_CONFIG": "1"},
    )
    assert built.returncode == 0, built.stderr
    for wheel in dist.glob("*.whl"):
        index.publish(wheel)
    server = ThreadingHTTPServer((BRIDGE, 0), _handler(index))
    index.port = int(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield index
    server.shutdown()
    server.server_close()
    shutil.rmtree(index.root, ignore_errors=True)


def _prepare(name: str, root: Path, env: dict[str, str], index: PrivateIndex) -> Path:
    """The project's private copy, with the settings a user keeps in the project's dockyard.toml."""
    folder = root / name
    shutil.copytree(PROJECTS / name, folder, ignore=shutil.ignore_patterns("__pycache__"))
    settings = [f'registry = "{NAMESPACE}"', f'work_dir = "{root / "work"}"']
    if CA_BUNDLE.is_file():
        settings.append(f'ca_bundle = "{CA_BUNDLE}"')
    if name == "netrcindex":  # the company index for every build of the project; its login in .netrc
        settings.append(f'pip_extra_index_urls = ["{index.url(credentials=False)}"]')
        (folder / ".netrc").write_text(index.netrc())
        (folder / ".netrc").chmod(0o600)
    (folder / "dockyard.toml").write_text("[build]\n" + "".join(f"{line}\n" for line in settings))
    if name in BEFORE:  # the user's lock, made with uv as they make it
        locked = subprocess.run(
            [str(BIN / "uv"), *BEFORE[name]], cwd=folder, env=env, capture_output=True, text=True, timeout=300
        )
        assert locked.returncode == 0, locked.stderr
    return folder


def _build(name: str, root: Path, env: dict[str, str], index: PrivateIndex) -> Built:
    folder = _prepare(name, root, env, index)
    done = dockyard("build", *SPECS[name], "--format", "json", "--progress", "plain", cwd=folder, env=env)
    images = json.loads(done.stdout) if done.returncode == 0 else []
    for image in images:  # by its pushed reference: the tests inspect and run what the registry holds
        pull = ["docker", "pull", "-q", image["image_ref"]]
        subprocess.run(pull, capture_output=True, timeout=600, check=True)
    return Built(folder, done.returncode, done.stdout, done.stderr, images)


@pytest.fixture(scope="session")
def builds(
    request: pytest.FixtureRequest, base_image: str, registry: str, private_index: PrivateIndex
) -> Iterator[dict[str, Future[Built]]]:
    """Every selected project's build (a test asks for its project by the fixture of that name), all
    started at once; a test waits for its own."""
    wanted = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    root = Path(tempfile.mkdtemp(prefix="dockyard-rw-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKYARD_")}
    env |= {"ACME_INDEX_URL": private_index.url(), "SSL_CERT_FILE": str(CA_BUNDLE), "UV_NO_CONFIG": "1"}
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        yield {name: pool.submit(_build, name, root, env, private_index) for name in SPECS if name in wanted}
    _remove_local_images()
    shutil.rmtree(root, ignore_errors=True)


def _remove_local_images() -> None:
    """The images stay in the registry, not in the shared engine's store (the disk is shared)."""
    listed = subprocess.run(
        ["docker", "image", "ls", "--format", "{{.Repository}} {{.ID}}"], capture_output=True, text=True
    )
    rows = (line.split() for line in listed.stdout.splitlines())
    mine = sorted({image_id for repository, image_id in rows if repository.startswith(NAMESPACE)})
    if mine:
        subprocess.run(["docker", "image", "rm", "--force", *mine], capture_output=True)


def built(builds: dict[str, Future[Built]], name: str) -> Built:
    return builds[name].result()
