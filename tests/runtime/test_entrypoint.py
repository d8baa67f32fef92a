"""`dockyard-execute` in process (the container runs the same code): outputs or an error document,
never both, never half; checkpoints carried between attempts through the store."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from dockyard.config import get_settings
from dockyard.runtime.blobstore import LocalStore
from dockyard.runtime.bundle import upload_bundle
from dockyard.runtime.entrypoint import EXIT_SYSTEM, EXIT_USER, Args, parse_args, run
from dockyard.runtime.protocol import ERROR, OUTPUTS, ErrorDocument
from dockyard.sdk.types.literal import literals_from_json, literals_to_json

WORKFLOWS = Path(__file__).parent / "workflows"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalStore:
    monkeypatch.setenv("DOCKYARD_STORE_URL", f"file://{tmp_path}/store")
    monkeypatch.chdir(tmp_path)  # the entrypoint changes into the unpacked bundle
    monkeypatch.setattr(sys, "path", list(sys.path))
    get_settings.cache_clear()
    sys.modules.pop("faults", None)
    return LocalStore(f"file://{tmp_path}/store")


def bundle(store: LocalStore, tmp_path: Path) -> str:
    src = tmp_path / "src"
    shutil.copytree(WORKFLOWS, src, ignore=shutil.ignore_patterns("__pycache__"))
    return upload_bundle(src, store)


def inputs(store: LocalStore, **literals: dict[str, object]) -> str:
    return store.write_bytes(store.url_for("in.json"), literals_to_json(literals).encode())


def test_args_are_argv_only() -> None:
    args = parse_args(
        ["--inputs", "file:///i", "--output-prefix", "file:///o", "--task", "m:t", "--attempt", "2"]
    )
    assert args == Args(inputs="file:///i", output_prefix="file:///o", task="m:t", attempt=2)


def test_success_writes_outputs_only(store: LocalStore, tmp_path: Path) -> None:
    out = store.url_for("out")
    args = Args(inputs(store, text={"str": "hi"}), out, "faults:shout", bundle=bundle(store, tmp_path))
    assert run(args) == 0
    assert literals_from_json(store.read_bytes(f"{out}/{OUTPUTS}").decode()) == {"o0": {"str": "HI"}}
    assert not store.exists(f"{out}/{ERROR}")


def test_user_error_is_retryable_and_leaves_no_outputs(store: LocalStore, tmp_path: Path) -> None:
    out = store.url_for("out")
    args = Args(inputs(store, x={"int": 3}), out, "faults:fail_user", bundle=bundle(store, tmp_path))
    assert run(args) == EXIT_USER
    doc = ErrorDocument.model_validate(store.read_json(f"{out}/{ERROR}"))
    assert (doc.kind, doc.retryable, doc.type) == ("user", True, "ValueError")
    assert "bad input 3" in doc.message and "fail_user" in doc.traceback
    assert not store.exists(f"{out}/{OUTPUTS}")


def test_unknown_task_is_a_final_user_error(store: LocalStore, tmp_path: Path) -> None:
    out = store.url_for("out")
    assert run(Args(inputs(store), out, "faults:nope", bundle=bundle(store, tmp_path))) == EXIT_USER
    doc = ErrorDocument.model_validate(store.read_json(f"{out}/{ERROR}"))
    assert (doc.kind, doc.retryable) == ("user", False)
    assert "nope" in doc.message


def test_unreadable_inputs_are_a_system_error(store: LocalStore, tmp_path: Path) -> None:
    out = store.url_for("out")
    missing = store.url_for("missing.json")
    assert run(Args(missing, out, "faults:shout", bundle=bundle(store, tmp_path))) == EXIT_SYSTEM
    doc = ErrorDocument.model_validate(store.read_json(f"{out}/{ERROR}"))
    assert (doc.kind, doc.retryable) == ("system", True)
    assert "missing.json" in doc.message


def test_checkpoint_resumes_and_is_synced_to_the_store(store: LocalStore, tmp_path: Path) -> None:
    prev = store.url_for("cp", "0") + "/"
    store.write_bytes(prev + "_checkpoint", b"3")
    cur = store.url_for("cp", "1") + "/"
    out = store.url_for("out")
    args = Args(
        inputs(store, to={"int": 5}),
        out,
        "faults:count_up",
        bundle=bundle(store, tmp_path),
        checkpoint_prev=prev,
        checkpoint_cur=cur,
        attempt=1,
    )
    assert run(args) == 0
    assert literals_from_json(store.read_bytes(f"{out}/{OUTPUTS}").decode()) == {"o0": {"int": 3005}}
    assert store.read_bytes(cur + "_checkpoint") == b"5"


def test_a_task_start_imports_only_what_an_attempt_needs(store: LocalStore, tmp_path: Path) -> None:
    """`dockyard-execute` in a fresh process, as in a container, on a module that declares an ImageSpec:
    it builds no settings model, renders no Dockerfile and starts no event loop (each was a large part of
    a task's start-up)."""
    import json
    import subprocess

    out = store.url_for("out")
    argv = ["--inputs", inputs(store, text={"str": "hi"}), "--output-prefix", out, "--task", "faults:shout"]
    argv += ["--bundle", bundle(store, tmp_path)]
    script = (
        "import json, sys\n"
        "from dockyard.runtime.entrypoint import parse_args, run\n"
        f"status = run(parse_args({argv!r}))\n"
        "print(json.dumps([status, sorted(sys.modules)]))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DOCKYARD_STORE_URL": store.url, "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    status, modules = json.loads(done.stdout.splitlines()[-1])
    assert status == 0 and store.exists(f"{out}/{OUTPUTS}")
    assert "dockyard.imagespec.spec" in modules  # the module's ImageSpec was built
    assert "packaging" not in modules  # its spec names no packages: nothing to parse as PEP 508
    for heavy in ("dockyard.config", "dockyard.imagespec.prepare", "jinja2", "filelock", "asyncio", "yaml"):
        assert heavy not in modules, heavy
