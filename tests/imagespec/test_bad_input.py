"""Every malformed input is one line naming the file or variable, with exit 2: never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCKYARD = str(Path(sys.executable).parent / "dockyard")


def _error(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [DOCKYARD, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "DOCKYARD_BUILD_WORK_DIR": str(cwd / "work"), **(env or {})},
        timeout=120,
        check=False,
    )
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)

BAD_SPECS = {
    "utf16": ("name: x\n".encode("utf-16"), "not UTF-8 text"),
    "latin1": ("name: caf\xe9\n".encode("latin-1"), "not UTF-8 text"),
    "binary": (bytes(range(256)) * 4, "not UTF-8 text"),
    "nul": (b"name: x\n\0\0\0", "contains NUL bytes"),
    "recursive-alias": (b"name: x\npackages: &p [*p]\n", "nested deeper than 64 levels"),
    "deep": (b"name: x\npackages: " + b"[" * 20_000 + b"]" * 20_000 + b"\n", "nested deeper than"),
    "bomb": (("name: x\n" + BOMB.replace("a:", "env_a:", 1)).encode(), "YAML nodes"),
    "huge": (b"name: x\n" + b"# padding\n" * 200_000, "-byte limit of a spec file"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_a_malformed_spec_file_is_one_line(tmp_path: Path, case: str) -> None:
    content, expected = BAD_SPECS[case]
    (tmp_path / "spec.yaml").write_bytes(content)
    line = _error(tmp_path, "render", "spec.yaml")
    assert "spec.yaml" in line and expected in line, line


@pytest.mark.parametrize("content", ["name = 'x'\n".encode("utf-16"), b"[build]\nregistry = '\xff'\n"])
def test_a_dockyard_toml_that_is_not_utf8_is_one_line(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "dockyard.toml").write_bytes(content)
    (tmp_path / "spec.yaml").write_text("name: x\n")
    assert "dockyard.toml: not UTF-8 text" in _error(tmp_path, "render", "spec.yaml")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("[not json", "invalid JSON"), ('{"a": 1}', "must be a JSON list"), ("[" * 50_000, "invalid JSON")],
)
def test_a_dockyard_variable_with_bad_json_is_one_line(tmp_path: Path, value: str, expected: str) -> None:
    (tmp_path / "spec.yaml").write_text("name: x\n")
    line = _error(tmp_path, "render", "spec.yaml", env={"DOCKYARD_BUILD_PIP_EXTRA_INDEX_URLS": value})
    assert "DOCKYARD_BUILD_PIP_EXTRA_INDEX_URLS" in line and expected in line, line


@pytest.mark.parametrize("code", ["0", "3", "'bye'"])
def test_a_spec_module_that_exits_at_import_is_one_line(tmp_path: Path, code: str) -> None:
    (tmp_path / "spec.py").write_text(f"import sys\nsys.exit({code})\n")
    line = _error(tmp_path, "build", "spec.py")
    assert "spec.py: called sys.exit(" in line and "while being imported" in line, line


@pytest.mark.parametrize("content", ["x = 1\n".encode("utf-16"), b"x = '\xff\xfe'\n", b"\0\1\2binary"])
def test_a_spec_module_that_is_not_python_text_is_one_line(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "spec.py").write_bytes(content)
    assert "spec.py: cannot import:" in _error(tmp_path, "render", "spec.py")
