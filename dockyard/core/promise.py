"""flytekit's `flytekit.core.promise`; a call without outputs gives a `VoidPromise` (a NodeHandle)."""

from dockyard.sdk.graph import Ref as NodeOutput
from dockyard.sdk.promise import ComparisonExpression, ConjunctionExpression, Promise
from dockyard.sdk.promise import NodeHandle as VoidPromise

__all__ = ["ComparisonExpression", "ConjunctionExpression", "NodeOutput", "Promise", "VoidPromise"]
