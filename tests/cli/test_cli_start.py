"""The CLI imports a command's module only when that command runs: `dockyard --version` and `dockyard status`
start without the modules of building, settings or the web console."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import typer

from dockyard.cli.main import COMMANDS
from dockyard.runtime.blobstore import LocalStore
from dockyard.runtime.record import ExecutionRecord, RecordWriter

# what a command that neither builds nor reads settings must not load
HEAVY = (
    "dockyard.config",
    "dockyard.cli.build",
    "dockyard.imagespec",
    "jinja2",
    "rich.table",
    "httpx",
    "docker",
)


def _modules(*argv: str, cwd: Path) -> list[str]:
    """The modules loaded by a fresh `dockyard ARGV` (its exit status is not the point)."""
    probe = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
        f"sys.argv = ['dockyard', *{list(argv)!r}]\n"
        "from dockyard.cli.main import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=False)
    return json.loads(done.stderr.splitlines()[-1])


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_the_command_map_names_every_command_of_its_module() -> None:
    """`COMMANDS` is the only list of top-level commands: each module's commands are exactly those it maps."""
    for module_name in set(COMMANDS.values()):
        app = importlib.import_module(f"dockyard.cli.{module_name}").app
        defined = set(typer.main.get_group(app).commands)
        assert defined == {c for c, m in COMMANDS.items() if m == module_name}, module_name


def test_version_and_status_load_no_build_settings_or_console(tmp_path: Path) -> None:
    store = LocalStore(f"file://{tmp_path}/store")
    writer = RecordWriter(store, ExecutionRecord(execution_id="e1", workflow="wf"))
    writer.update("n0", task="wf")
    writer.save()
    assert _heavy(_modules("--version", cwd=tmp_path)) == []
    status = _modules("status", "e1", "--store", store.url, cwd=tmp_path)
    assert "dockyard.runtime.record" in status  # the probe saw the command run
    assert _heavy(status) == []


def test_help_lists_every_command_and_an_unknown_one_is_suggested(tmp_path: Path) -> None:
    probe = [sys.executable, "-c", "from dockyard.cli.main import main; main()"]
    shown = subprocess.run([*probe, "--help"], capture_output=True, text=True, check=True, cwd=tmp_path)
    for name in COMMANDS:
        assert f" {name} " in shown.stdout, name
    typo = subprocess.run([*probe, "statu", "x"], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert typo.returncode == 2 and "'status'" in typo.stderr
