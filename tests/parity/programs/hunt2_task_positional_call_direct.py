"""Calling a task directly with positional arguments and a mix with keywords."""

from flytekit import task


@task
def fmt(name: str, n: int = 1, sep: str = ",") -> str:
    return sep.join([name] * n)


print(fmt("a"))
print(fmt("b", 3))
print(fmt("c", n=2, sep="-"))
