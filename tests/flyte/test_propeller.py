"""Playing propeller: flytekit (its own venv) writes inputs.pb into a moto bucket, a dockyard-built image runs
on the local Docker engine with the args of dockyard's task template substituted as propeller does,
and flytekit reads outputs.pb (or error.pb, futures.pb) and compares with running the task under flytekit.
The reverse holds too: outputs written by flytekit's own pyflyte-execute are a dockyard task's inputs.

One image serves every case: dockyard's runtime plus the [flyte] extra's libraries and pandas; the code
arrives as the fast-registration archive of `dockyard package --fast`, as it would on a cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockyard.config import load_settings
from dockyard.flyte import FLYTE_RUNTIME_EXTRA
from tests.flyte.compare import normalize

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.s3, pytest.mark.slow]

PTASKS = Path(__file__).parent / "propeller" / "ptasks.py"
SIDE = Path(__file__).parent / "propeller" / "flytekit_side.py"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def _package(dest: Path, sdk: str) -> Path:
    pkg = dest / "pt"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    text = (
        PTASKS.read_text().replace("from dockyard", f"from {sdk}").replace("import dockyard", f"import {sdk}")
    )
    (pkg / "ptasks.py").write_text(text)
    return dest


class Propeller:
    """What propeller does around one container: paths, substitution, the run; flytekit on its side."""

    def __init__(
        self, work: Path, bucket: str, image: str, templates: dict[str, Any], archive: str, flytekit: Path
    ):
        self.work, self.bucket, self.image = work, bucket, image
        self.templates, self.archive, self.flytekit = templates, archive, flytekit
        self.fk_root = _package(work / "flytekit-src", "flytekit")

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(self.fk_root),
            FLYTE_AWS_ENDPOINT=env["AWS_ENDPOINT_URL"],
            FLYTE_AWS_ACCESS_KEY_ID=env["AWS_ACCESS_KEY_ID"],
            FLYTE_AWS_SECRET_ACCESS_KEY=env["AWS_SECRET_ACCESS_KEY"],
        )
        return env

    def flytekit_side(self, command: str, case: str, prefix: str, **env: str) -> Any:
        result = subprocess.run(
            [str(self.flytekit), str(SIDE), command, case, prefix],
            env={**self.env(), **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout) if command == "check" else None

    def args(self, task: str, prefix: str, previous: str = "") -> list[str]:
        """The template's args with propeller's substitutions (and flytectl's for the code archive)."""
        values = {
            "{{.input}}": f"{prefix}/inputs.pb",
            "{{.outputPrefix}}": f"{prefix}/out",
            "{{.rawOutputDataPrefix}}": f"{prefix}/raw",
            "{{.checkpointOutputPrefix}}": f"{prefix}/cp",
            "{{.prevCheckpointPrefix}}": previous,
            "{{ .remote_package_path }}": self.archive,
            "{{ .dest_dir }}": "/tmp/code",
        }
        return [values.get(a, a) for a in self.templates[task]["container"]["args"]]

    def run_container(
        self, task: str, prefix: str, previous: str = "", **env: str
    ) -> subprocess.CompletedProcess[str]:
        docker_env = [
            f"--env={k}={v}"
            for k, v in {
                "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
                "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
                "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
                "AWS_DEFAULT_REGION": "us-east-1",
                **env,
            }.items()
        ]
        template_env = self.templates[task]["container"].get("env", [])
        docker_env += [f"--env={e['key']}={e['value']}" for e in template_env]
        return subprocess.run(
            [
                "docker",
                "run",
                "--rm",
                "--network=host",
                *docker_env,
                self.image,
                *self.args(task, prefix, previous),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )

    def prefix(self, case: str) -> str:
        return f"s3://{self.bucket}/{case}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def propeller(
    tmp_path_factory: pytest.TempPathFactory,
    flytekit_python: Path,
    docker_engine: str,
    registry: str,
    s3_server: str,
) -> Iterator[Propeller]:
    import boto3
    from flyteidl.admin import task_pb2
    from google.protobuf import json_format

    from dockyard.builders.engine import BuildEngine
    from dockyard.imagespec import ImageSpec

    env = pytest.MonkeyPatch()  # AWS_* point boto3 at moto for this module only
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_server,
    }.items():
        env.setenv(key, value)
    work = tmp_path_factory.mktemp("propeller")
    bucket = f"flyte-propeller-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket=bucket)

    # An image Flyte runs reads propeller's s3:// store: the S3 client, as the plugin builds it.
    build: dict[str, Any] = {"work_dir": str(work / "build"), "runtime_extras": [FLYTE_RUNTIME_EXTRA]}
    if CA_BUNDLE.is_file():
        build["ca_bundle"] = str(CA_BUNDLE)
    settings = load_settings({"build": build}, environ={})
    spec = ImageSpec(
        name="flyte-propeller-test",
        registry=registry,
        packages=["flyteidl>=1.16,<2", "mashumaro>=3.11", "msgpack>=1.0", "pandas>=2", "pyarrow>=14"],
    )
    image = BuildEngine(settings).ensure([spec])[spec].image_ref

    src = _package(work / "dockyard-src", "dockyard")
    from tests.flyte.conftest import dockyard_cli

    result = dockyard_cli("package", "pt", "--fast", "--image", image, "-o", "pkg.tgz", cwd=src)
    assert result.returncode == 0, result.stderr
    with tarfile.open(src / "pkg.tgz") as tar:
        fast = next(m for m in tar.getmembers() if m.name.startswith("fast"))
        data = tar.extractfile(fast).read()  # type: ignore[union-attr]
    archive = f"s3://{bucket}/code/{fast.name}"  # where flytectl would upload it
    boto3.client("s3", endpoint_url=s3_server).put_object(Bucket=bucket, Key=f"code/{fast.name}", Body=data)
    templates = {}
    with tarfile.open(src / "pkg.tgz") as tar:
        for member in tar.getmembers():
            if member.name.endswith("_1.pb"):
                spec_msg = task_pb2.TaskSpec()
                spec_msg.ParseFromString(tar.extractfile(member).read())  # type: ignore[union-attr]
                template = json_format.MessageToDict(spec_msg.template)
                templates[template["id"]["name"].rsplit(".", 1)[-1]] = template
    shutil.rmtree(work / "build", ignore_errors=True)
    yield Propeller(work, bucket, image, templates, archive, flytekit_python)
    env.undo()


VALUE_CASES = [
    ("primitives", "primitives"),
    ("collections", "collections"),
    ("optional_none", "optional"),
    ("optional_value", "optional"),
    ("dataclass", "dataclass_task"),
    ("enum", "enum_task"),
    ("file", "file_task"),
    ("directory", "dir_task"),
    ("dataframe", "frame_task"),
]


@pytest.mark.parametrize(("case", "task"), VALUE_CASES)
def test_outputs_match_flytekit(propeller: Propeller, case: str, task: str) -> None:
    prefix = propeller.prefix(case)
    propeller.flytekit_side("write", case, prefix)
    run = propeller.run_container(task, prefix)
    assert run.returncode == 0, run.stderr[-3000:]
    report = propeller.flytekit_side("check", case, f"{prefix}/out")
    assert "outputs" in report, report
    assert report["outputs"] == report["expected"]


@pytest.mark.parametrize(
    ("case", "task"), [("user_error", "user_error"), ("recoverable_error", "recoverable_error")]
)
def test_error_documents_match_pyflyte_execute(propeller: Propeller, case: str, task: str) -> None:
    prefix = propeller.prefix(case)
    propeller.flytekit_side("write", case, prefix)
    run = propeller.run_container(task, prefix)
    assert run.returncode == 0, run.stderr[-3000:]  # as pyflyte-execute: the error is in error.pb
    ours = propeller.flytekit_side("check", case, f"{prefix}/out")["error"]
    propeller.flytekit_side("execute", case, prefix)
    theirs = propeller.flytekit_side("check", case, f"{prefix}/flytekit-out")["error"]
    for key in ("code", "kind", "origin"):
        assert ours.get(key) == theirs.get(key), key
    last_line = theirs["message"].rstrip().splitlines()[-1].strip()
    assert last_line in ours["message"]


def test_dynamic_writes_the_futures_pyflyte_execute_writes(propeller: Propeller) -> None:
    prefix = propeller.prefix("dynamic")
    propeller.flytekit_side("write", "dynamic", prefix)
    run = propeller.run_container("squares", prefix)
    assert run.returncode == 0, run.stderr[-3000:]
    ours = propeller.flytekit_side("check", "dynamic", f"{prefix}/out")["futures"]
    settings_env = {"_F_SS_C": _flytekit_settings(propeller)}
    propeller.flytekit_side("execute", "dynamic", prefix, **settings_env)
    theirs = propeller.flytekit_side("check", "dynamic", f"{prefix}/flytekit-out")["futures"]
    assert normalize(ours) == normalize(theirs)
    assert [n["id"] for n in ours["nodes"]] == ["dn0", "dn1", "dn2"]


def _flytekit_settings(propeller: Propeller) -> str:
    """flytekit's serialized settings for its dynamic task (what its template's `_F_SS_C` would hold)."""
    code = (
        "from flytekit.configuration import SerializationSettings, ImageConfig\n"
        f"print(SerializationSettings(image_config=ImageConfig.auto(img_name={propeller.image!r})).serialized_context)"
    )
    out = subprocess.run([str(propeller.flytekit), "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_map_item_runs_the_array_index(propeller: Propeller) -> None:
    prefix = propeller.prefix("map_item")
    propeller.flytekit_side("write", "map_item", prefix)
    env = {"BATCH_JOB_ARRAY_INDEX_VAR_NAME": "FLYTE_K8S_ARRAY_INDEX", "FLYTE_K8S_ARRAY_INDEX": "2"}
    array_task = next(k for k in propeller.templates if k.startswith("map_square"))
    run = propeller.run_container(array_task, prefix, **env)
    assert run.returncode == 0, run.stderr[-3000:]
    report = propeller.flytekit_side("check", "map_item", f"{prefix}/out", CASE_INDEX="2")
    assert report["outputs"] == report["expected"] == {"o0": 25}


def test_checkpoint_carries_to_the_next_attempt(propeller: Propeller) -> None:
    first = propeller.prefix("checkpoint")
    propeller.flytekit_side("write", "checkpoint", first)
    assert propeller.run_container("checkpointed", first).returncode == 0
    assert propeller.flytekit_side("check", "checkpoint", f"{first}/out")["outputs"] == {"o0": 5}
    second = propeller.prefix("checkpoint")
    propeller.flytekit_side("write", "checkpoint", second)
    assert propeller.run_container("checkpointed", second, previous=f"{first}/cp").returncode == 0
    report = propeller.flytekit_side("check", "checkpoint", f"{second}/out", CASE_PREVIOUS="5")
    assert report["outputs"] == report["expected"] == {"o0": 10}


@pytest.mark.parametrize(
    ("case", "task"), [("file", "file_task"), ("dataclass", "dataclass_task"), ("dataframe", "frame_task")]
)
def test_dockyard_reads_what_flytekit_wrote(propeller: Propeller, case: str, task: str) -> None:
    """flytekit's own task output (pyflyte-execute) is the input of the same task in dockyard's image."""
    prefix = propeller.prefix(f"reverse-{case}")
    propeller.flytekit_side("write", case, prefix)
    propeller.flytekit_side("execute", case, prefix)
    second = propeller.prefix(f"reverse2-{case}")
    s3 = __import__("boto3").client("s3")
    key = prefix.split("/", 3)[3] + "/flytekit-out/outputs.pb"
    outputs = s3.get_object(Bucket=propeller.bucket, Key=key)["Body"].read()
    from flyteidl.core import literals_pb2

    message = literals_pb2.LiteralMap()
    message.ParseFromString(outputs)
    name = next(iter(PTASK_INPUT[task]))
    renamed = literals_pb2.LiteralMap(literals={name: message.literals["o0"]})
    s3.put_object(
        Bucket=propeller.bucket, Key=second.split("/", 3)[3] + "/inputs.pb", Body=renamed.SerializeToString()
    )
    run = propeller.run_container(task, second)
    assert run.returncode == 0, run.stderr[-3000:]
    ours = propeller.flytekit_side("check", case, f"{second}/out")
    assert "outputs" in ours, ours
    assert ours["outputs"] == TWICE[case]


PTASK_INPUT = {"file_task": ["f"], "dataclass_task": ["c"], "frame_task": ["df"]}
TWICE = {
    "file": {"o0": {"file": "HELLO PROPELLER\n"}},
    "dataclass": {
        "o0": {
            "dataclass": "Config",
            "inner": {"color": {"enum": "green"}, "dataclass": "Inner", "weights": [2.0, 6.0]},
            "limit": 3,
            "name": "cfg!!",
            "tags": {"a": 1, "n": 1},
        }
    },
    "dataframe": {"o0": {"frame": {"a": [1, 2, 3], "b": [10, 20, 30], "total": [11, 22, 33]}}},
}
