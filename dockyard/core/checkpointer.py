"""flytekit's `flytekit.core.checkpointer`: one checkpoint class serves both names."""

from dockyard.sdk.context import Checkpoint

SyncCheckpoint = Checkpoint

__all__ = ["Checkpoint", "SyncCheckpoint"]
