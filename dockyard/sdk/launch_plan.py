"""Launch plans: a workflow with bound inputs, a schedule and notifications, as flytekit 1.16 has them.

A launch plan is known by its name (one process-wide registry, like flytekit's `LaunchPlan.CACHE`):
`get_or_create` with the same arguments returns the same object, and with different arguments under the same
name it raises, because a scheduler could not tell the two apart. Called locally, it runs its workflow with
its default inputs, the caller's keyword arguments, and its fixed inputs, which callers cannot override.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterable
from typing import Any, ClassVar

from dockyard.errors import DockyardError
from dockyard.sdk.interface import Interface
from dockyard.sdk.notification import Notification
from dockyard.sdk.schedule import CronSchedule, FixedRate
from dockyard.sdk.workflow import WorkflowBase

LAUNCH_PLAN_SCHEMA = "dockyard.launchplan/v1"


class LaunchPlanError(DockyardError, ValueError, AssertionError):
    """A launch plan is malformed or clashes with another of the same name.

    Also a ValueError/AssertionError: flytekit raises those in the same places, and code catches them.
    """

    exit_code = 2


def _same(a: Any, b: Any) -> bool:
    """Value equality that survives values whose `==` is elementwise (arrays, frames)."""
    try:
        return bool(a == b)
    except Exception:
        return a is b


def _same_map(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)


class Labels:
    """flytekit's `Labels(values)`: Kubernetes labels for an execution."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = dict(values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Labels) and type(other) is type(self) and other.values == self.values

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.values.items())))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.values!r})"


class Annotations(Labels):
    """flytekit's `Annotations(values)`: Kubernetes annotations for an execution."""


def _plain(values: dict[str, str] | Labels | None) -> dict[str, str]:
    """A dict of labels or annotations, given as a dict or as flytekit's Labels/Annotations."""
    return dict((values.values if isinstance(values, Labels) else values) or {})


class LaunchPlan:
    """A named way to launch a workflow; create it with `get_or_create` (or `create` for a new name)."""

    CACHE: ClassVar[dict[str, LaunchPlan]] = {}

    def __init__(
        self,
        name: str,
        workflow: Any,
        default_inputs: dict[str, Any] | None = None,
        fixed_inputs: dict[str, Any] | None = None,
        schedule: CronSchedule | FixedRate | None = None,
        notifications: Iterable[Notification] | Notification | None = None,
        labels: dict[str, str] | Labels | None = None,
        annotations: dict[str, str] | Labels | None = None,
        max_parallelism: int | None = None,
        overwrite_cache: bool | None = None,
        auto_activate: bool = False,
        security_context: Any = None,
        raw_output_data_config: Any = None,
    ) -> None:
        self.name = name
        self.workflow = workflow
        self.default_inputs = dict(default_inputs or {})
        self.fixed_inputs = dict(fixed_inputs or {})
        self.schedule = schedule
        if isinstance(notifications, Notification):
            notifications = [notifications]
        self.notifications = list(notifications or [])
        self.labels = _plain(labels)
        self.annotations = _plain(annotations)
        self.max_parallelism = max_parallelism
        self.overwrite_cache = overwrite_cache
        self.auto_activate = auto_activate
        # flytekit's Options fields of a plan: recorded (a remote run takes them from its own flags)
        self.security_context = security_context
        self.raw_output_data_config = raw_output_data_config
        self._check()

    # The arguments that make two launch plans of one name the same plan, in flytekit's order.
    _IDENTITY = (
        "default_inputs",
        "fixed_inputs",
        "schedule",
        "notifications",
        "labels",
        "annotations",
        "max_parallelism",
        "overwrite_cache",
        "auto_activate",
    )

    def _error(self, detail: str) -> LaunchPlanError:
        return LaunchPlanError(f"launch plan {self.name}: {detail}")

    def _check(self) -> None:
        """Fail at declaration: a wrong input name, type or kickoff argument would fail at launch."""
        if not isinstance(self.name, str) or not self.name:
            raise LaunchPlanError("LaunchPlan.name: a non-empty name is required")
        if not isinstance(self.workflow, WorkflowBase):
            raise self._error(f"workflow must be a @workflow, got {self.workflow!r}")
        wf_interface = self.workflow.interface
        for what in ("default_inputs", "fixed_inputs"):
            for key, value in getattr(self, what).items():
                if key not in wf_interface.inputs:
                    raise self._error(
                        f"{what} names '{key}', which is not an input of "
                        f"workflow {self.workflow.name} (inputs: {', '.join(wf_interface.inputs) or 'none'})"
                    )
                self._check_value(f"{what}.{key}", value, wf_interface.inputs[key])
        both = sorted(self.default_inputs.keys() & self.fixed_inputs.keys())
        if both:
            raise self._error(f"input '{both[0]}' is both a default and a fixed input")
        if self.schedule is not None:
            if not isinstance(self.schedule, CronSchedule | FixedRate):
                raise self._error("schedule must be a CronSchedule or FixedRate")
            self._check_kickoff(wf_interface)
        for notification in self.notifications:
            if not isinstance(notification, Notification):
                raise self._error(
                    f"notifications must be Email, Slack or PagerDuty, got {type(notification).__name__}"
                )

    def _check_value(self, where: str, value: Any, python_type: Any) -> None:
        from dockyard.sdk.types import TypeEngine

        try:
            TypeEngine.to_literal(value, python_type)
        except DockyardError as exc:
            raise self._error(f"{where}: {exc}") from None

    def _check_kickoff(self, wf_interface: Interface) -> None:
        arg = getattr(self.schedule, "kickoff_time_input_arg", None)
        if arg is None:
            return
        if arg not in wf_interface.inputs:
            raise self._error(
                f"schedule.kickoff_time_input_arg '{arg}' is not an input of workflow {self.workflow.name}"
            )
        declared = wf_interface.inputs[arg]
        if typing.get_origin(declared) is typing.Annotated:
            declared = typing.get_args(declared)[0]
        if declared is not dt.datetime:
            raise self._error(
                f"schedule.kickoff_time_input_arg '{arg}' must be a datetime input, "
                f"not {getattr(declared, '__name__', declared)}"
            )
        if arg in self.fixed_inputs:
            raise self._error(f"schedule.kickoff_time_input_arg '{arg}' cannot be a fixed input")

    @classmethod
    def create(cls, name: str, workflow: Any, **kwargs: Any) -> LaunchPlan:
        """A new launch plan; a name already taken is an error (use `get_or_create` to reuse one)."""
        if name in cls.CACHE:
            raise LaunchPlanError(
                f"launch plan named {name} was already created: launch plan names must be unique"
            )
        plan = cls(name, workflow, **kwargs)
        cls.CACHE[name] = plan
        return plan

    @classmethod
    def get_or_create(cls, workflow: Any, name: str | None = None, **kwargs: Any) -> LaunchPlan:
        """The plan of this name: the existing one if its arguments are the same, else a new one.

        Without a name, the workflow's default plan (named after it, with no inputs bound), as in flytekit.
        """
        if name is None:
            if any(v not in (None, False) for v in kwargs.values()):
                raise LaunchPlanError(
                    "only named launch plans can have inputs, schedules or notifications: pass name="
                )
            if not isinstance(workflow, WorkflowBase):
                raise LaunchPlanError(
                    f"LaunchPlan.get_or_create: workflow must be a @workflow, got {workflow!r}"
                )
            name = workflow.name
        existing = cls.CACHE.get(name)
        if existing is None:
            return cls.create(name, workflow, **kwargs)
        wanted = cls(name, workflow, **kwargs)
        if existing.workflow is not workflow:
            raise LaunchPlanError(
                f"launch plan {name} already exists for workflow {existing.workflow.name}, "
                f"not {getattr(workflow, 'name', workflow)}: use another name"
            )
        for attr in cls._IDENTITY:
            a, b = getattr(existing, attr), getattr(wanted, attr)
            if not (_same_map(a, b) if isinstance(a, dict) else _same(a, b)):
                raise LaunchPlanError(
                    f"launch plan {name} of workflow {existing.workflow.name} already exists with different "
                    f"{attr}: use another name"
                )
        return existing

    @classmethod
    def get_default_launch_plan(cls, ctx: Any, workflow: Any) -> LaunchPlan:
        """The workflow's own plan (named after it, nothing bound); `ctx` is flytekit's, unused."""
        return cls.get_or_create(workflow)

    @property
    def interface(self) -> Interface:
        """What a caller may pass: the workflow's inputs less the fixed ones, with this plan's defaults."""
        wf: Interface = self.workflow.interface
        return Interface(
            inputs={k: t for k, t in wf.inputs.items() if k not in self.fixed_inputs},
            outputs=wf.outputs,
            defaults={
                k: v for k, v in {**wf.defaults, **self.default_inputs}.items() if k not in self.fixed_inputs
            },
            output_tuple=wf.output_tuple,
        )

    @property
    def python_interface(self) -> Interface:
        """flytekit's name for `interface`."""
        return self.interface

    def merged_inputs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The workflow's inputs for one launch: defaults, then the caller's, then the fixed ones."""
        overridden = sorted(kwargs.keys() & self.fixed_inputs.keys())
        if overridden:
            raise self._error(f"input '{overridden[0]}' is fixed and cannot be overridden")
        return {**self.default_inputs, **kwargs, **self.fixed_inputs}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run (in a workflow body: call as a subworkflow) with `merged_inputs`; keyword arguments only."""
        if args:
            raise self._error("only keyword arguments are supported")
        from dockyard.sdk.promise import current_builder, node_of

        result = self.workflow(**self.merged_inputs(kwargs))
        builder = current_builder()
        node = node_of(builder, result) if builder is not None else None
        if node is not None:
            node.launch_plan = self
        return result

    def to_dict(self) -> dict[str, Any]:
        """The versioned document a scheduler stores: inputs as literals, the workflow by reference."""
        from dockyard.sdk.graph import entity_ref
        from dockyard.sdk.types import TypeEngine

        wf_inputs = self.workflow.interface.inputs
        return {
            "schema": LAUNCH_PLAN_SCHEMA,
            "name": self.name,
            "workflow": entity_ref(self.workflow),
            "default_inputs": {
                k: TypeEngine.to_literal(v, wf_inputs[k]) for k, v in self.default_inputs.items()
            },
            "fixed_inputs": {k: TypeEngine.to_literal(v, wf_inputs[k]) for k, v in self.fixed_inputs.items()},
            "schedule": self.schedule.to_dict() if self.schedule else None,
            "notifications": [n.to_dict() for n in self.notifications],
            "labels": self.labels,
            "annotations": self.annotations,
            "max_parallelism": self.max_parallelism,
            "overwrite_cache": self.overwrite_cache,
            "auto_activate": self.auto_activate,
        }

    def __repr__(self) -> str:
        return f"LaunchPlan({self.name!r}, workflow={getattr(self.workflow, 'name', self.workflow)!r})"
