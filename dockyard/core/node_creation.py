"""flytekit's `flytekit.core.node_creation`."""

from dockyard.sdk.node_creation import create_node

__all__ = ["create_node"]
