"""`kwtypes` builds an ordered name → type mapping for class-based task interfaces."""

from flytekit import kwtypes

types = kwtypes(limit=int, name=str, ratio=float)
print(list(types), [t.__name__ for t in types.values()])
