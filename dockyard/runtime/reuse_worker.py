"""`dockyard-execute serve`: the warm process of a reusable container (docs/reuse.md).

It imports dockyard once and connects to the Unix socket the driver listens on, in a folder the driver
mounted. Each request (one JSON line: the attempt's `dockyard-execute` argv, its env, its timeout) runs
in a forked child, so every attempt starts from the same warm state: fresh module state, a fresh working
and temporary folder (removed after it), the container's env plus the attempt's own, stdout and stderr
captured for the reply. A crash, `os._exit` or a kill of the child ends that attempt only; a child still
running at its timeout is killed with its process group, and whatever an attempt leaves running in the
background is killed when it ends. The process exits, and the container with it,
when the driver's connection closes (the driver ended or died) or no request came for `--idle-ttl` seconds.
Only stdlib and the entrypoint's own modules are imported, as for `dockyard-execute`.
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
from typing import Any

MAX_LOG_BYTES = 8 * 1024 * 1024  # the tail kept of one attempt's output


# dockyard's names that task modules import (`from dockyard import task, ImageSpec, ...`)
COMMON_NAMES = ("task", "workflow", "dynamic", "map_task", "ImageSpec", "current_context", "Resources")


def _warm(env: dict[str, str]) -> None:
    """Import in the parent what every attempt imports, so that forks start with it loaded: dockyard's
    own modules only (the task's module is the attempt's to import, so its state is always fresh)."""
    import dockyard
    import dockyard.runtime.blobstore
    import dockyard.runtime.bundle
    import dockyard.runtime.checkpoint
    import dockyard.runtime.entrypoint
    import dockyard.sdk.entities
    import dockyard.sdk.local
    import dockyard.sdk.types.literal
    import dockyard.sdk.types.transfer

    for name in COMMON_NAMES:
        getattr(dockyard, name)
    if env.get("DOCKYARD_STORE_URL", "").startswith("s3://"):
        with contextlib.suppress(ImportError):
            import boto3  # noqa: F401


def _child(
    argv: list[str], env: dict[str, str], base_env: dict[str, str], log_fd: int, work: str, conn: int
) -> None:
    """In the forked child: become the attempt, run it, and never return."""
    status = 2
    try:
        os.close(conn)  # the driver's connection is the warm process's, never the attempt's
        os.setpgid(0, 0)  # its own group: a timeout kills whatever the attempt started too
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.environ.clear()
        os.environ.update({**base_env, **env, "TMPDIR": work})
        tempfile.tempdir = work
        os.chdir(work)
        from dockyard.runtime.entrypoint import parse_args, run

        status = run(parse_args(argv))
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def _reap() -> None:
    """Collect finished orphans: this process is the container's first, their parent once theirs ends."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code  # killed by a signal: as a shell (and Docker) reports it


def run_one(request: dict[str, Any], base_env: dict[str, str], conn: socket.socket) -> dict[str, Any] | None:
    """Run one attempt in a child; its reply, or None when the driver went away meanwhile."""
    env = {str(k): str(v) for k, v in request.get("env", {}).items()}
    _warm(env)
    timeout = request.get("timeout")
    work = tempfile.mkdtemp(prefix="dockyard-attempt-")
    log_fd, log_path = tempfile.mkstemp(prefix="dockyard-attempt-log-")
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child([str(a) for a in request["argv"]], env, base_env, log_fd, work, conn.fileno())
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
        _reap()
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


def serve(socket_path: str, idle_ttl: float) -> int:
    """Answer the driver's requests until it leaves or stays quiet for `idle_ttl` seconds. The driver
    listens and this process connects: a driver already gone refuses the connection, and the container
    ends at once instead of waiting out its idle time."""
    base_env = dict(os.environ)
    _warm(base_env)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(socket_path)
    except OSError as exc:
        print(f"dockyard-execute serve: no driver at {socket_path} ({exc.strerror})", file=sys.stderr)
        return 0
    reader = conn.makefile("rb")
    while True:
        ready, _, _ = select.select([conn], [], [], idle_ttl)
        if not ready:
            return 0  # idle too long: the container exits and Docker removes it
        line = reader.readline()
        if not line:
            return 0  # the driver closed the connection (it ended, or died)
        reply = run_one(json.loads(line), base_env, conn)
        if reply is None:
            return 0
        conn.sendall(json.dumps(reply).encode() + b"\n")


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="dockyard-execute serve", description="Serve reused attempts.")
    parser.add_argument("--socket", required=True, help="path of the driver's Unix socket")
    parser.add_argument("--idle-ttl", type=float, default=60.0, help="seconds to wait for a request")
    ns = parser.parse_args(argv)
    return serve(ns.socket, ns.idle_ttl)
