"""`dockyard-execute serve`: the warm process of a reusable container (docs/reuse.md).

It imports dockyard once and connects to the Unix socket the driver listens on, in a folder the driver
mounted. It then forks a code process, which serves the requests (one JSON line each: the attempt's
`dockyard-execute` argv, its env, its timeout) of one code bundle: it unpacks that bundle once (read-only,
kept for the container's life), and before each attempt imports the task's module (once: module-level
code runs once per code process, not per attempt) and resolves a sub-DAG node's task (its document parsed
once per content). Each attempt then runs in a fork of the code process, so every attempt starts from the
same warm state: module state as the import left it, a fresh working folder (a copy of the bundle) and
temporary folder (removed after it), the container's env plus the attempt's own, stdout and stderr
captured for the reply. A request for another bundle ends the code process; the warm process forks a new
one, from its own state, which no user code has touched. A crash, `os._exit` or a kill of an attempt ends
that attempt only; one still running at its timeout is killed with its process group, and whatever an
attempt leaves running in the background is killed when it ends. The processes exit, and the container
with them, when the driver's connection closes (the driver ended or died) or no request came for
`--idle-ttl` seconds. Only stdlib and the entrypoint's own modules are imported, as for `dockyard-execute`.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

MAX_LOG_BYTES = 8 * 1024 * 1024  # the tail kept of one attempt's output


# dockyard's names that task modules import (`from dockyard import task, ImageSpec, ...`)
COMMON_NAMES = ("task", "workflow", "dynamic", "map_task", "ImageSpec", "current_context", "Resources")


def _warm(env: dict[str, str]) -> None:
    """Import in the warm process what every attempt imports, so that forks start with it loaded."""
    import dockyard
    import dockyard.runtime.blobstore
    import dockyard.runtime.bundle
    import dockyard.runtime.checkpoint
    import dockyard.runtime.entrypoint
    import dockyard.sdk.container_task
    import dockyard.sdk.entities
    import dockyard.sdk.flyte_context
    import dockyard.sdk.local
    import dockyard.sdk.types.literal
    import dockyard.sdk.types.transfer

    for name in COMMON_NAMES:
        getattr(dockyard, name)
    if env.get("DOCKYARD_STORE_URL", "").startswith("s3://"):
        with contextlib.suppress(ImportError):
            import boto3  # noqa: F401


NEXT = 3  # a code process's exit status that asks the warm process for a new one


@dataclass
class Code:
    """The code process's state: the bundle it serves (None: the image's code) once it knows it, where it
    unpacked it, and whether it is to be replaced after the current attempt."""

    bundle: str | None = None
    known: bool = False
    unpacked: Path | None = None
    retire: bool = False
    stores: dict[str, Any] = field(default_factory=dict)

    def store(self, env: dict[str, str]) -> Any:
        """The store the attempt names, opened once (used in this process only, never by a fork: the
        connections of an S3 client are not to be shared)."""
        from dockyard.runtime.blobstore import open_store

        url = env.get("DOCKYARD_STORE_URL", "")
        if url not in self.stores:
            self.stores[url] = open_store(url or None)
        return self.stores[url]

    def unpack(self, bundle: str, store: Any) -> None:
        """Unpack the bundle read-only, put it first on sys.path and move into it (where module-level
        code reads relative paths from); attempts start from copies of it (`entrypoint.UNPACKED`)."""
        from dockyard.runtime import entrypoint
        from dockyard.runtime.bundle import read_only_copy

        dest = Path(tempfile.mkdtemp(prefix="dockyard-code-"))
        try:
            entrypoint.UNPACKED[bundle] = read_only_copy(bundle, store, dest)
        except BaseException:
            _remove_read_only(dest)
            raise
        self.unpacked = dest
        sys.path.insert(0, str(dest))
        os.chdir(dest)

    def remove(self) -> None:
        if self.unpacked is not None:
            _remove_read_only(self.unpacked)


def _remove_read_only(folder: Path) -> None:
    for path in (folder, *folder.rglob("*")):  # writable again first, to be removable
        with contextlib.suppress(OSError):
            path.chmod(path.stat().st_mode | 0o200)
    shutil.rmtree(folder, ignore_errors=True)


class _Stopped(BaseException):
    """The attempt's time ran out ("timed_out"), or the driver left ("driver_gone"), while the code process
    prepared it."""


@contextlib.contextmanager
def _watched(conn: socket.socket, deadline: float | None) -> Iterator[None]:
    """Check twice a second, while the body runs, the attempt's deadline and the driver's connection: user
    code runs here (the task's module being imported), and may hang."""

    def check(signum: int, frame: Any) -> None:
        if deadline is not None and time.monotonic() >= deadline:
            raise _Stopped("timed_out")
        ready, _, _ = select.select([conn], [], [], 0)
        if ready and not conn.recv(1, socket.MSG_PEEK):
            raise _Stopped("driver_gone")

    previous = signal.signal(signal.SIGALRM, check)
    first = 0.5 if deadline is None else min(0.5, max(0.01, deadline - time.monotonic()))
    signal.setitimer(signal.ITIMER_REAL, first, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _attempt_env(env: dict[str, str]) -> Iterator[None]:
    """os.environ as the attempt sees it, for module-level code run on its behalf; restored after."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _prepare(argv: list[str], env: dict[str, str], code: Code) -> Any:
    """Before the fork: unpack the bundle (once), resolve a sub-DAG node's task (its document parsed once
    per content), import the task's module (once), all under the attempt's env. Returns the attempt's
    parsed args with the task resolved, or None: what fails here, the attempt does again itself and
    reports. A module whose import failed may have left some of its own imports done, so the code process
    is replaced after that attempt."""
    from dockyard.runtime import entrypoint
    from dockyard.sdk.entities import load_entity

    try:
        args = entrypoint.parse_args(argv)
    except SystemExit:
        return None
    with _attempt_env(env):
        try:
            store = code.store(env)
            if args.bundle and args.bundle not in entrypoint.UNPACKED:
                code.unpack(args.bundle, store)
            ref = entrypoint.task_ref(args, store)
        except Exception:
            return None
        if args.bundle and args.bundle not in entrypoint.UNPACKED:
            return None  # never the image's copy of a module in the bundle's stead
        try:
            load_entity(ref)
        except Exception:
            code.retire = True
            return None
    return replace(args, task=ref, dynamic_graph=None, dynamic_node=None)


def _child(
    args: Any, argv: list[str], env: dict[str, str], base_env: dict[str, str], log_fd: int, work: str
) -> None:
    """In the forked child: become the attempt, run it, and never return."""
    status = 2
    try:
        os.setpgid(0, 0)  # its own group: a timeout kills whatever the attempt started too
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.environ.clear()
        os.environ.update({**base_env, **env, "TMPDIR": work})
        tempfile.tempdir = work
        os.chdir(work)
        from dockyard.runtime.entrypoint import parse_args, run

        status = run(args if args is not None else parse_args(argv))
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code  # killed by a signal: as a shell (and Docker) reports it


def run_one(
    request: dict[str, Any], base_env: dict[str, str], conn: socket.socket, code: Code
) -> dict[str, Any] | None:
    """Run one attempt in a child; its reply, or None when the driver went away meanwhile."""
    env = {str(k): str(v) for k, v in request.get("env", {}).items()}
    _warm(env)
    argv = [str(a) for a in request["argv"]]
    timeout = request.get("timeout")
    started = time.monotonic()
    try:
        with _watched(conn, None if timeout is None else started + timeout):
            args = _prepare(argv, {**base_env, **env}, code)
    except _Stopped as stop:
        code.retire = True  # stopped amid an import
        if stop.args[0] == "driver_gone":
            return None
        message = "dockyard-execute serve: the attempt timed out while its task's module was imported\n"
        return {"exit": 128 + signal.SIGKILL, "timed_out": True, "logs": message}
    work = tempfile.mkdtemp(prefix="dockyard-attempt-")
    log_fd, log_path = tempfile.mkstemp(prefix="dockyard-attempt-log-")
    pid = os.fork()
    if pid == 0:
        os.close(conn.fileno())  # the driver's connection is the warm process's, never the attempt's
        _child(args, argv, env, base_env, log_fd, work)
    os.close(log_fd)
    pidfd = os.pidfd_open(pid)
    timed_out = driver_gone = False
    try:
        while True:
            remaining = None if timeout is None else timeout - (time.monotonic() - started)
            if remaining is not None and remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([pidfd, conn.fileno()], [], [], remaining)
            if pidfd in ready:
                break
            if ready and not conn.recv(1, socket.MSG_PEEK):
                driver_gone = True
                break
        if timed_out or driver_gone:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        with contextlib.suppress(ProcessLookupError):  # what the attempt left running in the background
            os.killpg(pid, signal.SIGKILL)
    finally:
        os.close(pidfd)
        shutil.rmtree(work, ignore_errors=True)
    with open(log_path, "rb") as log:
        log.seek(max(0, os.path.getsize(log_path) - MAX_LOG_BYTES))
        logs = log.read().decode(errors="replace")
    os.unlink(log_path)
    if driver_gone:
        return None
    return {"exit": _exit_code(status), "timed_out": timed_out, "logs": logs}


def _bundle_of(request: dict[str, Any]) -> str | None:
    argv = [str(a) for a in request["argv"]]
    return argv[argv.index("--bundle") + 1] if "--bundle" in argv[:-1] else None


def _serve_code(
    conn: socket.socket, base_env: dict[str, str], idle_ttl: float, line: bytes
) -> tuple[bool, bytes]:
    """The code process: answer requests of one bundle, starting with `line` if any, until the driver
    leaves or stays quiet for `idle_ttl` seconds (False), or until this process is to be replaced (True),
    with the request of another bundle that the next code process is to start with."""
    code = Code()
    reader = conn.makefile("rb")
    try:
        while True:
            if not line:
                ready, _, _ = select.select([conn], [], [], idle_ttl)
                if not ready:
                    return False, b""  # idle too long: the container exits and Docker removes it
                line = reader.readline()
                if not line:
                    return False, b""  # the driver closed the connection (it ended, or died)
            request = json.loads(line)
            bundle = _bundle_of(request)
            if code.known and bundle != code.bundle:
                return True, line
            code.bundle, code.known = bundle, True
            reply = run_one(request, base_env, conn, code)
            if reply is None:
                return False, b""
            conn.sendall(json.dumps(reply).encode() + b"\n")
            if code.retire:
                return True, b""
            line = b""
    finally:
        code.remove()


def serve(socket_path: str, idle_ttl: float) -> int:
    """Answer the driver's requests until it leaves or stays quiet for `idle_ttl` seconds. The driver
    listens and this process connects: a driver already gone refuses the connection, and the container
    ends at once instead of waiting out its idle time. Code processes forked from this one, one after
    another, serve the requests, so this process never runs user code."""
    base_env = dict(os.environ)
    _warm(base_env)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(socket_path)
    except OSError as exc:
        print(f"dockyard-execute serve: no driver at {socket_path} ({exc.strerror})", file=sys.stderr)
        return 0
    handover_fd, handover = tempfile.mkstemp(prefix="dockyard-handover-")
    os.close(handover_fd)
    line = b""
    try:
        while True:
            pid = os.fork()
            if pid == 0:
                status = 1
                try:
                    again, line = _serve_code(conn, base_env, idle_ttl, line)
                    Path(handover).write_bytes(line)
                    status = NEXT if again else 0
                except BaseException:
                    traceback.print_exc()
                finally:
                    os._exit(status)
            while True:  # collects the orphans of attempts meanwhile: this process is the container's first
                reaped, status = os.waitpid(-1, 0)
                if reaped == pid:
                    break
            if os.waitstatus_to_exitcode(status) != NEXT:
                return 0
            line = Path(handover).read_bytes()
    finally:
        os.unlink(handover)


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="dockyard-execute serve", description="Serve reused attempts.")
    parser.add_argument("--socket", required=True, help="path of the driver's Unix socket")
    parser.add_argument("--idle-ttl", type=float, default=60.0, help="seconds to wait for a request")
    ns = parser.parse_args(argv)
    return serve(ns.socket, ns.idle_ttl)
