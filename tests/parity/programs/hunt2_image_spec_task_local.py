"""Tasks with an ImageSpec (packages, apt, env) run locally in the current interpreter."""

from flytekit import ImageSpec, task, workflow

image = ImageSpec(
    name="my-image", packages=["pandas"], apt_packages=["git"], env={"A": "1"}, registry="localhost:30000"
)


@task(container_image=image)
def hello(name: str) -> str:
    return f"hello {name}"


@workflow
def wf(name: str = "img") -> str:
    return hello(name=name)


print(wf())
print(image.name, list(image.packages), list(image.apt_packages))  # dockyard keeps tuples
