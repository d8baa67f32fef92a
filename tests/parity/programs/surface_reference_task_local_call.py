"""A reference task is declared by id and signature; calling it locally says to mock it."""

from flytekit import reference_task


@reference_task(project="flytesnacks", domain="development", name="recipes.tasks.normalize", version="v1")
def normalize(a: int) -> str: ...


print(type(normalize).__name__, normalize.name)
print(normalize.id.project, normalize.id.domain, normalize.id.name, normalize.id.version)
normalize(a=1)
