"""The registry client against real registries (the loopback ones, and tiny real HTTP servers for the cases
the distribution registry cannot produce: Harbor's 500 "not found", a bearer token server, an index)."""

from __future__ import annotations

import base64
import json
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from dockyard.builders.answers import AnswerCache
from dockyard.builders.registry import (
    Absent,
    ImageRef,
    Present,
    RegistryClient,
    ServerError,
    Unauthorized,
    Unreachable,
)

INDEX_DIGEST = "sha256:" + "ab" * 32


def _docker_config(auths: dict[str, object] | None = None, **extra: object) -> None:
    config = {"auths": auths or {}, **extra}
    (Path(os.environ["DOCKER_CONFIG"]) / "config.json").write_text(json.dumps(config))


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def client() -> Iterator[RegistryClient]:
    with RegistryClient(timeout_s=10) as c:
        yield c


@pytest.fixture
def serve() -> Iterator[object]:
    """Start a real HTTP server on a free loopback port with the given handler class; yields `host:port`."""
    servers: list[ThreadingHTTPServer] = []

    def start(handler: type[BaseHTTPRequestHandler]) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def reply(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


# --- parsing ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ref", "host", "repository", "reference"),
    [
        ("localhost:5000/app:abc", "localhost:5000", "app", "abc"),
        ("localhost:5000/a/b/c@sha256:00", "localhost:5000", "a/b/c", "sha256:00"),
        ("python:3.11", "docker.io", "library/python", "3.11"),
        ("ghcr.io/org/img", "ghcr.io", "org/img", "latest"),
        ("user/img:1", "docker.io", "user/img", "1"),
    ],
)
def test_parse_reference(ref: str, host: str, repository: str, reference: str) -> None:
    parsed = ImageRef.parse(ref)
    assert (parsed.host, parsed.repository, parsed.reference) == (host, repository, reference)


def test_loopback_and_insecure_are_http_everything_else_https() -> None:
    assert ImageRef.parse("localhost:5000/a:b").base_url() == "http://localhost:5000"
    assert ImageRef.parse("127.0.0.1:9/a:b").base_url() == "http://127.0.0.1:9"
    assert ImageRef.parse("registry.example.com/a:b").base_url() == "https://registry.example.com"
    insecure = ["registry.internal:5000"]
    assert ImageRef.parse("registry.internal:5000/a:b").base_url(insecure) == "http://registry.internal:5000"
    assert ImageRef.parse("registry.internal/a:b").base_url(insecure) == "https://registry.internal"


# --- the open registry --------------------------------------------------------------------------------------
@pytest.mark.registry
def test_present_gives_the_registry_digest(client: RegistryClient, base_image: str) -> None:
    expected = httpx.head(
        "http://localhost:5000/v2/dockyard/debian/manifests/bookworm",
        headers={
            "Accept": "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json"
        },
    ).headers["docker-content-digest"]
    answer = client.lookup(base_image)
    assert isinstance(answer, Present)
    assert answer.digest == expected
    assert client.digest(base_image) == expected


@pytest.mark.registry
def test_absent_tag_and_absent_repository(client: RegistryClient, registry: str) -> None:
    assert client.lookup(f"{registry}/dockyard/debian:no-such-tag-{uuid.uuid4().hex}") == Absent()
    assert client.lookup(f"{registry}/no-such-repo-{uuid.uuid4().hex}:x") == Absent()
    assert client.digest(f"{registry}/no-such-repo-{uuid.uuid4().hex}:x") is None


@pytest.mark.registry
def test_image_labels_of_the_base_image(client: RegistryClient, base_image: str) -> None:
    labels = client.image_labels(base_image)
    assert labels.get("dev.dockyard.suite") == "bookworm"


@pytest.mark.registry
def test_image_size_is_the_bytes_a_pull_moves(client: RegistryClient, base_image: str) -> None:
    accept = "application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json"
    base = "http://localhost:5000/v2/dockyard/debian"
    manifest = httpx.get(f"{base}/manifests/bookworm", headers={"Accept": accept}).json()
    digests = [manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])]
    # the blobs' own lengths, as the registry serves them
    stored = sum(int(httpx.head(f"{base}/blobs/{d}").headers["content-length"]) for d in digests)
    assert client.image_size(base_image) == stored > 1_000_000


# --- authentication -----------------------------------------------------------------------------------------
@pytest.mark.registry
def test_401_without_credentials_names_the_registry(client: RegistryClient, auth_registry: object) -> None:
    with pytest.raises(Unauthorized, match=r"^localhost:5001: authentication required and no credentials"):
        client.lookup("localhost:5001/app:tag")


@pytest.mark.registry
def test_wrong_credentials_are_rejected(client: RegistryClient, auth_registry: object) -> None:
    _docker_config({"localhost:5001": {"auth": _basic("dockyard", "wrong-password")}})
    with pytest.raises(Unauthorized, match=r"^localhost:5001: credentials rejected"):
        client.lookup("localhost:5001/app:tag")


@pytest.mark.registry
def test_basic_credentials_from_docker_config(client: RegistryClient, auth_registry: object) -> None:
    _docker_config({"localhost:5001": {"auth": _basic("dockyard", "dockyard-secret")}})
    assert client.lookup(f"localhost:5001/app-{uuid.uuid4().hex}:tag") == Absent()


@pytest.mark.registry
@pytest.mark.parametrize("how", ["credHelpers", "credsStore"])
def test_credential_helper_on_path(
    how: str, client: RegistryClient, auth_registry: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    asked = tmp_path / "asked"
    helper = bin_dir / "docker-credential-test"
    helper.write_text(
        "#!/bin/sh\n"
        f'[ "$1" = get ] || exit 2\nread server\necho "$server" > {asked}\n'
        'echo \'{"ServerURL":"\'$server\'","Username":"dockyard","Secret":"dockyard-secret"}\'\n'
    )
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    if how == "credHelpers":
        _docker_config(credHelpers={"localhost:5001": "test"})
    else:
        _docker_config(credsStore="test")
    assert client.lookup(f"localhost:5001/app-{uuid.uuid4().hex}:tag") == Absent()
    assert asked.read_text().strip() == "localhost:5001"


@pytest.mark.registry
def test_missing_credential_helper_is_named(client: RegistryClient, auth_registry: object) -> None:
    _docker_config(credHelpers={"localhost:5001": "nonexistent-helper"})
    with pytest.raises(Exception, match="docker-credential-nonexistent-helper is not on PATH"):
        client.lookup("localhost:5001/app:tag")


# --- no answer ----------------------------------------------------------------------------------------------
def test_unreachable_closed_port(client: RegistryClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(Unreachable, match=rf"^127.0.0.1:{port}: registry unreachable"):
        client.lookup(f"127.0.0.1:{port}/app:tag")


class _Harbor(_Quiet):
    """Harbor's habit: 500 with `repository … not found` in the body for a missing repository."""

    def do_HEAD(self) -> None:
        self.reply(500)

    def do_GET(self) -> None:
        if "/missing/" in self.path:
            message = "unknown: repository library/missing not found"
        else:
            message = "database is on fire"
        body = json.dumps({"errors": [{"code": "UNKNOWN", "message": message}]}).encode()
        self.reply(500, body, {"Content-Type": "application/json"})


def test_harbor_500_not_found_is_absent_other_500_is_an_error(client: RegistryClient, serve: object) -> None:
    host = serve(_Harbor)  # type: ignore[operator]
    assert client.lookup(f"{host}/missing/app:tag") == Absent()
    with pytest.raises(ServerError, match=rf"^{host}: HTTP 500"):
        client.lookup(f"{host}/broken/app:tag")


class _TokenRegistry(_Quiet):
    """A registry behind a bearer token server (both on one port), serving an index with an attestation."""

    def do_GET(self) -> None:
        if self.path.startswith("/token"):
            if self.headers.get("Authorization") != f"Basic {_basic('robot', 'pass')}":
                self.reply(401)
                return
            assert "scope=repository%3Ateam%2Fapp%3Apull" in self.path, self.path
            self.reply(200, json.dumps({"token": "tok-123"}).encode(), {"Content-Type": "application/json"})
            return
        self.manifest()

    def do_HEAD(self) -> None:
        self.manifest()

    def do_POST(self) -> None:
        """OAuth2 refresh-token grant, as ACR answers an identity token."""
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != ["refresh-abc"]:
            self.reply(401)
            return
        assert form.get("scope") == ["repository:team/app:pull"], form
        self.reply(
            200, json.dumps({"access_token": "tok-123"}).encode(), {"Content-Type": "application/json"}
        )

    def manifest(self) -> None:
        host = f"127.0.0.1:{self.server.server_address[1]}"
        if self.headers.get("Authorization") != "Bearer tok-123":
            challenge = f'Bearer realm="http://{host}/token",service="test",scope="repository:team/app:pull"'
            self.reply(401, b"{}", {"WWW-Authenticate": challenge})
            return
        index = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {"digest": "sha256:" + "1" * 64, "platform": {"os": "linux", "architecture": "amd64"}},
                {
                    "digest": "sha256:" + "2" * 64,
                    "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"},
                },
                {"digest": "sha256:" + "3" * 64, "platform": {"os": "unknown", "architecture": "unknown"}},
            ],
        }
        headers = {
            "Content-Type": "application/vnd.oci.image.index.v1+json",
            "Docker-Content-Digest": INDEX_DIGEST,
        }
        self.reply(200, json.dumps(index).encode(), headers)


def test_identity_token_is_exchanged_as_a_refresh_token(serve: object) -> None:
    host = serve(_TokenRegistry)  # type: ignore[operator]
    _docker_config({host: {"identitytoken": "refresh-abc"}})
    with RegistryClient() as client:
        assert isinstance(client.lookup(f"{host}/team/app:v1"), Present)
    _docker_config({host: {"identitytoken": "expired"}})
    with RegistryClient() as client, pytest.raises(Unauthorized, match="credentials rejected"):
        client.lookup(f"{host}/team/app:v1")


def test_bearer_token_flow_and_index_platforms(client: RegistryClient, serve: object) -> None:
    host = serve(_TokenRegistry)  # type: ignore[operator]
    with pytest.raises(Unauthorized, match="no credentials found by token server"):
        client.lookup(f"{host}/team/app:v1")
    _docker_config({host: {"auth": _basic("robot", "pass")}})
    with RegistryClient() as fresh:
        answer = fresh.lookup(f"{host}/team/app:v1")
    assert answer == Present(digest=INDEX_DIGEST, platforms=("linux/amd64", "linux/arm64/v8"))


# --- the answer cache ---------------------------------------------------------------------------------------
def test_answer_cache_round_trip_ttl_and_corruption(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    cache = AnswerCache(path, ttl_s=3600)
    answer = Present(digest="sha256:" + "0" * 64, platforms=("linux/amd64",))
    assert cache.get("r/a:1") is None
    cache.put("r/a:1", answer)
    assert cache.get("r/a:1") == answer
    assert AnswerCache(path, ttl_s=0).get("r/a:1") is None  # TTL 0 trusts nothing
    with sqlite3.connect(path) as conn:  # an answer verified two hours ago is stale for a one-hour TTL
        conn.execute("UPDATE answers SET verified_at = verified_at - 7200")
    assert cache.get("r/a:1") is None
    cache.put("r/a:1", answer)
    cache.forget("r/a:1")
    assert cache.get("r/a:1") is None
    path.write_bytes(b"this is not a database" * 100)
    assert cache.get("r/a:1") is None  # corrupt: ignored
    cache.put("r/a:1", answer)  # and rewritten
    assert cache.get("r/a:1") == answer


def test_answer_cache_is_shared_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    code = (
        "import sys; from pathlib import Path; from dockyard.builders.answers import AnswerCache;"
        "from dockyard.builders.registry import Present;"
        "AnswerCache(Path(sys.argv[1]), 60).put('r/b:2', Present('sha256:' + 'f' * 64, ()))"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    assert AnswerCache(path, 60).get("r/b:2") == Present("sha256:" + "f" * 64, ())


def test_the_build_engine_and_docker_builder_load_without_httpx() -> None:
    """A no-change check answered from the answer cache asks no registry, so it must not pay for httpx
    (whose import also loads click, rich and pygments for its CLI when they are installed): about 0.1-0.2 s
    of a whole process and 10,000 objects more for every garbage collection to walk."""
    code = (
        "import sys, dockyard.builders.engine, dockyard.builders.docker;"
        "print([m for m in ('httpx', 'dockyard.image_install', 'argparse', 'jinja2') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"  # nor the image's install script, nor the templates' jinja2


def test_a_runtime_conflict_is_still_read_from_a_failed_step() -> None:
    """The conflict mark is imported only when a build fails: the failure still names the conflict."""
    from dockyard.builders.docker import _Progress
    from dockyard.errors import RuntimeConflictError
    from dockyard.image_install import CONFLICT_MARK

    progress = _Progress(on_step=None)
    vertex = {"digest": "sha256:1", "name": "[5/7] RUN python -m dockyard.image_install", "started": "x"}
    line = f"{CONFLICT_MARK} pydantic>=2 needs pydantic-core, the image pins pydantic==1.10\n"
    log = {"vertex": "sha256:1", "data": base64.b64encode(line.encode()).decode()}
    progress.feed(json.dumps({"vertexes": [vertex], "logs": [log]}) + "\n")
    progress.feed(json.dumps({"vertexes": [{**vertex, "error": "process did not complete"}]}) + "\n")
    failure = progress.failure("localhost:5000/x:1", 1)
    assert isinstance(failure, RuntimeConflictError)
    assert "the image pins pydantic==1.10" in str(failure)
