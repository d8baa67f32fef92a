"""A task called in a workflow without a required input: defining passes, the first call fails."""

from flytekit import task, workflow


@task
def t(a: int, b: str) -> str:
    return b * a


try:

    @workflow
    def wf(a: int) -> str:
        return t(a=a)
except Exception as e:
    print(type(e).__name__)
    raise

print("defined")
wf(a=1)
