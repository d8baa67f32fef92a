"""Run one parity program and record how it ended; executed by both flytekit's and dockyard's Python.

Usage: python runner.py PROGRAM RESULT_JSON. Standard library only, because it runs in flytekit's venv too.
The program runs as `__main__` (like `python PROGRAM`); whatever escapes it is written to RESULT_JSON as
its type name and the first line of its message, the two things the harness compares.
"""

import json
import os
import runpy
import sys


def main() -> None:
    program, result_path = sys.argv[1], sys.argv[2]
    sys.argv = [program]
    sys.path[0] = os.getcwd()  # the program sits in the cwd, as `python PROGRAM` would see it
    error = None
    try:
        runpy.run_path(program, run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            error = {"type": "SystemExit", "message": str(exc.code)}
    except BaseException as exc:  # the outcome under test, whatever it is
        lines = str(exc).strip().splitlines()
        error = {"type": type(exc).__name__, "message": lines[0].strip() if lines else ""}
    sys.stdout.flush()
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump({"error": error}, handle)


if __name__ == "__main__":
    main()
