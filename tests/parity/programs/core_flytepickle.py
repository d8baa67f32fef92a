"""FlytePickle as an annotation: any object, sent as a pickle."""

from flytekit import task, workflow
from flytekit.types.pickle import FlytePickle


@task
def make(n: int) -> FlytePickle:
    return {"n": n, "items": set(range(n))}


@task
def size(obj: FlytePickle) -> int:
    return len(obj["items"])


@workflow
def wf(n: int) -> int:
    return size(obj=make(n=n))


print(wf(n=4))
