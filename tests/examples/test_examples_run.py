"""Every example runs through `dockyard run`, as its docstring tells users to, with its real workload."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DOCKYARD = Path(sys.executable).with_name("dockyard")


def run(
    example: str, *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DOCKYARD), "run", str(EXAMPLES / example), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def ok(example: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> object:
    out = run(example, *args, cwd=cwd, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_basics(tmp_path: Path) -> None:
    score = ok("basics.py", "training_pipeline", "--data_path", "/tmp/data", "--epochs", "2", cwd=tmp_path)
    assert isinstance(score, float) and 0 < score < 1
    assert ok("basics.py", "conditional_wf", "--x", "0.95", cwd=tmp_path) == "deployed at 0.95"
    assert ok("basics.py", "conditional_wf", "--x", "0.5", cwd=tmp_path) == "retraining from 0.5"
    assert ok("basics.py", "select_model", "--arch", "llama", cwd=tmp_path) == "llama"
    assert ok("basics.py", "ordered", cwd=tmp_path) == "uploaded"
    assert ok("basics.py", "gpu_task", cwd=tmp_path) == "ran without a GPU"


def test_ml_pipeline_trains_evaluates_and_gates(tmp_path: Path) -> None:
    accuracy = ok("ml_pipeline.py", "training_pipeline", "--n_samples", "400", cwd=tmp_path)
    assert isinstance(accuracy, float) and 0.7 < accuracy <= 1.0  # a real model, better than chance
    deployed = ok("ml_pipeline.py", "deploy_or_retrain", "--threshold", "0.5", cwd=tmp_path)
    assert deployed == f"deployed (accuracy {accuracy:.3f})"
    retrain = ok("ml_pipeline.py", "deploy_or_retrain", "--threshold", "0.999", cwd=tmp_path)
    assert retrain.startswith("retraining scheduled")  # type: ignore[union-attr]
    report = ok(
        "ml_pipeline.py", "pipeline_with_report", "--config", '{"c": 0.01, "max_iter": 50}', cwd=tmp_path
    )
    metrics = json.loads(Path(str(report)).read_text())
    assert metrics["c"] == 0.01 and metrics["max_iter"] == 50 and 0.5 < metrics["accuracy"] <= 1.0


def test_checkpointing_resumes_after_a_failed_attempt(tmp_path: Path) -> None:
    out = run("checkpointing.py", "long_training", "--epochs", "8", "--fail_at_epoch", "5", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["resumed_from_epoch"] == 5 and result["epochs_run_in_last_attempt"] == 3
    assert "retrying: task checkpointing.long_training" in out.stderr
    uninterrupted = ok("checkpointing.py", "long_training", "--epochs", "8", cwd=tmp_path)
    assert uninterrupted["resumed_from_epoch"] == 0  # type: ignore[index]
    assert uninterrupted["loss"] == pytest.approx(result["loss"])  # type: ignore[index]


def test_map_tasks(tmp_path: Path) -> None:
    configs = json.dumps([{"alpha": 0.1}, {"alpha": 10.0}, {"alpha": 1000.0}])
    scores = ok("map_tasks.py", "parallel_training", "--configs", configs, cwd=tmp_path)
    assert isinstance(scores, list) and len(scores) == 3 and scores[0] > scores[2]
    assert len(ok("map_tasks.py", "scores_for_seed", "--alphas", "[0.01, 1.0, 100.0]", cwd=tmp_path)) == 3  # type: ignore[arg-type]
    out = run("map_tasks.py", "tolerant", "--xs", "[1, 2, 3, 4, 5, 6]", cwd=tmp_path)
    assert json.loads(out.stdout) == [10, 20, None, 40, 50, None]
    failed = run("map_tasks.py", "tolerant", "--xs", "[3, 6, 9, 1]", cwd=tmp_path)  # 1 of 4 succeeds < 0.5
    assert failed.returncode == 5 and failed.stdout == ""


def test_dynamic_hyperparameter_search_picks_the_best(tmp_path: Path) -> None:
    best = ok("hyperparameter_search.py", "search", "--learning_rates", "[0.001, 0.5, 0.01]", cwd=tmp_path)
    assert best == {"learning_rate": 0.5, "epochs": 50}


def test_launch_plans(tmp_path: Path) -> None:
    assert ok("launch_plans.py", "nightly_plan", cwd=tmp_path) == "trained on s3://data/latest for 5 epochs"
    stamped = ok("launch_plans.py", "scheduled_plan", "--kickoff_time", "2024-05-01T02:00:00Z", cwd=tmp_path)
    assert stamped == "trained on s3://data/latest for 5 epochs (run of 2024-05-01 02:00)"
    assert (
        ok("launch_plans.py", "hourly_plan", "--epochs", "3", cwd=tmp_path)
        == "trained on s3://data/latest for 3 epochs"
    )
    fixed = run("launch_plans.py", "notified_plan", "--epochs", "9", cwd=tmp_path)
    assert fixed.returncode == 2 and "No such option '--epochs'" in fixed.stderr


def test_secrets_from_env_and_files(tmp_path: Path) -> None:
    env = {"_FSEC_AWS_ACCESS_KEY": "AKIAEXAMPLE", "_FSEC_AWS_SECRET_KEY": " s3cr3t \n"}
    got = ok("secret_requests.py", "download_from_s3", "--bucket", "models", cwd=tmp_path, env=env)
    assert got == "s3://models as AKIAEXAMPLE (secret key sha256 4e738ca5...)"  # value stripped
    (tmp_path / "secrets" / "aws").mkdir(parents=True)
    (tmp_path / "secrets" / "aws" / "access_key").write_text("AKIAFILE\n")
    (tmp_path / "secrets" / "aws" / "secret_key").write_text("s3cr3t")
    env = {"DOCKYARD_EXECUTOR_SECRETS_DIR": str(tmp_path / "secrets")}
    got = ok("secret_requests.py", "download_from_s3", "--bucket", "models", cwd=tmp_path, env=env)
    assert got == "s3://models as AKIAFILE (secret key sha256 4e738ca5...)"
    missing = run("secret_requests.py", "download_from_s3", "--bucket", "models", cwd=tmp_path)
    assert missing.returncode == 5
    assert missing.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "group='aws' key='access_key'" in missing.stderr
