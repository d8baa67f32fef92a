"""Workflows the console's browser tests run for real (`dockyard run --remote`), all in one small image:
a map task with a failing item and a conditional, a dynamic fan-out, a failing task, and a task that logs
for a while."""

from __future__ import annotations

import sys
import time

from dockyard import CronSchedule, ImageSpec, LaunchPlan, conditional, dynamic, map_task, task, workflow

runtime_image = ImageSpec(name="dockyard-test-runtime", registry="localhost:5000")


@task(container_image=runtime_image)
def make_list(n: int) -> list[int]:
    return list(range(n))


@task(container_image=runtime_image)
def square(x: int) -> int:
    if x == 3:
        raise ValueError("three is not welcome")
    return x * x


@task(container_image=runtime_image)
def add_all(xs: list[int | None]) -> int:
    return sum(x for x in xs if x is not None)


@task(container_image=runtime_image)
def shout(total: int) -> str:
    return f"BIG {total}"


@task(container_image=runtime_image)
def whisper(total: int) -> str:
    return f"small {total}"


@workflow
def squares(n: int = 5) -> str:
    xs = make_list(n=n)
    sq = map_task(square, min_success_ratio=0.5)(x=xs)
    total = add_all(xs=sq)
    return conditional("size").if_(total > 10).then(shout(total=total)).else_().then(whisper(total=total))


daily = LaunchPlan.get_or_create(squares, name="flows.daily", schedule=CronSchedule(schedule="0 6 * * *"))


@task(container_image=runtime_image)
def explode(word: str) -> str:
    raise RuntimeError(f"boom: {word} went off")
    return word  # never reached: flytekit refuses a body with outputs and no `return`


@workflow
def failing(word: str = "fuse") -> str:
    return explode(word=word)


@task(container_image=runtime_image)
def chatter(lines: int) -> int:
    for i in range(lines):
        print(f"line {i}", flush=True)
        sys.stdout.flush()
        time.sleep(0.5)
    print("done talking", flush=True)
    return lines


@workflow
def chatty(lines: int = 12) -> int:
    return chatter(lines=lines)


@task(container_image=runtime_image)
def double(x: int) -> int:
    return 2 * x


@dynamic(container_image=runtime_image)
def fan(n: int) -> list[int]:
    return [double(x=i) for i in range(n)]


@workflow
def fanout(n: int = 3) -> list[int]:
    return fan(n=n)
