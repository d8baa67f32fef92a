"""What a task's return value must look like: flytekit indexes it by output, and says so when it can't."""

import typing

from flytekit import task


@task
def too_few() -> typing.Tuple[int, str]:
    return (1,)


@task
def too_many() -> typing.Tuple[int, str]:
    return 1, "a", 3


@task
def a_list() -> typing.Tuple[int, str]:
    return [1, "a"]


@task
def nothing() -> typing.Tuple[int, str]:
    return None


@task
def no_outputs() -> None:
    return 5


@task
def one_output_gets_tuple() -> int:
    return 1, 2


for t in (too_few, too_many, a_list, nothing, no_outputs, one_output_gets_tuple):
    try:
        print(t.name, "->", t())
    except Exception as e:
        print(t.name, "raised", type(e).__name__, str(e).splitlines()[0])
