"""An ImageSpec may name files to copy that do not exist yet: only a build looks for them."""

from flytekit import ImageSpec, task, workflow

image = ImageSpec(name="with-assets", registry="localhost:5000", copy=["assets/model.bin"])
print(list(image.copy))


@task(container_image=image)
def greet(name: str) -> str:
    return f"hello {name}"


@workflow
def hello(name: str = "world") -> str:
    return greet(name=name)


print(hello())
