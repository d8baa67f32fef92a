"""Resources are checked as Kubernetes quantities when declared, recorded on the task, not enforced."""

from __future__ import annotations

import pytest
from kubernetes.client import V1Container, V1PodSpec, V1Toleration

from dockyard import PodTemplate, Resources, task
from dockyard.errors import DockyardError
from dockyard.extras.accelerators import A100
from dockyard.sdk.resources import ResourceError


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cpu": "4"},
        {"cpu": "500m"},
        {"cpu": 2},
        {"cpu": 0.5},
        {"mem": "16Gi"},
        {"mem": "512Mi"},
        {"mem": "1.5G"},
        {"mem": "1e9"},
        {"gpu": "1"},
        {"gpu": 2},
        {"ephemeral_storage": "50Gi"},
        {"cpu": ("1", "2"), "mem": ["1Gi", "2Gi"]},
    ],
)
def test_valid_quantities_are_kept_as_given(kwargs: dict[str, object]) -> None:
    res = Resources(**kwargs)  # type: ignore[arg-type]
    for name, value in kwargs.items():
        got = getattr(res, name)
        assert got == (tuple(value) if isinstance(value, list) else value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cpu": "bogus"}, "cpu"),
        ({"cpu": "-1"}, "cpu"),
        ({"mem": "16GB"}, "mem"),
        ({"mem": "16 Gi"}, "mem"),
        ({"gpu": "0.5"}, "gpu"),
        ({"gpu": "one"}, "gpu"),
        ({"ephemeral_storage": "lots"}, "ephemeral_storage"),
        ({"cpu": True}, "cpu"),
        ({"mem": {"a": 1}}, "mem"),
        ({"cpu": ("1",)}, "cpu"),
        ({"cpu": ("1", "x")}, "cpu"),
    ],
)
def test_invalid_quantities_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ResourceError, match=rf"^Resources\.{field}: ") as info:
        Resources(**kwargs)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)
    assert isinstance(info.value, DockyardError) and isinstance(info.value, ValueError)
    assert info.value.exit_code == 2


def test_to_k8s_maps_names_and_picks_request_or_limit() -> None:
    res = Resources(cpu=("1", "2"), mem="4Gi", gpu=1, ephemeral_storage="10Gi")
    assert res.to_k8s() == {"cpu": "1", "memory": "4Gi", "nvidia.com/gpu": "1", "ephemeral-storage": "10Gi"}
    assert res.to_k8s("limit")["cpu"] == "2"
    assert res.to_dict() == {"cpu": ["1", "2"], "mem": "4Gi", "gpu": 1, "ephemeral_storage": "10Gi"}
    assert Resources(cpu="1") == Resources(cpu="1") and Resources(cpu="1") != Resources(cpu="2")


def test_pod_template_holds_a_v1podspec() -> None:
    spec = V1PodSpec(
        tolerations=[V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")],
        node_selector={"gpu-type": "a100"},
        containers=[V1Container(name="primary")],
    )
    template = PodTemplate(pod_spec=spec, labels={"team": "ml"}, annotations={"a": "b"})
    assert template.pod_spec is spec and template.primary_container_name == "primary"
    doc = template.to_dict()
    assert doc["podSpec"]["nodeSelector"] == {"gpu-type": "a100"}
    assert doc["podSpec"]["tolerations"][0]["key"] == "nvidia.com/gpu"
    assert doc["labels"] == {"team": "ml"}
    assert PodTemplate().pod_spec == V1PodSpec(containers=[])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pod_spec": {"containers": []}}, "pod_spec"),
        ({"primary_container_name": ""}, "primary_container_name"),
        ({"labels": {"a": 1}}, "labels"),
    ],
)
def test_pod_template_errors_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ResourceError, match=rf"^PodTemplate\.{field}: "):
        PodTemplate(**kwargs)  # type: ignore[arg-type]


def test_import_dockyard_does_not_import_kubernetes() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from dockyard import Resources; Resources(cpu='1'); print('kubernetes' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_resources_are_recorded_not_enforced_locally() -> None:
    gpu_pod = PodTemplate(pod_spec=V1PodSpec(containers=[V1Container(name="primary")]))
    requests = Resources(cpu="64", mem="1Ki", gpu="8")

    @task(requests=requests, limits=Resources(mem="2Ki"), accelerator=A100, pod_template=gpu_pod)
    def allocate(n: int) -> int:
        return len(bytearray(n))  # far more than 2Ki: not enforced locally

    assert allocate(n=1_000_000) == 1_000_000
    assert allocate.requests is requests
    assert allocate.pod_template is gpu_pod
    assert allocate.accelerator.device == "nvidia-tesla-a100"
