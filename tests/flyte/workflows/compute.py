"""Resources, accelerators, pod templates and secrets."""

from kubernetes.client import V1Container, V1PodSpec, V1Toleration

from dockyard import PodTemplate, Resources, Secret, task, workflow
from dockyard.extras.accelerators import A100, T4, GPUAccelerator


@task(
    requests=Resources(cpu="500m", mem="1Gi", ephemeral_storage="2Gi"), limits=Resources(cpu="1", mem="2Gi")
)
def sized(a: int) -> int:
    return a


@task(requests=Resources(gpu="1"), limits=Resources(gpu="1"), accelerator=T4)
def gpu(a: int) -> int:
    return a


@task(requests=Resources(gpu="1"), accelerator=A100.partition_1g_5gb)
def mig(a: int) -> int:
    return a


@task(accelerator=GPUAccelerator("nvidia-h100"))
def named_gpu(a: int) -> int:
    return a


@task(resources=Resources(cpu=("1", "2"), mem=("1Gi", "4Gi")))
def pairs(a: int) -> int:
    return a


@task(
    pod_template=PodTemplate(
        pod_spec=V1PodSpec(
            containers=[V1Container(name="primary")],
            tolerations=[V1Toleration(key="gpu", operator="Exists", effect="NoSchedule")],
        ),
        labels={"team": "ml"},
        annotations={"owner": "me"},
    )
)
def templated(a: int) -> int:
    return a


@task(
    pod_template=PodTemplate(pod_spec=V1PodSpec(containers=[]), primary_container_name="main"),
    requests=Resources(cpu="1", mem="2Gi"),
    limits=Resources(mem="4Gi", gpu="1"),
    environment={"X": "1"},
)
def templated_sized(a: int) -> int:
    """Sized, in a pod template.

    Its primary container is named "main" and gets the task's resources and environment.
    """
    return a


@task(pod_template_name="shared-template")
def by_template_name(a: int) -> int:
    return a


@task(
    secret_requests=[
        Secret(group="aws", key="access_key"),
        Secret(group="api", key="token", mount_requirement=Secret.MountType.ENV_VAR),
    ]
)
def secretive(a: int) -> int:
    return a


@task(
    secret_requests=[
        Secret(group="db", key="password", group_version="v2", mount_requirement=Secret.MountType.FILE)
    ]
)
def file_secret(a: int) -> int:
    return a


@workflow
def resources(a: int = 1) -> int:
    return pairs(a=sized(a=a))


@workflow
def accelerators(a: int = 1) -> int:
    return named_gpu(a=mig(a=gpu(a=a)))


@workflow
def pod_templates(a: int = 1) -> int:
    """Tasks in pod templates."""
    return templated_sized(a=by_template_name(a=templated(a=a)))


@workflow
def secrets(a: int = 1) -> int:
    return file_secret(a=secretive(a=a))
