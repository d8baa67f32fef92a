"""The workflow of `benchmarks/fanout_scale.py --backend docker`: a dynamic fan-out of N trivial tasks whose
containers are reused (docs/reuse.md), in the runtime image."""

from dockyard.sdk.reuse import ReusePolicy

from dockyard import ImageSpec, dynamic, task, workflow

image = ImageSpec(name="dockyard-bench-fanout", registry="localhost:5000")


@task(container_image=image, reusable=ReusePolicy(replicas=2, idle_ttl=120))
def double(i: int) -> int:
    return 2 * i


@dynamic(container_image=image)
def spread(n: int) -> list[int]:
    return [double(i=i) for i in range(n)]


@workflow
def fanout(n: int = 10) -> list[int]:
    return spread(n=n)
