"""map_task with concurrency and min_success_ratio, over a list input."""

from typing import List

from flytekit import map_task, task, workflow


@task
def length(word: str) -> int:
    return len(word)


@workflow
def wf(words: List[str]) -> List[int]:
    return map_task(length, concurrency=2, min_success_ratio=1.0)(word=words)


print(wf(words=["a", "bb", "ccc"]))
