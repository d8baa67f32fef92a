"""`current_context().stats` accepts metric calls locally and records nothing."""

from flytekit import current_context, task


@task
def measured(n: int) -> int:
    stats = current_context().stats
    stats.incr("calls")
    stats.gauge("size", n)
    return n * 2


print(measured(n=4))
