"""typing.Any inputs and outputs travel as pickles."""

import logging
import typing

from flytekit import task, workflow

logging.getLogger("flytekit").setLevel(logging.ERROR)  # flytekit logs the pickle fallback on stdout


@task
def anything(x: int) -> typing.Any:
    return {"x": x, "items": [None, "a"]}


@task
def show(v: typing.Any) -> str:
    return repr(v)


@workflow
def wf(x: int) -> str:
    return show(v=anything(x=x))


print(wf(x=1))
