"""Calling a task directly runs it; positional arguments work outside a workflow too."""

from flytekit import task


@task
def area(w: float, h: float) -> float:
    return w * h


print(area(2.0, 3.0))
print(area(w=1.5, h=2.0))
