"""A ContainerTask's attempt on Kubernetes: one Pod, standard Kubernetes only (no Flyte copilot).

The user's image has no dockyard in it, so the pod runs it between two dockyard steps, in the run's
default image (the one every task pod and the driver run), sharing two emptyDir volumes:

1. init container `inputs`: `dockyard-execute ... --raw-inputs-dir` downloads the file and folder inputs
   into the inputs volume, by input name (`ContainerTask.stage_inputs`);
2. init container `task`: the user's image and argv (rendered by the driver, as on Docker), with the
   task's resources, env and securityContext, the inputs volume at `input_data_dir` and the outputs volume
   at `output_data_dir`;
3. container `primary` (or the pod template's name): `dockyard-execute ... --raw-outputs-dir` reads the
   outputs the user's container left (`ContainerTask.read_outputs`) and writes them to the store.

A failing user container fails the pod (restartPolicy Never) before step 3; the attempt's log is the user
container's own (`RAW_CONTAINER`).
"""

from __future__ import annotations

import copy
from typing import Any

from dockyard.config import Settings
from dockyard.kubernetes.task_pod import task_pod
from dockyard.runtime.executor import TaskAttempt
from dockyard.runtime.raw_container import RawContainer

RAW_CONTAINER = "task"  # the user's container: its log is the attempt's
STAGE_CONTAINER = "inputs"
INPUTS_VOLUME, OUTPUTS_VOLUME = "dockyard-raw-inputs", "dockyard-raw-outputs"
INPUTS_DIR, OUTPUTS_DIR = "/var/run/dockyard/raw-inputs", "/var/run/dockyard/raw-outputs"


def _mount(volume: str, path: str) -> dict[str, str]:
    return {"name": volume, "mountPath": path}


def raw_task_pod(
    attempt: TaskAttempt, raw: RawContainer, settings: Settings, driver_versions: list[str] | None = None
) -> dict[str, Any]:
    """The Pod for one ContainerTask attempt; `attempt` runs the dockyard steps (its image is dockyard's)."""
    pod = task_pod(attempt, settings, driver_versions)
    spec = pod["spec"]
    main = spec["containers"][0]  # task_pod puts the task's own container first
    user_mounts = []
    if raw.input_data_dir:
        user_mounts.append(_mount(INPUTS_VOLUME, raw.input_data_dir))
    if raw.output_data_dir:
        user_mounts.append(_mount(OUTPUTS_VOLUME, raw.output_data_dir))
    user: dict[str, Any] = {
        "name": RAW_CONTAINER,
        "image": raw.image,
        "command": list(raw.argv),
        "env": copy.deepcopy(main.get("env", [])),
        "securityContext": copy.deepcopy(main.get("securityContext", {})),
        "volumeMounts": user_mounts,
    }
    resources = main.pop("resources", None)  # the user's container does the work; the steps are light
    if resources:
        user["resources"] = resources
    stage = copy.deepcopy(main)
    stage["name"] = STAGE_CONTAINER
    stage["command"] = [*attempt.command, "--raw-inputs-dir", INPUTS_DIR]
    stage["volumeMounts"] = [*stage.get("volumeMounts", []), _mount(INPUTS_VOLUME, INPUTS_DIR)]
    main["command"] = [*attempt.command, "--raw-outputs-dir", OUTPUTS_DIR]
    main["volumeMounts"] = [*main.get("volumeMounts", []), _mount(OUTPUTS_VOLUME, OUTPUTS_DIR)]
    spec["initContainers"] = [*spec.get("initContainers", []), stage, user]
    spec["volumes"] = [
        *spec.get("volumes", []),
        {"name": INPUTS_VOLUME, "emptyDir": {}},
        {"name": OUTPUTS_VOLUME, "emptyDir": {}},
    ]
    return pod
