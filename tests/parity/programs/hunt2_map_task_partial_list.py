"""map_task with functools.partial binding a list and a dict input for every item."""

import functools
from typing import Dict, List

from flytekit import map_task, task, workflow


@task
def score(x: int, weights: List[float], names: Dict[str, str]) -> str:
    return f"{names.get(str(x), '?')}={x * sum(weights)}"


@workflow
def wf(xs: List[int], weights: List[float]) -> List[str]:
    fn = functools.partial(score, weights=weights, names={"1": "one", "2": "two"})
    return map_task(fn)(x=xs)


print(wf(xs=[1, 2, 3], weights=[0.5, 0.25]))
