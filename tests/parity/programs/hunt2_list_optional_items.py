"""Lists with Optional items and Dict[str, Optional[float]] through tasks."""

from typing import Dict, List, Optional

from flytekit import task, workflow


@task
def clean(xs: List[Optional[int]]) -> Dict[str, Optional[float]]:
    present = [x for x in xs if x is not None]
    mean = sum(present) / len(present) if present else None
    return {"mean": mean, "missing": float(len(xs) - len(present))}


@workflow
def wf(xs: List[Optional[int]]) -> Dict[str, Optional[float]]:
    return clean(xs=xs)


print(wf(xs=[1, None, 3]))
print(wf(xs=[None]))
