"""A reference launch plan called directly raises NotImplementedError."""

from flytekit import reference_launch_plan


@reference_launch_plan(project="p", domain="d", name="recipes.lp", version="v2")
def remote_lp(a: int, b: str) -> str: ...


print(type(remote_lp).__name__, remote_lp.id.version)
remote_lp(a=1, b="x")
