"""flytekit's `flytekit.sensor.file_sensor` import path."""

from dockyard.sdk.sensor import FileSensor

__all__ = ["FileSensor"]
