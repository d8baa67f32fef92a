"""`FlyteError`: what a workflow's `on_failure` handler receives as `err` (flytekit.types.error)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FlyteError:
    """The failure of a workflow: the error's message and the id of the node that reports it."""

    message: str
    failed_node_id: str
