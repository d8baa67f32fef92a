"""Errors of the type engine: a value that does not fit its annotation, or an annotation that cannot be used.

`TypeTransformerFailedError` keeps flytekit's name and bases (a TypeError, an AssertionError and a ValueError
at once), so user `except` clauses written for flytekit still match; `UnsupportedTypeError` is a TypeError.
"""

from __future__ import annotations

from dockyard.errors import DockyardError


class TypeTransformerFailedError(DockyardError, TypeError, AssertionError, ValueError):
    """A value (or a literal) does not fit its type; the message is `<path>: <detail>`.

    Transformers raise it with a path relative to themselves; each enclosing container prepends its own
    step (`.field`, `[3]`, `['k']`), so only the error path pays for building paths.
    """

    def __init__(self, detail: str, path: str = "") -> None:
        self.detail = detail
        self.path = path
        super().__init__(f"{path.lstrip('.')}: {detail}" if path else detail)

    def under(self, step: str) -> TypeTransformerFailedError:
        """The same error seen from the container one step up (`step` is `.name`, `[3]` or `['k']`)."""
        return TypeTransformerFailedError(self.detail, step + self.path)


class UnsupportedTypeError(DockyardError, TypeError):
    """An annotation that no transformer (not even the pickle fallback) can carry."""

    exit_code = 2


class PickleFallbackWarning(UserWarning):
    """A type with no transformer travels as a pickle: it works, but only between identical environments."""


def mismatch(expected: str, got: str) -> TypeTransformerFailedError:
    """The common error: `expected <T>, got <U>`."""
    return TypeTransformerFailedError(f"expected {expected}, got {got}")
