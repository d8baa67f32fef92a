"""conditional with several elif branches."""

from flytekit import conditional, task, workflow


@task
def square(n: float) -> float:
    return n * n


@task
def double(n: float) -> float:
    return 2 * n


@task
def neg(n: float) -> float:
    return -n


@workflow
def wf(my_input: float) -> float:
    return (
        conditional("fractions")
        .if_((my_input >= 0.1) & (my_input <= 1.0))
        .then(double(n=my_input))
        .elif_((my_input > 1.0) & (my_input <= 10.0))
        .then(square(n=my_input))
        .elif_(my_input > 10.0)
        .then(neg(n=my_input))
        .else_()
        .fail("The input must be between 0 and 10")
    )


for v in (0.5, 3.0, 20.0):
    print(wf(my_input=v))
wf(my_input=-1.0)
