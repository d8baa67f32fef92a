"""A user exception raised in a task: caught by type in the caller, then escaping."""

from flytekit import task, workflow


class QuotaExceeded(Exception):
    pass


@task
def spend(amount: int) -> int:
    if amount > 100:
        raise QuotaExceeded(f"amount {amount} over quota")
    return 100 - amount


@workflow
def wf(amount: int) -> int:
    return spend(amount=amount)


print(wf(amount=10))
try:
    wf(amount=500)
except QuotaExceeded as e:
    print("caught", type(e).__name__, "over quota" in str(e))
spend(amount=1000)
