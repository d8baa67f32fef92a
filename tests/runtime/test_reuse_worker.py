"""The warm process of a reusable container (`dockyard-execute serve`, docs/reuse.md), run here as a local
process and driven over its socket as the driver drives it: the task's module is imported once, before
the forks, yet no attempt sees what another set; a bundle of other content gets a code process of its
own; an import that fails or hangs is reported by its attempt and leaves the next one unharmed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockyard.runtime.blobstore import LocalStore
from dockyard.runtime.bundle import upload_bundle
from dockyard.runtime.protocol import ERROR, OUTPUTS, ErrorDocument
from dockyard.sdk.types.literal import literals_from_json, literals_to_json

COUNTED = """
import os
from pathlib import Path

from dockyard import task

VERSION = "{version}"
IMPORTED_IN = os.getpid()
STATE: list[int] = []  # module state: each attempt appends to it, and must find it as the import left it
with open(os.environ["IMPORT_LOG"], "a") as log:  # the attempt's env: IMPORT_LOG comes in the request
    log.write(f"{{VERSION}} {{IMPORTED_IN}}\\n")


@task
def bump(x: int) -> str:
    STATE.append(x)
    here = sorted(p.name for p in Path(".").iterdir())
    Path("left-by-attempt").write_text("x")
    return f"{{VERSION}} state={{STATE}} cwd={{here}} imported_by_parent={{os.getppid() == IMPORTED_IN}}"
"""

BROKEN = """
import os
import time

from dockyard import task

time.sleep(float(os.environ.get("HANG", "0")))
if os.environ.get("FAIL_IMPORT"):
    raise RuntimeError("cannot import this module")


@task
def fine(x: int) -> int:
    return x
"""


class Worker:
    """`dockyard-execute serve` connected to a socket this test listens on, as the driver's is."""

    def __init__(self, tmp: Path, store: LocalStore) -> None:
        self.store = store
        self.tmp = tmp / "worker-tmp"
        self.tmp.mkdir()
        path = tmp / "worker.sock"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        server.listen(1)
        server.settimeout(60)
        env = {**os.environ, "DOCKYARD_STORE_URL": store.url, "TMPDIR": str(self.tmp)}
        command = [sys.executable, "-m", "dockyard.runtime", "serve", "--socket", str(path)]
        self.proc = subprocess.Popen(command, env=env, cwd=tmp)
        self.conn, _ = server.accept()
        server.close()
        self.reader = self.conn.makefile("rb")
        self.runs = 0

    def run(self, task: str, bundle: str, x: int, timeout: float | None = None, **env: str) -> dict[str, Any]:
        """One attempt; its reply, and its outputs or error document."""
        self.runs += 1
        inputs = self.store.url_for(f"in{self.runs}.json")
        self.store.write_bytes(inputs, literals_to_json({"x": {"int": x}}).encode())
        out = self.store.url_for(f"out{self.runs}")
        argv = ["--inputs", inputs, "--output-prefix", out, "--task", task, "--bundle", bundle]
        request = {"argv": argv, "env": {"IMPORT_LOG": str(self.tmp.parent / "imports.log"), **env}}
        self.conn.sendall(json.dumps({**request, "timeout": timeout}).encode() + b"\n")
        reply: dict[str, Any] = json.loads(self.reader.readline())
        if self.store.exists(f"{out}/{OUTPUTS}"):
            reply["outputs"] = literals_from_json(self.store.read_bytes(f"{out}/{OUTPUTS}").decode())
        if self.store.exists(f"{out}/{ERROR}"):
            reply["error"] = ErrorDocument.model_validate(self.store.read_json(f"{out}/{ERROR}"))
        return reply

    def close(self) -> None:
        self.reader.close()
        self.conn.close()
        assert self.proc.wait(timeout=30) == 0


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(f"file://{tmp_path}/store")


@pytest.fixture
def worker(tmp_path: Path, store: LocalStore) -> Iterator[Worker]:
    worker = Worker(tmp_path, store)
    try:
        yield worker
    finally:
        if worker.proc.poll() is None:
            worker.close()


def bundle(store: LocalStore, root: Path, **files: str) -> str:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / f"{name}.py").write_text(textwrap.dedent(text))
    return upload_bundle(root, store)


def text(reply: dict[str, Any]) -> str:
    assert reply["exit"] == 0, reply
    return str(reply["outputs"]["o0"]["str"])


def imports(tmp_path: Path) -> list[str]:
    return (tmp_path / "imports.log").read_text().splitlines()


def test_module_imported_once_but_each_attempt_starts_from_it_untouched(
    worker: Worker, store: LocalStore, tmp_path: Path
) -> None:
    code = bundle(store, tmp_path / "v1", counted=COUNTED.format(version="v1"))
    replies = [text(worker.run("counted:bump", code, x)) for x in range(3)]
    cwd = "['counted.py']"  # a writable copy of the bundle; nothing an earlier attempt wrote
    assert replies == [f"v1 state=[{x}] cwd={cwd} imported_by_parent=True" for x in range(3)]
    assert len(imports(tmp_path)) == 1  # module-level code ran once, in the process the attempts fork from
    worker.close()
    assert not list(worker.tmp.iterdir())  # the unpacked bundle and every attempt's folder are gone


def test_a_bundle_of_other_content_is_unpacked_and_imported_afresh(
    worker: Worker, store: LocalStore, tmp_path: Path
) -> None:
    v1 = bundle(store, tmp_path / "v1", counted=COUNTED.format(version="v1"))
    v2 = bundle(store, tmp_path / "v2", counted=COUNTED.format(version="v2"))
    assert v1 != v2
    assert text(worker.run("counted:bump", v1, 1)).startswith("v1 state=[1]")
    assert text(worker.run("counted:bump", v2, 2)).startswith("v2 state=[2] ")
    assert text(worker.run("counted:bump", v1, 3)).startswith("v1 state=[3] ")
    assert [line.split()[0] for line in imports(tmp_path)] == ["v1", "v2", "v1"]


def test_a_failed_or_hung_import_is_the_attempts_and_the_next_runs_clean(
    worker: Worker, store: LocalStore, tmp_path: Path
) -> None:
    code = bundle(store, tmp_path / "src", broken=BROKEN, counted=COUNTED.format(version="v1"))
    failed = worker.run("broken:fine", code, 1, FAIL_IMPORT="1")
    assert failed["exit"] == 1 and failed["error"].kind == "user", failed
    assert "cannot import this module" in failed["error"].message
    hung = worker.run("broken:fine", code, 2, timeout=2, HANG="60")
    assert hung["timed_out"] and "outputs" not in hung and "error" not in hung, hung
    assert worker.run("broken:fine", code, 3)["outputs"] == {"o0": {"int": 3}}
    assert text(worker.run("counted:bump", code, 4)).startswith("v1 state=[4] ")


def test_the_worker_ends_when_the_driver_leaves_amid_a_hung_import(
    worker: Worker, store: LocalStore, tmp_path: Path
) -> None:
    code = bundle(store, tmp_path / "src", broken=BROKEN)
    argv = ["--inputs", "file:///nowhere", "--output-prefix", store.url_for("out"), "--task", "broken:fine"]
    request = {"argv": [*argv, "--bundle", code], "env": {"HANG": "600"}, "timeout": None}
    worker.conn.sendall(json.dumps(request).encode() + b"\n")
    time.sleep(1)  # the code process is importing the module, which sleeps
    worker.reader.close()
    worker.conn.close()
    assert worker.proc.wait(timeout=20) == 0
