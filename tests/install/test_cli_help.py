"""`--help` shows each argument's help: the click pin in pyproject.toml is what keeps it visible."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOCKYARD = str(Path(sys.executable).parent / "dockyard")


@pytest.mark.parametrize(
    ("command", "argument_help"),
    [
        (["build"], "Spec files: YAML, or `file.py:variable`."),
        (["exists"], "Spec file: YAML, or `file.py:variable`."),
        (["render"], "spec.yaml, or module.py:variable"),
    ],
)
def test_help_shows_the_arguments_help(command: list[str], argument_help: str) -> None:
    proc = subprocess.run(
        [DOCKYARD, *command, "--help"],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert argument_help in proc.stdout, proc.stdout
