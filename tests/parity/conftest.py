"""Runs the selected parity programs up front, both sides, in parallel (one worker per core).

flytekit's outcome of a program depends only on the program, the runner and flytekit's version, so outside
CI it is cached in pytest's cache (`--cache-clear` forgets it); under CI both sides always run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import pytest

from tests.conftest import _unavailable
from tests.parity.harness import (
    DOCKYARD_PYTHON,
    FLYTEKIT_PYTHON,
    FLYTEKIT_VENV,
    HARNESS,
    PROGRAMS,
    RUNNER,
    Outcome,
    run_program,
)

Outcomes = dict[str, "Future[tuple[Outcome, Outcome]]"]
_UNSTABLE = ("Timeout", "Crash")  # outcomes of the machine, not of the program: never cached


def _flytekit_version() -> str:
    found = sorted(FLYTEKIT_VENV.glob("lib/python*/site-packages/flytekit-*.dist-info"))
    return found[0].name if found else "unknown"


def _cache_key(program: Path, version: str) -> str:
    parts = (program.read_bytes(), RUNNER.read_bytes(), HARNESS.read_bytes(), version.encode())
    digest = hashlib.sha256(b"\0".join(parts)).hexdigest()
    return f"parity/flytekit/{digest[:32]}"


def _flytekit_outcome(config: pytest.Config, program: Path, version: str) -> Outcome:
    cache = None if os.environ.get("CI") else getattr(config, "cache", None)
    key = _cache_key(program, version)
    if cache is not None:
        cached = cache.get(key, None)
        if cached is not None:
            error = cached["error"]
            return Outcome(cached["stdout"], None if error is None else tuple(error), cached["stderr"])
    outcome = run_program(FLYTEKIT_PYTHON, program, rewrite=False)
    if cache is not None and (outcome.error is None or outcome.error[0] not in _UNSTABLE):
        cache.set(key, asdict(outcome))
    return outcome


@pytest.fixture(scope="session")
def parity_outcomes(request: pytest.FixtureRequest) -> Iterator[Outcomes]:
    """The (flytekit, dockyard) outcome of every program the session selected, by file name, as futures."""
    if not FLYTEKIT_PYTHON.exists():
        _unavailable(f"flytekit's venv {FLYTEKIT_VENV} is missing")
    selected = sorted(
        {
            item.callspec.params["program"]
            for item in request.session.items
            if hasattr(item, "callspec") and "program" in item.callspec.params
        }
    )
    version = _flytekit_version()

    def both(name: str) -> tuple[Outcome, Outcome]:
        program = PROGRAMS / name
        return (
            _flytekit_outcome(request.config, program, version),
            run_program(DOCKYARD_PYTHON, program, rewrite=True),
        )

    # Submitted in test order and awaited per test: each test waits for its own program only, so a slow
    # machine never charges the whole suite to the first test's timeout.
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    try:
        yield {name: pool.submit(both, name) for name in selected}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
