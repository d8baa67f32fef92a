"""flytekit's `flytekit.sensor.base_sensor` import path."""

from dockyard.sdk.sensor import BaseSensor

__all__ = ["BaseSensor"]
