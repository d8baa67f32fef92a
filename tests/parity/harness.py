"""Run a parity program under flytekit and under dockyard, each in a fresh process, HOME and cwd.

Outcome = what the program printed, and how it failed (exception type name + first line of its message).
The dockyard run sees the program with the word `flytekit` replaced by `dockyard` (what a user's `sed`
does); flytekit's output gets the same replacement, so a message naming the package still compares equal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).parent
PROGRAMS = HERE / "programs"
RUNNER = HERE / "runner.py"
HARNESS = Path(__file__)
REPO = HERE.parents[1]
DIFFERENCES = REPO / "docs" / "flytekit-differences.md"
FLYTEKIT_VENV = Path(os.environ.get("DOCKYARD_FLYTEKIT_VENV", "/var/lib/dockyard-ci/flytekit-venv"))
FLYTEKIT_PYTHON = FLYTEKIT_VENV / "bin" / "python"
DOCKYARD_PYTHON = Path(sys.executable)
TIMEOUT_S = 120
_WORD = re.compile(r"\bflytekit\b")


def to_dockyard(text: str) -> str:
    """The one rewrite: every `flytekit` word becomes `dockyard`."""
    return _WORD.sub("dockyard", text)


@dataclass(frozen=True)
class Outcome:
    """How one run ended; `stderr` is kept only to explain a mismatch, never compared."""

    stdout: str
    error: tuple[str, str] | None
    stderr: str = ""

    def key(self) -> tuple[str, tuple[str, str] | None]:
        return (self.stdout, self.error)

    def describe(self) -> str:
        raised = "nothing" if self.error is None else f"{self.error[0]}: {self.error[1]}"
        return f"stdout:\n{self.stdout}raised: {raised}"


def run_program(python: Path, program: Path, *, rewrite: bool) -> Outcome:
    """One fresh process with a fresh HOME and cwd (a temp dir that is removed afterwards)."""
    work = Path(tempfile.mkdtemp(prefix=f"parity-{program.stem}-"))
    try:
        home, cwd = work / "home", work / "cwd"
        home.mkdir()
        cwd.mkdir()
        source = program.read_text(encoding="utf-8")
        (cwd / program.name).write_text(to_dockyard(source) if rewrite else source, encoding="utf-8")
        result = work / "result.json"
        env = {
            "HOME": str(home),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TMPDIR": str(work),
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            # flytekit's rich log handler writes to stdout; logs are not what a program prints: plain
            # handlers (stderr), and only its own critical records
            "FLYTE_SDK_RICH_TRACEBACKS": "0",
            "FLYTE_SDK_LOGGING_LEVEL": "50",
        }
        try:
            proc = subprocess.run(
                [str(python), str(RUNNER), program.name, str(result)],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            return Outcome("", ("Timeout", f"no result after {TIMEOUT_S} s"))
        if not result.exists():  # the interpreter itself died (signal, import of the runner failed)
            return Outcome(proc.stdout, ("Crash", f"exit {proc.returncode}"), proc.stderr[-4000:])
        error = json.loads(result.read_text(encoding="utf-8"))["error"]
        raised = None if error is None else (error["type"], error["message"])
        return Outcome(proc.stdout, raised, proc.stderr[-4000:])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def normalised(outcome: Outcome) -> Outcome:
    """flytekit's outcome as dockyard should reproduce it (the package's name rewritten)."""
    error = None if outcome.error is None else (outcome.error[0], to_dockyard(outcome.error[1]))
    return Outcome(to_dockyard(outcome.stdout), error, outcome.stderr)


@dataclass(frozen=True)
class Difference:
    """One entry of docs/flytekit-differences.md: a program whose outcome differs on purpose."""

    program: str
    reason: str
    test: str


def load_differences(path: Path = DIFFERENCES) -> dict[str, Difference]:
    """The fenced ```yaml block under the doc's `## The list` heading, keyed by program file name."""
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^## The list\b.*?^```yaml\n(.*?)^```", text, re.S | re.M)
    if match is None:
        raise ValueError(f"{path}: no ```yaml block under '## The list'")
    entries = yaml.safe_load(match.group(1)) or []
    found: dict[str, Difference] = {}
    for entry in entries:
        difference = Difference(program=entry["program"], reason=entry["reason"], test=entry["test"])
        if difference.program in found:
            raise ValueError(f"{path}: {difference.program} is listed twice")
        found[difference.program] = difference
    return found


def programs() -> list[Path]:
    return sorted(PROGRAMS.glob("*.py"))
