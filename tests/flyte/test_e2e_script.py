"""scripts/e2e-flyte.sh is not run here (no Flyte cluster), but it must stay in step with what it drives."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.flyte.conftest import dockyard_cli

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "e2e-flyte.sh"


def test_script_parses() -> None:
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True, timeout=30)


def test_its_register_flags_exist() -> None:
    text = SCRIPT.read_text()
    used = set(re.findall(r"--[a-z-]+", text[text.index("dockyard register") :].split("\n\n")[0]))
    help_text = dockyard_cli("register", "--help", cwd=ROOT).stdout
    assert used and all(flag in help_text for flag in used), used


def test_its_workflow_packages(tmp_path: Path) -> None:
    """The example it registers serializes, and names the workflow the execution file launches."""
    result = dockyard_cli(
        "package", str(ROOT / "examples" / "basics.py"), "--image", "x:1", "-o", "p.tgz", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    workflow = re.search(r"workflow: (\S+)", SCRIPT.read_text())
    assert workflow is not None
    listing = subprocess.run(
        ["tar", "-tzf", str(tmp_path / "p.tgz")], capture_output=True, text=True, check=True
    )
    assert f"_{workflow.group(1)}_2.pb" in listing.stdout
