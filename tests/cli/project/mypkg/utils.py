"""A sibling module: flows.py imports it through the package, as projects do."""


def double(x: int) -> int:
    return 2 * x
