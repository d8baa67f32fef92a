"""`spec.is_container()` is true in a local run, so imports guarded by it happen on a laptop too."""

from flytekit import ImageSpec, task, workflow

spec = ImageSpec(name="guarded", packages=["numpy"], registry="localhost:5000")

if spec.is_container():
    import json as heavy_dependency


@task(container_image=spec)
def use(x: int) -> str:
    return heavy_dependency.dumps({"x": x})


@workflow
def wf(x: int) -> str:
    return use(x=x)


print(spec.is_container(), wf(x=2))
