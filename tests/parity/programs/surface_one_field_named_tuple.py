"""A task returning a one-field NamedTuple: the workflow reads the field by name."""

from typing import NamedTuple

from flytekit import task, workflow

Mean = NamedTuple("Mean", [("mean", float)])  # noqa: UP014 - the spelling flytekit's examples use
Summary = NamedTuple("Summary", [("mean", float), ("doubled", float)])  # noqa: UP014


@task
def mean(xs: list[int]) -> Mean:
    return sum(xs) / len(xs)


@task
def double(x: float) -> float:
    return 2 * x


@workflow
def wf(xs: list[int] = [1, 2, 3, 6]) -> Summary:  # noqa: B006 - flytekit's examples do this
    m = mean(xs=xs)
    print(type(m).__name__)
    return Summary(mean=m.mean, doubled=double(x=m.mean))


print(wf())
