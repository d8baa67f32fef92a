"""`dockyard run` as a user types it, without Docker: pyflyte's project layout and flags, help, errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

from dockyard.runtime.blobstore import LocalStore
from dockyard.runtime.record import ExecutionRecord, RecordWriter
from dockyard.sdk.project import locate, project_root

from .conftest import dockyard


def test_project_root_is_the_first_folder_without_init(project: Path) -> None:
    flows = project / "mypkg" / "flows.py"
    assert project_root(flows) == project.resolve()
    source = locate(flows)
    assert (source.root, source.module) == (project.resolve(), "mypkg.flows")


def test_multi_module_project_runs_locally_from_anywhere(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = dockyard("run", str(project / "mypkg" / "flows.py"), "pipeline", "--x", "5", cwd=elsewhere)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == 20


def test_file_help_lists_the_entities(project: Path) -> None:
    out = dockyard("run", "mypkg/flows.py", "--help", cwd=project)
    assert out.returncode == 0, out.stderr
    listed = [line.split()[0] for line in out.stdout.splitlines() if line.startswith("  ")]
    assert listed == [
        "boom",
        "broken",
        "fan_out",
        "greeting",
        "nightly",
        "pipeline",
        "sleepy",
        "stamped",
        "twice",
    ]
    assert "Run workflow mypkg.flows.pipeline." in out.stdout
    assert "double" not in listed  # a plain function imported from the sibling is no entity


def test_unknown_option_is_reported_as_an_unknown_option(project: Path) -> None:
    out = dockyard("run", "--bogus", "mypkg/flows.py", "pipeline", cwd=project)
    assert out.returncode == 2
    assert "No such option" in out.stderr and "--bogus" in out.stderr
    assert "no such file" not in out.stderr
    late = dockyard("run", "mypkg/flows.py", "pipeline", "--remote", cwd=project)
    assert late.returncode == 2
    assert "--remote is an option of dockyard run: put it before FILE" in late.stderr


def test_env_reaches_the_task_and_options_after_entity_are_inputs(project: Path) -> None:
    out = dockyard("run", "--env", "GREETING=hi", "mypkg/flows.py", "greeting", "--name", "bob", cwd=project)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == "hi bob"  # --name after ENTITY is the input, not the execution name
    bad = dockyard("run", "--env", "GREETING", "mypkg/flows.py", "greeting", "--name", "b", cwd=project)
    assert bad.returncode == 2 and "--env 'GREETING': expected KEY=VALUE" in bad.stderr


def test_version_and_a_config_file(project: Path, tmp_path: Path) -> None:
    out = dockyard("--version", cwd=project)
    assert out.returncode == 0 and out.stdout.startswith("dockyard ")
    missing = dockyard("-c", str(tmp_path / "nope.toml"), "executions", cwd=project)
    assert missing.returncode == 2
    assert "nope.toml: no such config file" in missing.stderr
    store = LocalStore(f"file://{tmp_path}/other-store")
    RecordWriter(store, ExecutionRecord(execution_id="xconfigured", workflow="mypkg.flows.pipeline")).save()
    (project / "dockyard.toml").write_text(f'[store]\nurl = "file://{tmp_path}/project-store"\n')
    config = tmp_path / "ci.toml"
    config.write_text(f'[store]\nurl = "{store.url}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKYARD_")}
    listed = dockyard("-c", str(config), "executions", "--format", "json", cwd=project, env=env)
    assert listed.returncode == 0, listed.stderr
    assert [e["execution_id"] for e in json.loads(listed.stdout)] == ["xconfigured"]  # not the project's


def test_dump_snippet_is_python_that_names_the_run(project: Path) -> None:
    out = dockyard("run", "--dump-snippet", "-p", "ml", "mypkg/flows.py", "pipeline", cwd=project)
    assert out.returncode == 0, out.stderr
    compile(out.stdout, "snippet", "exec")
    assert "DockyardRemote(project='ml'" in out.stdout and "'pipeline'" in out.stdout
