"""Resources, accelerators and pod templates are task options that local runs accept."""

from flytekit import PodTemplate, Resources, task, workflow
from flytekit.extras.accelerators import T4


@task(requests=Resources(cpu="1", mem="512Mi"), limits=Resources(cpu="2", mem="1Gi"), accelerator=T4)
def heavy(x: int) -> int:
    return x + 1


@task(pod_template=PodTemplate(primary_container_name="primary", labels={"team": "ml"}))
def labelled(x: int) -> int:
    return x * 10


@workflow
def wf(x: int) -> int:
    return labelled(x=heavy(x=x))


print(wf(x=1))
