"""Every program in programs/ behaves the same under flytekit 1.16 and under dockyard (README.md).

A program whose outcome differs on purpose is listed in docs/flytekit-differences.md, with the reason
and the test that pins dockyard's behaviour; a listed program that has come to match fails too, so the
list never outlives the difference.
"""

from __future__ import annotations

import re

import pytest

from tests.parity.conftest import Outcomes
from tests.parity.harness import DIFFERENCES, REPO, load_differences, normalised, programs

DIFFERENCES_BY_PROGRAM = load_differences()


@pytest.mark.parametrize("program", [path.name for path in programs()])
def test_same_outcome_as_flytekit(program: str, parity_outcomes: Outcomes) -> None:
    flytekit, dockyard = parity_outcomes[program].result()
    expected = normalised(flytekit)
    listed = DIFFERENCES_BY_PROGRAM.get(program)
    if listed is None:
        assert dockyard.key() == expected.key(), (
            f"{program} differs from flytekit 1.16 (fix dockyard, or list it in {DIFFERENCES.name})\n"
            f"--- flytekit\n{expected.describe()}\n--- dockyard\n{dockyard.describe()}\n"
            f"--- flytekit stderr (tail)\n{flytekit.stderr[-1500:]}\n--- dockyard stderr (tail)\n"
            f"{dockyard.stderr[-1500:]}"
        )
    else:
        assert dockyard.key() != expected.key(), (
            f"{program} now behaves as flytekit does: remove its entry from {DIFFERENCES.name}"
        )


def test_differences_name_real_programs_and_pinning_tests() -> None:
    names = {path.name for path in programs()}
    for difference in DIFFERENCES_BY_PROGRAM.values():
        assert difference.program in names, f"{DIFFERENCES.name}: no program {difference.program}"
        assert difference.reason.strip(), f"{DIFFERENCES.name}: {difference.program} gives no reason"
        path, _, name = difference.test.partition("::")
        test_file = REPO / path
        assert test_file.is_file(), f"{DIFFERENCES.name}: {difference.program}: no test file {path}"
        function = re.sub(r"\[.*\]$", "", name.rpartition("::")[2])
        assert re.search(rf"^\s*(async )?def {re.escape(function)}\(", test_file.read_text(), re.M), (
            f"{DIFFERENCES.name}: {difference.program}: no test {difference.test}"
        )
