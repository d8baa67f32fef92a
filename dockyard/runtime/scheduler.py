"""`dockyard schedules serve`: runs registered launch plans on their CronSchedule or FixedRate, passing
the scheduled time to `kickoff_time_input_arg`, and sends each plan's notifications by SMTP.

The scheduler is a loop over `tick(now)`, which launches every plan whose next time has come; `now` is a
parameter so tests drive the clock. Launches run one after another in the serving process (an embedded
default, not a cluster service); a missed slot runs once, at its own scheduled time, on the next tick.
"""

from __future__ import annotations

import smtplib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from typing import Any

from dockyard.config import Settings
from dockyard.errors import DockyardError
from dockyard.runtime.blobstore.base import Store


class NotifyError(DockyardError):
    """A notification could not be delivered (the SMTP server refused or could not be reached)."""


@dataclass
class Launch:
    """One scheduled run and how it ended."""

    plan: str
    scheduled_at: datetime
    execution_id: str | None
    phase: str  # SUCCEEDED or FAILED (WorkflowExecutionPhase names)
    message: str = ""


@dataclass
class _Entry:
    plan: Any
    doc: dict[str, Any]
    next_at: datetime


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
        """(Re)load the latest registered version of every scheduled launch plan; returns their names."""
        from dockyard.runtime.registration import fetch, load_registered

        prefix = self.store.url_for("registry", self.project, self.domain, "latest") + "/"
        docs: dict[str, dict[str, Any]] = {}  # version -> document, read once per load for all its names
        for uri in self.store.list(prefix):
            name = uri[len(prefix) :]
            version = self.store.read_bytes(uri).decode()  # the `latest` pointer
            if name in self._entries and self._entries[name].doc["version"] == version:
                continue
            if version not in docs:
                docs[version] = fetch(
                    self.store, project=self.project, domain=self.domain, name=name, version=version
                )
            doc = docs[version]
            if not any(p["name"] == name and p["schedule"] for p in doc["launch_plans"]):
                continue
            plan = load_registered(doc, self.store, name)
            self._entries[name] = _Entry(plan, doc, plan.schedule.next_after(self.start))
        return sorted(self._entries)

    def tick(self, now: datetime) -> list[Launch]:
        """Launch every plan whose next scheduled time is at or before `now`."""
        launches: list[Launch] = []
        for name, entry in sorted(self._entries.items()):
            while entry.next_at <= now:
                launches.append(self._launch(name, entry, entry.next_at))
                entry.next_at = entry.plan.schedule.next_after(entry.next_at)
                if entry.next_at <= now:  # missed slots are not replayed one by one
                    entry.next_at = entry.plan.schedule.next_after(now)
        return launches

    def serve(self, *, poll_s: float = 5.0, max_runs: int | None = None) -> list[Launch]:
        """Tick on the wall clock until `max_runs` launches happened (forever when None)."""
        done: list[Launch] = []
        self.load()
        while max_runs is None or len(done) < max_runs:
            done += self.tick(datetime.now(timezone.utc))
            if max_runs is not None and len(done) >= max_runs:
                break
            time.sleep(poll_s)
            self.load()
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
            launch = Launch(name, at, result.execution_id, "SUCCEEDED")
        except DockyardError as exc:
            launch = Launch(name, at, None, "FAILED", str(exc))
        notify(self.settings, entry.plan, launch)
        return launch


def notify(settings: Settings, plan: Any, launch: Launch) -> int:
    """Send the plan's notifications whose phases include the launch's; returns how many went out."""
    sent = 0
    for note in plan.notifications:
        if launch.phase not in {p.name for p in note.phases}:
            continue
        msg = EmailMessage()
        msg["From"] = settings.smtp.sender
        msg["To"] = ", ".join(note.recipients_email)
        msg["Subject"] = f"[dockyard] launch plan {launch.plan}: {launch.phase}"
        msg.set_content(
            f"Launch plan {launch.plan}, scheduled at {launch.scheduled_at.isoformat()}, "
            f"ended {launch.phase}.\n"
            f"Execution: {launch.execution_id or '(none)'}\n{launch.message}\n"
        )
        smtp = settings.smtp
        try:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
                if smtp.starttls:
                    client.starttls()
                if smtp.username:
                    client.login(smtp.username, smtp.password or "")
                client.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise NotifyError(
                f"smtp {smtp.host}:{smtp.port}: cannot send the {launch.plan} notification: {exc}"
            ) from None
        sent += 1
    return sent
