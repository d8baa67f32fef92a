"""A task names its image with an ImageSpec; locally it runs in this process."""

from flytekit import ImageSpec, task, workflow
from flytekit.image_spec import ImageSpec as SameImageSpec

spec = ImageSpec(name="surface-image", packages=["numpy"], python_version="3.11", registry="localhost:5000")


@task(container_image=spec)
def with_image(x: int) -> int:
    return x + 1


@workflow
def wf(x: int) -> int:
    return with_image(x=x)


print(ImageSpec is SameImageSpec, spec.name, list(spec.packages), spec.python_version, spec.registry)
print(wf(x=1))
