"""`dockyard run --remote` as a user sees it: the live view on a pseudo-terminal, plain and JSON progress
when piped, the execution id first and last, the user's traceback from the container, and the commands that
read executions afterwards. A two-module project runs in containers (real Docker, registry and store)."""

from __future__ import annotations

import json
import re
import tarfile
import time
from pathlib import Path

import pexpect
import pytest

from .conftest import DOCKYARD, cli_env, dockyard

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def test_plain_progress_multi_module_project_and_the_commands_after(
    project: Path, tmp_path: Path, docker_engine: str, registry: str
) -> None:
    env = cli_env(tmp_path)
    (project / "notes.txt").write_text("not a module: --copy auto leaves it out\n")
    ran = dockyard(
        "run",
        "--remote",
        "--progress",
        "plain",
        "mypkg/flows.py",
        "pipeline",
        "--x",
        "5",
        cwd=project,
        env=env,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == 20  # flows.py imported mypkg.utils inside the containers
    lines = ran.stderr.splitlines()
    assert all(re.match(STAMP + " ", line) for line in lines), ran.stderr
    first = re.match(STAMP + r" execution (x\w+): running \(entity mypkg\.flows\.pipeline\)$", lines[0])
    assert first, lines[0]
    execution_id = first.group(1)
    assert re.match(STAMP + f" execution {execution_id}: succeeded$", lines[-1])
    nodes = [line.split(" ", 1)[1] for line in lines if " node " in line]
    assert nodes == [
        "node n0-n0 mypkg.flows.twice running attempt 0",
        "node n0-n0 mypkg.flows.twice succeeded attempt 0",
        "node n0-n1 mypkg.flows.twice running attempt 0",
        "node n0-n1 mypkg.flows.twice succeeded attempt 0",
    ]

    record_dir = tmp_path / "store" / "executions" / execution_id
    bundle_uri = json.loads((record_dir / "record.json").read_text())["bundle_uri"]
    with tarfile.open(bundle_uri.removeprefix("file://")) as tar:
        assert sorted(tar.getnames()) == ["mypkg/__init__.py", "mypkg/flows.py", "mypkg/utils.py"]

    listed = dockyard("executions", "--format", "json", cwd=project, env=env)
    assert [(e["execution_id"], e["entity"], e["phase"]) for e in json.loads(listed.stdout)] == [
        (execution_id, "mypkg.flows.pipeline", "succeeded")
    ]
    assert (
        dockyard("executions", "--phase", "failed", "--format", "json", cwd=project, env=env).stdout.strip()
        == "[]"
    )
    status = dockyard("status", execution_id, cwd=project, env=env)
    assert status.returncode == 0, status.stderr
    rows = [line.split() for line in status.stdout.splitlines()[2:]]
    assert [r[0] for r in rows] == ["n0", "n0-n0", "n0-n1"]
    assert [r[2] for r in rows[1:]] == ["succeeded", "succeeded"]
    assert json.loads(dockyard("outputs", execution_id, "--format", "json", cwd=project, env=env).stdout) == {
        "o0": 20
    }
    logs = dockyard("logs", execution_id, "n0-n1", "--follow", cwd=project, env=env)
    assert logs.returncode == 0 and "outputs.json" in logs.stdout


def test_json_progress_and_the_user_traceback_of_a_remote_failure(
    project: Path, tmp_path: Path, docker_engine: str, registry: str
) -> None:
    env = cli_env(tmp_path)
    ran = dockyard("run", "-r", "--progress", "json", "mypkg/flows.py", "broken", cwd=project, env=env)
    assert ran.returncode == 5
    events, rest = [], []
    for line in ran.stderr.splitlines():
        (events if line.startswith("{") and not rest else rest).append(line)
    docs = [json.loads(e) for e in events]
    assert docs[0]["event"] == "execution" and docs[0]["phase"] == "running"
    assert docs[-1]["event"] == "execution" and docs[-1]["phase"] == "failed"
    assert docs[0]["execution_id"] == docs[-1]["execution_id"]
    failed = [d for d in docs if d["event"] == "node" and d["phase"] == "failed"]
    assert [(d["node"], d["message"]) for d in failed] == [("n0-n1", "ValueError: no good: 2")]
    text = "\n".join(rest)
    assert "node n0-n1:\nTraceback (most recent call last):" in text
    assert re.search(r'File "[^"]*/mypkg/flows\.py", line \d+, in boom', text)
    assert "ValueError: no good: 2" in text
    assert "dockyard/runtime" not in text and "entrypoint.py" not in text  # no dockyard frames
    assert rest[-1].startswith("error: ") and len([r for r in rest if r.startswith("error:")]) == 1


def test_live_view_on_a_terminal(project: Path, tmp_path: Path, docker_engine: str, registry: str) -> None:
    child = pexpect.spawn(
        DOCKYARD[0],
        [*DOCKYARD[1:], "run", "--remote", "mypkg/flows.py", "fan_out", "--xs", "[1,2,3]"],
        cwd=str(project),
        env=cli_env(tmp_path, COLUMNS="120", LINES="40", TERM="xterm"),
        encoding="utf-8",
        timeout=600,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    child.close()
    raw = child.before or ""
    assert child.exitstatus == 0, raw
    assert "\x1b[?25l" in raw  # rich's live display hid the cursor: a view redrawn in place, not lines
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw).replace("\r\n", "\n")
    started = re.search(r"execution (x\w+): running \(entity mypkg\.flows\.fan_out\)", screen)
    assert started, screen
    assert re.search(rf"execution {started.group(1)}: succeeded", screen)
    assert screen.index(started.group(0)) < screen.index("n0-n0-0")  # the id comes before anything runs
    # map items nested under their map node, seen running and then done, with attempt and elapsed time
    assert re.search(r"\n    n0-n0-2\s+mypkg\.flows\.twice\s+running\s+0\s+\d+\.\ds", screen), screen
    assert re.search(r"\n    n0-n0-2\s+mypkg\.flows\.twice\s+succeeded\s+0\s+\d+\.\ds", screen), screen
    assert "[\n  2,\n  4,\n  6\n]" in screen


def test_serialize_shows_its_builds_as_json_events(
    project: Path, tmp_path: Path, docker_engine: str, registry: str
) -> None:
    done = dockyard("serialize", "--progress", "json", "mypkg/flows.py", cwd=project, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["module"].endswith("flows")  # stdout keeps the document alone
    events = [json.loads(line) for line in done.stderr.splitlines()]
    assert {e["event"] for e in events} == {"image"}
    assert events[0]["kind"] == "check" and events[-1]["kind"] in ("present", "built")


def test_detached_run_completes_on_its_own_and_one_is_aborted(
    project: Path, tmp_path: Path, docker_engine: str, registry: str
) -> None:
    from dockyard.config import load_settings
    from dockyard.remote import DockyardRemote

    env = cli_env(tmp_path)
    started = dockyard(
        "run", "-r", "--no-wait", "mypkg/flows.py", "pipeline", "--x", "4", cwd=project, env=env
    )
    assert started.returncode == 0, started.stderr
    execution_id = started.stdout.strip()
    assert re.fullmatch(r"x\w+", execution_id) and f"execution {execution_id}: pending" in started.stderr
    slow = dockyard(
        "run", "-r", "--no-wait", "mypkg/flows.py", "sleepy", "--seconds", "300", cwd=project, env=env
    )
    slow_id = slow.stdout.strip()

    remote = DockyardRemote(f"file://{tmp_path}/store", settings=load_settings(environ=env))
    record = remote.wait(execution_id, poll_s=1, timeout_s=300)  # this command has long returned
    assert record.phase.value == "succeeded" and remote.outputs(execution_id) == {"o0": 16}

    for _ in range(120):  # the sleeper's container is up
        if remote.fetch_execution(slow_id).nodes.get("n0") is not None:
            break
        time.sleep(1)
    aborted = dockyard("executions", "--abort", slow_id, cwd=project, env=env)
    assert aborted.returncode == 0, aborted.stderr
    assert f"execution {slow_id}: aborted" in aborted.stdout
    assert remote.fetch_execution(slow_id).phase.value == "aborted"


def test_resume_without_file_uses_the_recorded_inputs(
    project: Path, tmp_path: Path, docker_engine: str, registry: str
) -> None:
    env = cli_env(tmp_path)
    failed = dockyard(
        "run", "-r", "--progress", "plain", "mypkg/flows.py", "broken", "--x", "3", cwd=project, env=env
    )
    assert failed.returncode == 5
    execution_id = re.search(r"execution (x\w+): running", failed.stderr).group(1)  # type: ignore[union-attr]
    again = dockyard("run", "--resume", execution_id, "--progress", "plain", cwd=project, env=env)
    assert again.returncode == 5, again.stderr  # boom fails again: its input, 6, came from the record
    assert "ValueError: no good: 6" in again.stderr
    status = json.loads(dockyard("status", execution_id, "--format", "json", cwd=project, env=env).stdout)
    assert len(status["nodes"]["n0-n0"]["attempts"]) == 1  # done before: not run again
    assert [a["attempt"] for a in status["nodes"]["n0-n1"]["attempts"]] == [0, 1]  # its own number each
    # the resumed run's nodes, live: only what happens now is announced (n0-n0 finished before)
    nodes = [line.split(" ", 1)[1] for line in again.stderr.splitlines() if re.match(STAMP + " node ", line)]
    assert nodes == [
        "node n0-n1 mypkg.flows.boom running attempt 1",
        "node n0-n1 mypkg.flows.boom failed attempt 1: ValueError: no good: 6",
    ], again.stderr

    as_json = dockyard("run", "--resume", execution_id, "--progress", "json", cwd=project, env=env)
    assert as_json.returncode == 5
    docs = [json.loads(line) for line in as_json.stderr.splitlines() if line.startswith("{")]
    assert docs[0]["event"] == "execution" and docs[0]["execution_id"] == execution_id
    assert [(d["node"], d["phase"], d["attempt"]) for d in docs if d["event"] == "node"] == [
        ("n0-n1", "running", 2),
        ("n0-n1", "failed", 2),
    ]
    assert docs[-1]["event"] == "execution" and docs[-1]["phase"] == "failed"

    child = pexpect.spawn(
        DOCKYARD[0],
        [*DOCKYARD[1:], "run", "--resume", execution_id],
        cwd=str(project),
        env=cli_env(tmp_path, COLUMNS="120", LINES="40", TERM="xterm"),
        encoding="utf-8",
        timeout=600,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    child.close()
    raw = child.before or ""
    assert child.exitstatus == 5, raw
    assert "\x1b[?25l" in raw  # the live view, redrawn in place
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw).replace("\r\n", "\n")
    assert re.search(rf"execution {execution_id}: running", screen), screen
    # the node done before is a row of the view, and the resumed one is seen running then failed
    assert re.search(r"\n  n0-n0\s+mypkg\.flows\.twice\s+succeeded\s+0\s", screen), screen
    assert re.search(r"\n  n0-n1\s+mypkg\.flows\.boom\s+running\s+3\s", screen), screen
    assert re.search(r"\n  n0-n1\s+mypkg\.flows\.boom\s+failed\s+3\s", screen), screen


def test_register_a_package_run_it_registered_and_switch_its_schedule(
    project: Path, tmp_path: Path, docker_engine: str, registry: str
) -> None:
    env = cli_env(tmp_path)
    registered = dockyard(
        "register", "--progress", "plain", "mypkg/flows.py", "-p", "ml", "-d", "prod", cwd=project, env=env
    )
    assert registered.returncode == 0, registered.stderr
    version = registered.stdout.strip()
    assert "mypkg.flows.pipeline" in registered.stderr  # the module's name through its package
    ran = dockyard(
        "run", "--registered", f"mypkg.flows.pipeline:{version}", "-p", "ml", "-d", "prod", "--x", "2",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == 8  # the bundle's mypkg.utils, imported in the driver and the containers

    def schedules() -> list[dict[str, object]]:
        out = dockyard(
            "schedules", "list", "-p", "ml", "-d", "prod", "--format", "json", cwd=tmp_path, env=env
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)  # type: ignore[no-any-return]

    (plan,) = schedules()
    assert (plan["name"], plan["active"]) == ("mypkg.flows.nightly", True) and str(plan["next_at"]).endswith(
        "02:00:00+00:00"
    )
    off = dockyard(
        "schedules", "deactivate", "mypkg.flows.nightly", "-p", "ml", "-d", "prod", cwd=tmp_path, env=env
    )
    assert off.returncode == 0, off.stderr
    assert schedules()[0]["active"] is False
    dockyard("schedules", "activate", "mypkg.flows.nightly", "-p", "ml", "-d", "prod", cwd=tmp_path, env=env)
    assert schedules()[0]["active"] is True


def test_overwrite_cache_is_honoured_remotely(
    project: Path, tmp_path: Path, docker_engine: str, registry: str
) -> None:
    env = cli_env(tmp_path)

    def stamp(*flags: str) -> str:
        done = dockyard("run", "-r", *flags, "mypkg/flows.py", "stamped", "--x", "1", cwd=project, env=env)
        assert done.returncode == 0, done.stderr
        return str(json.loads(done.stdout))

    first = stamp()
    assert stamp() == first  # the store's cache answered
    fresh = stamp("--overwrite-cache")
    assert fresh != first  # run again, not read from the cache
    assert stamp() == fresh  # and its output replaced the cached one


MORE = '''"""A second module of the package: registered with flows.py under one version."""

from dockyard import LaunchPlan, task, workflow
from mypkg.utils import double


@task
def plus_one(x: int) -> int:
    return double(x) + 1


@workflow
def bumped(x: int = 1) -> int:
    return plus_one(x=x)


weekly = LaunchPlan.get_or_create(bumped, name="mypkg.more.weekly", default_inputs={"x": 2})
'''


def test_register_several_modules_and_a_folder_under_one_version(
    project: Path, tmp_path: Path, docker_engine: str, registry: str
) -> None:
    """pyflyte register's targets: files and package folders; every entity they define goes under one
    version, runs from it, and `--activate-launchplans` turns a deactivated plan back on."""
    env = cli_env(tmp_path)
    (project / "mypkg" / "more.py").write_text(MORE)
    where = ("-p", "ml", "-d", "dev")
    both = dockyard(
        "register", "mypkg/flows.py", "mypkg/more.py", *where, "--version", "v1", cwd=project, env=env
    )
    assert both.returncode == 0, both.stderr
    assert both.stdout.strip() == "v1"
    for name in ("mypkg.flows.pipeline", "mypkg.flows.nightly", "mypkg.more.bumped", "mypkg.more.weekly"):
        assert name in both.stderr, both.stderr
    ran = dockyard("run", "--registered", "mypkg.more.bumped:v1", *where, "--x", "4", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == 9  # imported from the bundle: mypkg.more, with mypkg.utils beside it

    off = dockyard("schedules", "deactivate", "mypkg.flows.nightly", *where, cwd=tmp_path, env=env)
    assert off.returncode == 0, off.stderr
    folder = dockyard(
        "register", "mypkg", *where, "--version", "v2", "--activate-launchplans", cwd=project, env=env
    )
    assert folder.returncode == 0, folder.stderr
    assert "mypkg.more.bumped" in folder.stderr and "mypkg.flows.pipeline" in folder.stderr
    listed = dockyard("schedules", "list", *where, "--format", "json", cwd=tmp_path, env=env)
    (plan,) = json.loads(listed.stdout)
    assert (plan["name"], plan["version"], plan["active"]) == ("mypkg.flows.nightly", "v2", True)

    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "lone.py").write_text("from dockyard import task\n\n\n@task\ndef t() -> int:\n    return 1\n")
    mixed = dockyard("register", "mypkg/flows.py", str(other / "lone.py"), *where, cwd=project, env=env)
    assert mixed.returncode == 2 and "several folders" in mixed.stderr, mixed.stderr


def test_a_no_wait_run_refuses_bad_flags_before_it_is_recorded(project: Path, tmp_path: Path) -> None:
    """As a waited run does: a raw-output prefix the store cannot write, or an `-i` that pins nothing, is
    one line, exit 2, and no execution is recorded (nor a driver started)."""
    env = cli_env(tmp_path)
    for flags, shown in (
        (("--raw-output-data-prefix", "s3://elsewhere/raw"), "--raw-output-data-prefix s3://elsewhere/raw"),
        (("-i", "nosuch=localhost:5000/x:1"), "--image localhost:5000/x:1: no task has an ImageSpec"),
    ):
        ran = dockyard("run", "-r", "--no-wait", *flags, "mypkg/flows.py", "pipeline", cwd=project, env=env)
        assert ran.returncode == 2, ran.stderr
        assert ran.stdout == "" and ran.stderr.startswith(f"error: {shown}"), ran.stderr
    assert not (tmp_path / "store" / "executions").exists()


def test_a_resume_of_an_unknown_execution_is_one_line_and_announces_nothing(
    project: Path, tmp_path: Path
) -> None:
    """No `execution …: running` line for an id that has no record: the error alone, as for any run
    refused before it began."""
    ran = dockyard("run", "--resume", "xnosuch", "--progress", "plain", cwd=project, env=cli_env(tmp_path))
    assert ran.returncode == 6
    assert ran.stderr.splitlines() == [
        f"error: execution xnosuch: no record at file://{tmp_path}/store/executions/xnosuch/record.json"
    ], ran.stderr


def test_a_name_that_is_taken_is_refused_before_anything_runs(project: Path, tmp_path: Path) -> None:
    """`--name` of an execution that exists would overwrite its record: refused, as Flyte refuses a
    duplicate execution name, waited or detached, before any build and with nothing announced."""
    env = cli_env(tmp_path)
    record = tmp_path / "store" / "executions" / "xtaken" / "record.json"
    record.parent.mkdir(parents=True)
    record.write_text(
        json.dumps({"schema_version": 1, "execution_id": "xtaken", "workflow": "w", "phase": "succeeded"})
    )
    before = record.read_text()
    for wait in ("--wait", "--no-wait"):
        ran = dockyard(
            "run", "-r", wait, "--name", "xtaken", "--progress", "plain", "mypkg/flows.py", "pipeline",
            cwd=project, env=env,
        )  # fmt: skip
        assert ran.returncode == 2, ran.stderr
        assert ran.stderr.splitlines() == [
            "error: --name xtaken: an execution of that id exists already (--resume xtaken continues it)"
        ], ran.stderr
    assert record.read_text() == before


def test_a_workflow_that_does_not_compile_is_one_line_at_registration(project: Path, tmp_path: Path) -> None:
    (project / "mypkg" / "bad.py").write_text(
        "from dockyard import workflow\nfrom mypkg.flows import twice\n\n\n"
        "@workflow\ndef wrong(x: int) -> int:\n    return 2 * twice(x=x)\n"
    )
    done = dockyard("register", "mypkg/bad.py", cwd=project, env=cli_env(tmp_path))
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: mypkg.bad.wrong: cannot compile: TypeError: "), (
        lines
    )
