"""sleep(...) is a gate node; run locally it announces the sleep and goes on."""

import datetime

from flytekit import sleep, task, workflow


@task
def after() -> str:
    return "after the sleep"


@workflow
def wf() -> str:
    s = sleep(datetime.timedelta(seconds=30))
    a = after()
    s >> a
    return a


print(wf())
