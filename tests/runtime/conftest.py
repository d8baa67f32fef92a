"""Fixtures of the runtime tests: stores on real back-ends (a local folder, a private moto S3 process)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

MOTO_SERVER = Path(sys.executable).parent / "moto_server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MotoProcess:
    """A moto S3 server of our own, so a test may stop it mid-run without harming anyone else."""

    port: int
    proc: subprocess.Popen[bytes]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def start_moto() -> MotoProcess:
    port = free_port()
    proc = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return MotoProcess(port, proc)
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"moto_server did not start on port {port}")


@pytest.fixture(autouse=True, scope="session")
def _aws_credentials() -> None:
    """moto accepts any key; boto3 still wants one to sign requests."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoProcess]:
    server = start_moto()
    yield server
    server.stop()


def make_bucket(endpoint: str) -> str:
    import boto3

    name = f"dockyard-test-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_url(moto: MotoProcess) -> str:
    return f"s3://{make_bucket(moto.endpoint)}/root"


BASE_IMAGE = "localhost:5000/dockyard/debian:bookworm"


def _need(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing (run scripts/setup.sh)")
    pytest.skip(f"{what} is missing (run scripts/setup.sh)")


@pytest.fixture(scope="session")
def docker_client() -> object:
    try:
        import docker

        client = docker.from_env()
        client.ping()
    except Exception:
        _need("the Docker engine")
    return client


@pytest.fixture(scope="session")
def base_digest(docker_client: object) -> str:
    """The base image pinned by digest (`repo@sha256:…`), as the orchestrator pins task images."""
    import docker.errors

    try:
        image = docker_client.images.get(BASE_IMAGE)  # type: ignore[attr-defined]
    except docker.errors.ImageNotFound:
        _need(f"the base image {BASE_IMAGE}")
    digests = [
        d for d in image.attrs.get("RepoDigests", []) if d.startswith("localhost:5000/dockyard/debian@")
    ]
    if not digests:
        _need(f"a registry digest of {BASE_IMAGE}")
    return str(digests[0])


class TcpProxy:
    """A loopback TCP forwarder: stopping it is, to its clients, the server going away mid-run."""

    def __init__(self, target_port: int, unix_socket: str | None = None) -> None:
        """Forwards to 127.0.0.1:`target_port`, or to `unix_socket` (e.g. the Docker engine's)."""
        self.target_port = target_port
        self.unix_socket = unix_socket
        self.port = free_port()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import threading

        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)

        def accept() -> None:
            while True:
                try:
                    client, _ = server.accept()
                except OSError:
                    return
                if self.unix_socket is not None:
                    upstream = socket.socket(socket.AF_UNIX)
                    upstream.connect(self.unix_socket)
                else:
                    upstream = socket.create_connection(("127.0.0.1", self.target_port))
                self._conns += [client, upstream]
                threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
                threading.Thread(target=pump, args=(upstream, client), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        for conn in self._conns:
            with contextlib.suppress(OSError):  # shutdown wakes the pumps and tells the peers at once
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
        self._conns.clear()
