"""flytekit's `flytekit.sensor` import path."""

from dockyard.sdk.sensor import BaseSensor, FileSensor

__all__ = ["BaseSensor", "FileSensor"]
