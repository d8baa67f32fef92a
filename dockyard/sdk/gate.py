"""Gate nodes: `sleep(duration)`, `approve(value, name, timeout)` and `wait_for_input(name, timeout,
expected_type)`, with flytekit's local semantics: a sleep is announced, not slept; an approval asks on the
terminal (`click.confirm`, default yes) and a refusal raises `FlyteDisapprovalException`; an input is read
from the terminal (`click.prompt`) as the expected type. Each gate is a node of its own in the graph.
"""

from __future__ import annotations

import datetime
from typing import Any

from dockyard.sdk.exceptions import FlyteDisapprovalException
from dockyard.sdk.promise import NodeHandle, Promise, add_call, current_builder
from dockyard.sdk.task import PythonTask


class Gate(PythonTask):
    """A gate's node: its errors (a refusal, an aborted prompt) reach the caller as they are."""

    names_errors = False


def _gate(fn: Any, name: str, builder: Any, **inputs: Any) -> Any:
    gate = Gate(fn, name=name)
    if builder is None:
        return gate(**inputs)
    return add_call(builder, "task", gate, (), inputs)


def sleep(duration: datetime.timedelta) -> Any:
    def sleep_gate() -> None:
        print(f"[Sleep Gate] Simulating Sleep for {duration}")

    return _gate(sleep_gate, "sleep-gate", current_builder())


def approve(upstream_item: Any, name: str, timeout: datetime.timedelta) -> Any:
    """Pass `upstream_item` on once someone approves it."""
    builder = current_builder()
    if isinstance(upstream_item, NodeHandle) or not isinstance(upstream_item, Promise | type(None)):
        tp: Any = type(upstream_item)
    else:
        tp = upstream_item.python_type if upstream_item is not None else type(None)

    def approval(value: Any) -> Any:
        import click

        if not click.confirm(f"[Approval Gate] @{name} Approve {value}?", default=True):
            raise FlyteDisapprovalException(f"User did not approve the transaction for gate node {name}")
        return value

    approval.__annotations__ = {"value": tp, "return": tp}
    return _gate(approval, name, builder, value=upstream_item)


def wait_for_input(name: str, timeout: datetime.timedelta, expected_type: Any) -> Any:
    """A value of `expected_type` given when the node runs (locally: typed on the terminal)."""

    def signal() -> Any:
        import click

        return click.prompt(
            f"[Input Gate] Waiting for input @{name} of type {expected_type}", type=expected_type
        )

    signal.__annotations__ = {"return": expected_type}
    return _gate(signal, name, current_builder())
