"""Another Debian suite's base image, made lazily by the `debian_image` fixture (scripts/base-image.sh)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.registry]


def test_trixie_image_has_its_own_python(debian_image: Callable[[str], str]) -> None:
    image = debian_image("trixie")
    result = subprocess.run(
        ["docker", "run", "--rm", image, "python3", "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(3, 13)"
