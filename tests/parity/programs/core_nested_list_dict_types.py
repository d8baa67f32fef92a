"""Nested containers: list[dict[str, list[int]]] and dict[str, dict[str, float]]."""

from flytekit import task, workflow


@task
def invert(rows: list[dict[str, list[int]]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for i, row in enumerate(rows):
        for k, v in row.items():
            out.setdefault(k, {})[str(i)] = float(sum(v))
    return out


@workflow
def wf(rows: list[dict[str, list[int]]]) -> dict[str, dict[str, float]]:
    return invert(rows=rows)


print(wf(rows=[{"a": [1, 2]}, {"a": [3], "b": []}]))
