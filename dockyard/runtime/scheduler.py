"""`dockyard schedules serve`: runs registered launch plans on their CronSchedule or FixedRate, passing
the scheduled time to `kickoff_time_input_arg`; each run's notifications go out as for any execution of the
plan (`runtime.notifications`), and one that cannot be delivered never stops the scheduler.

The scheduler is a loop over `tick(now)`, which launches every plan whose next time has come; `now` is a
parameter so tests drive the clock. Launches run one after another in the serving process (an embedded
default, not a cluster service); a missed slot runs once, at its own scheduled time, on the next tick.
`load` follows the registry: a version that drops a plan's schedule stops it, a deactivated plan does not
fire, and re-registering a plan keeps its place in time (a slot that already ran does not run again).
Activation lives at `registry/<project>/<domain>/schedules/<plan>.json`; a plan is active until deactivated.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from dockyard.config import Settings
from dockyard.errors import ConfigError, DockyardError
from dockyard.runtime.blobstore.base import Store

log = logging.getLogger(__name__)


@dataclass
class Launch:
    """One scheduled run and how it ended."""

    plan: str
    scheduled_at: datetime
    execution_id: str | None
    phase: str  # a WorkflowExecutionPhase name (SUCCEEDED, FAILED, ABORTED, ...)
    message: str = ""


@dataclass
class _Entry:
    plan: Any
    doc: dict[str, Any]
    next_at: datetime
    last_at: datetime | None = None  # the last slot launched (or the time scheduling started)


@dataclass
class Scheduler:
    store: Store
    settings: Settings
    project: str
    domain: str
    start: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    executor: Any = None
    _entries: dict[str, _Entry] = field(default_factory=dict)

    def load(self) -> list[str]:
        """Follow the registry: the latest version of every active scheduled launch plan; returns their
        names. A plan whose latest version has no schedule, or that was deactivated, stops; a plan that
        was re-registered keeps its next time (its schedule's next slot after the last one it ran)."""
        from dockyard.runtime.registration import fetch, load_registered

        prefix = self.store.url_for("registry", self.project, self.domain, "latest") + "/"
        docs: dict[str, dict[str, Any]] = {}  # version -> document, read once per load for all its names
        seen: set[str] = set()
        for uri in self.store.list(prefix):
            name = uri[len(prefix) :]
            version = self.store.read_bytes(uri).decode()  # the `latest` pointer
            seen.add(name)
            current = self._entries.get(name)
            if not is_active(self.store, self.project, self.domain, name):
                self._entries.pop(name, None)
                continue
            unchanged = current is not None and current.doc["version"] == version
            if current is not None and unchanged:
                doc = current.doc
            else:
                if version not in docs:
                    docs[version] = fetch(
                        self.store, project=self.project, domain=self.domain, name=name, version=version
                    )
                doc = docs[version]
            spec = next((p for p in doc["launch_plans"] if p["name"] == name and p["schedule"]), None)
            if spec is None or dropped(self.store, self.project, self.domain, doc, spec):
                self._entries.pop(name, None)  # the newest version has no schedule for it: it stops
                continue
            if unchanged:
                continue
            plan = load_registered(doc, self.store, name)
            after = current.last_at if current is not None and current.last_at is not None else self.start
            self._entries[name] = _Entry(plan, doc, plan.schedule.next_after(after), after)
        for gone in set(self._entries) - seen:
            del self._entries[gone]
        return sorted(self._entries)

    def next_fire_times(self) -> dict[str, datetime]:
        """When each loaded plan fires next (what `schedules serve` prints after each load)."""
        return {name: entry.next_at for name, entry in sorted(self._entries.items())}

    def tick(self, now: datetime) -> list[Launch]:
        """Launch every plan whose next scheduled time is at or before `now`."""
        launches: list[Launch] = []
        for name, entry in sorted(self._entries.items()):
            while entry.next_at <= now:
                launches.append(self._launch(name, entry, entry.next_at))
                entry.last_at = entry.next_at
                entry.next_at = entry.plan.schedule.next_after(entry.next_at)
                if entry.next_at <= now:  # missed slots are not replayed one by one
                    entry.next_at = entry.plan.schedule.next_after(now)
        return launches

    def serve(
        self,
        *,
        poll_s: float = 5.0,
        max_runs: int | None = None,
        on_plans: Callable[[dict[str, datetime]], None] | None = None,
    ) -> list[Launch]:
        """Tick on the wall clock until `max_runs` launches happened (forever when None); `on_plans` gets
        each plan's next fire time whenever the set of plans or their times change."""
        done: list[Launch] = []
        shown: dict[str, datetime] | None = None
        while max_runs is None or len(done) < max_runs:
            self.load()
            if on_plans is not None and self.next_fire_times() != shown:
                shown = self.next_fire_times()
                on_plans(shown)
            done += self.tick(datetime.now(timezone.utc))
            if max_runs is not None and len(done) >= max_runs:
                break
            time.sleep(poll_s)
        return done

    def kickoff(
        self, name: str, at: datetime, *, version: str | None = None, kickoff_input: str | None = None
    ) -> Launch:
        """One launch of registered plan `name` for the scheduled time `at`, as `tick` does it: what a
        CronJob's Job runs (`dockyard schedules kickoff`). `kickoff_input` overrides the plan's
        `kickoff_time_input_arg` (the CronJob names it in DOCKYARD_KICKOFF_TIME_INPUT)."""
        from dockyard.runtime.registration import fetch, load_registered

        doc = fetch(self.store, project=self.project, domain=self.domain, name=name, version=version)
        plan = load_registered(doc, self.store, name)
        if getattr(plan, "schedule", None) is None and kickoff_input is None:
            raise ConfigError(
                f"{name}: not a scheduled launch plan (run it with `dockyard run --registered`)"
            )
        return self._launch(name, _Entry(plan, doc, at), at, kickoff_input)

    def _launch(self, name: str, entry: _Entry, at: datetime, kickoff_input: str | None = None) -> Launch:
        from dockyard.runtime.remote import run_registered

        inputs: dict[str, Any] = {}
        arg = kickoff_input or entry.plan.schedule.kickoff_time_input_arg
        if arg:
            inputs[arg] = at
        try:
            result = run_registered(
                entry.doc, entry.plan, inputs, settings=self.settings, executor=self.executor
            )
            return Launch(name, at, result.execution_id, "SUCCEEDED")
        except DockyardError as exc:  # the run's notifications went out already (execute_remote)
            log.warning("launch plan %s at %s: %s", name, at.isoformat(), exc)
            return Launch(name, at, None, "FAILED", str(exc))


def dropped(store: Store, project: str, domain: str, doc: dict[str, Any], spec: dict[str, Any]) -> bool:
    """Whether a newer version of the plan's workflow was registered without the plan (the plan's own
    `latest` pointer then stays behind, at the last version that had it)."""
    workflow = next((w["name"] for w in doc["workflows"] if w["ref"] == spec["workflow"]), None)
    if workflow is None:
        return False
    uri = store.url_for("registry", project, domain, "latest", workflow)
    return store.exists(uri) and store.read_bytes(uri).decode() != doc["version"]


def _activation_uri(store: Store, project: str, domain: str, name: str) -> str:
    return store.url_for("registry", project, domain, "schedules", f"{name}.json")


def is_active(store: Store, project: str, domain: str, name: str) -> bool:
    """A registered launch plan's schedule fires unless it was deactivated."""
    uri = _activation_uri(store, project, domain, name)
    return not store.exists(uri) or bool(store.read_json(uri).get("active", True))


def set_active(store: Store, project: str, domain: str, name: str, active: bool) -> None:
    """`dockyard schedules activate|deactivate NAME`: the scheduler follows it on its next load."""
    from dockyard.runtime.registration import fetch

    doc = fetch(store, project=project, domain=domain, name=name, version=None)
    if not any(p["name"] == name and p["schedule"] for p in doc["launch_plans"]):
        raise ConfigError(f"{project}/{domain}: {name} is not a scheduled launch plan")
    store.write_json(_activation_uri(store, project, domain, name), {"active": active, "at": time.time()})


@dataclass(frozen=True)
class ScheduleInfo:
    """One line of `dockyard schedules list`."""

    name: str
    version: str
    schedule: dict[str, Any]
    active: bool
    next_at: datetime | None  # from now, for an active plan

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "next_at": self.next_at.isoformat() if self.next_at else None}


def list_schedules(
    store: Store, project: str, domain: str, *, now: datetime | None = None
) -> list[ScheduleInfo]:
    """Every registered launch plan with a schedule in its latest version, active or not."""
    from dockyard.runtime.registration import fetch, load_registered

    now = now or datetime.now(timezone.utc)
    prefix = store.url_for("registry", project, domain, "latest") + "/"
    found: list[ScheduleInfo] = []
    for uri in sorted(store.list(prefix)):
        name = uri[len(prefix) :]
        version = store.read_bytes(uri).decode()
        doc = fetch(store, project=project, domain=domain, name=name, version=version)
        spec = next((p for p in doc["launch_plans"] if p["name"] == name and p["schedule"]), None)
        if spec is None or dropped(store, project, domain, doc, spec):
            continue
        active = is_active(store, project, domain, name)
        next_at = load_registered(doc, store, name).schedule.next_after(now) if active else None
        found.append(ScheduleInfo(name, version, spec["schedule"], active, next_at))
    return found
