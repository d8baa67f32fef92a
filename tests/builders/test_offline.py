"""`--no-push` and local-engine builds need no registry when the base image is in the local engine.

The registry is a local server that records the first bytes of every connection and answers none usefully
(503). The base image is the Debian one, tagged in the local engine under that server's address, and the
image's own repository is there too. dockyard asks it nothing (no base digest, platforms or presence check:
the local engine's digest is used and FROM names the base by its tag). BuildKit's docker driver still probes
the base's registry for its metadata (a TLS hello, then `HEAD` with BuildKit's user agent) whatever FROM
says, and goes on without an answer: those probes are the only connections, and the build succeeds.
"""

from __future__ import annotations

import socketserver
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockyard.builders.engine import BuildEngine
from dockyard.imagespec import ImageSpec

from .conftest import build_settings
from .test_cli import dockyard

pytestmark = [pytest.mark.docker, pytest.mark.slow]


class Recorder(socketserver.ThreadingTCPServer):
    """Records the first bytes of every connection (plain HTTP, or a TLS hello), then answers 503."""

    daemon_threads = True
    requests: list[bytes]


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        assert isinstance(self.server, Recorder)
        self.request.settimeout(5)
        try:
            self.server.requests.append(self.request.recv(4096))
            self.request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
        except OSError:
            self.server.requests.append(b"(connection)")


def _from_dockyard(requests: list[bytes]) -> list[bytes]:
    """The connections that are not BuildKit's own probe: its TLS hello (dockyard speaks plain http to a
    loopback registry) or a request with its user agent."""
    return [r for r in requests if not r.startswith(b"\x16\x03") and b"User-Agent: buildkit/" not in r]


@pytest.fixture
def dead_registry() -> Iterator[Recorder]:
    server = Recorder(("127.0.0.1", 0), _Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_base(base_image: str, dead_registry: Recorder) -> Iterator[str]:
    ref = f"127.0.0.1:{dead_registry.server_address[1]}/offline-{uuid.uuid4().hex[:10]}/debian:bookworm"
    subprocess.run(["docker", "tag", base_image, ref], check=True, capture_output=True, timeout=60)
    yield ref
    subprocess.run(["docker", "image", "rm", ref], capture_output=True, timeout=60, check=False)


def test_no_push_and_local_engine_builds_ask_no_registry(
    dead_registry: Recorder, local_base: str, tmp_path: Path
) -> None:
    host = f"127.0.0.1:{dead_registry.server_address[1]}"
    name = f"offline-{uuid.uuid4().hex[:10]}"
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"name: {name}\nbase_image: {local_base}\ncommands: ['echo offline > /root/offline.txt']\n"
    )
    built = dockyard("build", str(spec), "--no-push", cwd=tmp_path, env={"DOCKYARD_BUILD_REGISTRY": host})
    image = f"{host}/{name}"
    try:
        assert built.returncode == 0, built.stderr[-2000:]
        assert not _from_dockyard(dead_registry.requests)
        shown = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "cat", built.stdout.split()[1], "/root/offline.txt"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert shown.stdout == "offline\n", shown.stderr
        # A run on the local engine (run --remote on Docker) finds the image there, asking nothing.
        settings = build_settings(tmp_path / "work", registry=host)
        engine = BuildEngine(settings)
        outcome = engine.ensure([ImageSpec.from_yaml(spec)], local=True)
        assert [o.source for o in outcome.values()] == ["local"]
        assert [o.image for o in outcome.values()] == [built.stdout.split()[1]]
        assert not _from_dockyard(dead_registry.requests)
    finally:
        listed = subprocess.run(
            ["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", image],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        if listed.stdout.split():
            subprocess.run(
                ["docker", "image", "rm", *listed.stdout.split()], capture_output=True, check=False
            )
