"""flytekit's `flytekit.models.security`: who an execution runs as."""

from dockyard.sdk.context import Secret
from dockyard.sdk.options import Identity, SecurityContext

__all__ = ["Identity", "Secret", "SecurityContext"]
