"""A task's checkpoint: nothing to read on the first attempt; writing one works."""

from flytekit import current_context, task


@task
def step(n: int) -> str:
    cp = current_context().checkpoint
    previous = cp.read()
    cp.write(str(n).encode())
    return f"previous={previous}"


print(step(n=3))
