"""Tasks run locally one at a time, in the order the workflow body called them."""

from flytekit import task, workflow


@task
def say(msg: str) -> str:
    print("running", msg)
    return msg


@task
def join(a: str, b: str, c: str) -> str:
    return "-".join([a, b, c])


@workflow
def wf() -> str:
    a = say(msg="first")
    b = say(msg="second")
    c = say(msg="third")
    return join(a=c, b=b, c=a)


print(wf())
