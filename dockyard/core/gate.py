"""flytekit's `flytekit.core.gate`."""

from dockyard.sdk.gate import Gate, approve, sleep, wait_for_input

__all__ = ["Gate", "approve", "sleep", "wait_for_input"]
