"""Launch plan notifications, sent when any execution of a plan that has them ends: `dockyard run` of the
plan, a registered run, `schedules serve` and `schedules kickoff` all go through `notify`.

`Email` and `PagerDuty` (its email integration) go through SMTP (`settings.smtp`); `Slack` posts to the
incoming webhook of `settings.slack.webhook_url`. A notification that cannot be delivered never fails the
run or stops the scheduler: it is logged and recorded, with every delivery, in
`executions/<id>/notifications.json`. The webhook URL is a credential: it is never logged or recorded.
"""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from typing import Any

from dockyard.config import Settings
from dockyard.errors import StoreError
from dockyard.runtime.blobstore.base import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    kind: str
    recipients: tuple[str, ...]
    phase: str
    sent_at: float
    error: str = ""  # empty when delivered


def _text(plan: str, phase: str, execution_id: str | None, message: str, detail: str) -> str:
    lines = [f"Launch plan {plan} ended {phase}.{detail}", f"Execution: {execution_id or '(none)'}"]
    return "\n".join(lines + ([message] if message else [])) + "\n"


def _email(settings: Settings, note: Any, subject: str, text: str) -> None:
    smtp = settings.smtp
    msg = EmailMessage()
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(note.recipients_email)
    msg["Subject"] = subject
    msg.set_content(text)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise OSError(f"smtp {smtp.host}:{smtp.port}: {exc}") from None


def _slack(settings: Settings, note: Any, text: str) -> None:
    import httpx

    url = settings.slack.webhook_url
    if not url:
        raise OSError("slack.webhook_url is not set (DOCKYARD_SLACK_WEBHOOK_URL)")
    channels = ", ".join(note.recipients_email)
    try:
        response = httpx.post(url, json={"text": f"{text}(for {channels})"}, timeout=30)
    except httpx.HTTPError as exc:
        raise OSError(f"slack webhook: {type(exc).__name__}") from None  # the URL is a credential
    if response.status_code >= 300:
        raise OSError(f"slack webhook: HTTP {response.status_code} {response.text[:200]}")


def notify(
    settings: Settings,
    store: Store | None,
    *,
    plan: str,
    notifications: Any,
    phase: str,
    execution_id: str | None,
    message: str = "",
    detail: str = "",
) -> list[Delivery]:
    """Send each notification whose phases include `phase` (a `WorkflowExecutionPhase` name); return the
    deliveries, failed ones included, and record them beside the execution."""
    deliveries: list[Delivery] = []
    subject = f"[dockyard] launch plan {plan}: {phase}"
    text = _text(plan, phase, execution_id, message, detail)
    for note in notifications:
        if phase not in {p.name for p in note.phases}:
            continue
        error = ""
        try:
            if note.kind == "slack":
                _slack(settings, note, text)
            else:
                _email(settings, note, subject, text)
        except OSError as exc:
            error = str(exc)
            log.warning("launch plan %s: the %s notification was not delivered: %s", plan, note.kind, error)
        deliveries.append(Delivery(note.kind, tuple(note.recipients_email), phase, time.time(), error))
    if deliveries and store is not None and execution_id is not None:
        uri = store.url_for("executions", execution_id, "notifications.json")
        try:
            previous = store.read_json(uri) if store.exists(uri) else []
            store.write_json(uri, previous + [asdict(d) for d in deliveries])
        except StoreError as exc:
            log.warning("execution %s: the notifications could not be recorded: %s", execution_id, exc)
    return deliveries
