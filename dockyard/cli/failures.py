"""The user's traceback of a failed run, without dockyard's own frames: from the exception of a local run,
or from the error documents the containers of a remote run left in the store."""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from dockyard.errors import DockyardError

if TYPE_CHECKING:
    from dockyard.runtime.blobstore.base import Store
    from dockyard.runtime.record import ExecutionRecord

# A frame of dockyard's own code: in the checkout, or installed in a task image's site-packages.
_OURS = re.compile(r'^  File "[^"]*[/\\]dockyard[/\\](?:sdk|runtime|cli|builders|imagespec|types)[/\\]')


def one_line(exc: DockyardError) -> DockyardError:
    """The error as the CLI prints it, on one line, with the same exit code."""
    flat = " ".join(str(exc).split())
    if flat == str(exc):
        return exc
    single = DockyardError(flat)
    single.exit_code = exc.exit_code
    return single


def local_traceback(exc: BaseException) -> str:
    """The traceback of a failure in user code run in this process, without dockyard's frames."""
    import dockyard

    ours = str(Path(dockyard.__file__).parent)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(ours)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    return "".join(lines + traceback.format_exception_only(exc)).rstrip()


def without_our_frames(text: str) -> str:
    """A formatted traceback (as a container wrote it) less the frames of dockyard's own files."""
    out: list[str] = []
    skipping = False
    for line in text.rstrip().splitlines():
        if line.startswith('  File "'):
            skipping = bool(_OURS.match(line))
        elif not line.startswith("    "):
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out)


def remote_tracebacks(store: Store, record: ExecutionRecord) -> list[tuple[str, str]]:
    """(node id, user traceback) of each failed node's last attempt that left an error document."""
    from dockyard.runtime.protocol import AttemptPaths, read_error

    found = []
    for node in record.nodes.values():
        if node.phase.value != "failed" or not node.attempts:
            continue
        paths = AttemptPaths(store, record.execution_id, node.node_id, node.attempts[-1].attempt)
        error = read_error(store, paths.output_prefix)
        if error is not None and error.traceback:
            found.append((node.node_id, without_our_frames(error.traceback)))
    return found
