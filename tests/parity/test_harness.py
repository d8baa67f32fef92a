"""The harness itself: it sees output, errors and the rewrite, and isolates HOME and cwd."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.parity.harness import (
    DOCKYARD_PYTHON,
    Outcome,
    load_differences,
    normalised,
    run_program,
    to_dockyard,
)


def test_rewrite_touches_the_word_only() -> None:
    assert to_dockyard("from flytekit.core.task import task  # flytekits") == (
        "from dockyard.core.task import task  # flytekits"
    )


def test_outcome_records_stdout_and_the_first_line_of_the_error(tmp_path: Path) -> None:
    program = tmp_path / "boom.py"
    program.write_text(
        "import os, pathlib\n"
        f"print('flytekit', str(pathlib.Path.home()) not in ({str(Path.home())!r}, ''))\n"
        "print(sorted(os.listdir('.')))\n"
        "raise ValueError('first line\\nsecond line')\n"
    )
    outcome = run_program(DOCKYARD_PYTHON, program, rewrite=True)
    assert outcome.stdout == "dockyard True\n['boom.py']\n"
    assert outcome.error == ("ValueError", "first line")


def test_a_clean_exit_is_success_and_a_nonzero_one_is_not(tmp_path: Path) -> None:
    program = tmp_path / "exit.py"
    program.write_text("import sys\nprint('x')\nsys.exit(0)\n")
    assert run_program(DOCKYARD_PYTHON, program, rewrite=False) == Outcome("x\n", None)
    program.write_text("import sys\nsys.exit(1)\n")
    assert run_program(DOCKYARD_PYTHON, program, rewrite=False).error == ("SystemExit", "1")


def test_flytekit_output_is_read_with_the_package_renamed() -> None:
    outcome = Outcome("flytekit 1\n", ("FlyteAssertion", "flytekit said no"))
    assert normalised(outcome) == Outcome("dockyard 1\n", ("FlyteAssertion", "dockyard said no"))


def test_the_differences_list_is_parsed(tmp_path: Path) -> None:
    doc = tmp_path / "d.md"
    entry = "- program: a.py\n  reason: why\n  test: t.py::test_a\n"
    doc.write_text(f"# x\n\n## The list\n\n```yaml\n{entry}```\n")
    assert load_differences(doc)["a.py"].test == "t.py::test_a"
    doc.write_text(doc.read_text().replace("```\n", "- program: a.py\n  reason: r\n  test: t\n```\n"))
    with pytest.raises(ValueError, match="listed twice"):
        load_differences(doc)
