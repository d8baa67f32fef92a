"""The thin layer over the official Kubernetes client: connect, create, watch, stream logs, delete.

Everything that decides *what* to create lives in the pure manifest modules, and everything that reads a
pod's status lives in `pod_status`; this module only moves objects to and from the API server and turns
its errors into one-line `DockyardError`s. It is shared by the build Job and the task-pod executor.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any

import urllib3
from pydantic import ValidationError

from dockyard.config import KubernetesSettings
from dockyard.errors import ConfigError, DockyardError
from dockyard.kubernetes.pod_status import PodVerdict, classify_pod
from dockyard.runtime.phase import Phase

_WATCH_S = 30
_GRACE_S = 10


def api_error_message(exc: Any, action: str) -> str:
    """One line for an `ApiException`: what was being done, and what the status means for the user."""
    status = getattr(exc, "status", None)
    reason = getattr(exc, "reason", None) or ""
    if status == 401:
        return (
            f"kubernetes API rejected the credentials (401 {reason}) while {action}: check kubernetes.context"
        )
    if status == 403:
        return (
            f"kubernetes API forbids {action} (403 {reason}): "
            "grant the Role in deploy/rbac.yaml to this user or service account"
        )
    if status == 404:
        return f"not found while {action} (404): does the namespace exist?"
    if status == 409:
        return f"already exists while {action} (409): another dockyard run may be using the same name"
    return f"kubernetes API error while {action}: {status} {reason}".rstrip()


def connect(settings: KubernetesSettings) -> Any:
    """An ApiClient from the kubeconfig (the configured context) or, inside a pod, the service account."""
    from kubernetes import client, config

    try:
        return config.new_client_from_config(context=settings.context)
    except config.ConfigException as kube_error:
        try:
            config.load_incluster_config()
        except config.ConfigException:
            raise ConfigError(
                f"kubernetes.context: no usable kubeconfig or in-cluster config ({kube_error})"
            ) from None
        return client.ApiClient()


class Cluster:
    """Create/watch/delete for the few kinds dockyard uses, in one namespace, with errors made readable."""

    def __init__(
        self, settings: KubernetesSettings, error: type[DockyardError], api_client: Any = None
    ) -> None:
        from kubernetes import client

        self.settings = settings
        self.namespace = settings.namespace
        self._error = error
        api = api_client if api_client is not None else connect(settings)
        self.core = client.CoreV1Api(api)
        self.batch = client.BatchV1Api(api)

    def _call(
        self, action: str, fn: Callable[..., Any], *args: Any, tolerate: int | None = None, **kwargs: Any
    ) -> Any:
        """Call the API; errors become one-line `DockyardError`s, except status `tolerate` (returns None)."""
        from kubernetes.client.exceptions import ApiException

        try:
            return fn(*args, **kwargs)
        except ApiException as exc:
            if exc.status == tolerate:
                return None
            raise self._error(api_error_message(exc, action)) from None
        except ValidationError as exc:  # the client checks bodies (e.g. a user's pod_template) before sending
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"][1:])
            raise self._error(f"invalid manifest while {action}: {where}: {first['msg']}") from None

    def create(self, manifest: dict[str, Any]) -> None:
        """Create one object of a kind dockyard makes (Secret, Pod, Job, CronJob)."""
        kind, name = manifest["kind"], manifest["metadata"]["name"]
        creators: dict[str, Callable[..., Any]] = {
            "Secret": self.core.create_namespaced_secret,
            "Pod": self.core.create_namespaced_pod,
            "Job": self.batch.create_namespaced_job,
            "CronJob": self.batch.create_namespaced_cron_job,
        }
        self._call(f"creating {kind} {self.namespace}/{name}", creators[kind], self.namespace, manifest)

    def apply_cron_job(self, manifest: dict[str, Any]) -> bool:
        """Create a CronJob, or replace the one of that name (re-registering a schedule); True if created."""
        name = manifest["metadata"]["name"]
        action = f"registering CronJob {self.namespace}/{name}"
        created = self._call(
            action, self.batch.create_namespaced_cron_job, self.namespace, manifest, tolerate=409
        )
        if created is not None:
            return True
        current = self._call(action, self.batch.read_namespaced_cron_job, name, self.namespace)
        version = current.metadata.resource_version
        replacement = {**manifest, "metadata": {**manifest["metadata"], "resourceVersion": version}}
        self._call(action, self.batch.replace_namespaced_cron_job, name, self.namespace, replacement)
        return False

    def delete(self, kind: str, name: str) -> None:
        """Delete an object and (for Jobs) its pods; an object already gone is fine."""
        from kubernetes import client

        deleters: dict[str, Callable[..., Any]] = {
            "Secret": self.core.delete_namespaced_secret,
            "Pod": self.core.delete_namespaced_pod,
            "Job": self.batch.delete_namespaced_job,
            "CronJob": self.batch.delete_namespaced_cron_job,
        }
        body = client.V1DeleteOptions(propagation_policy="Background")
        action = f"deleting {kind} {self.namespace}/{name}"
        self._call(action, deleters[kind], name, self.namespace, body=body, tolerate=404)

    def delete_pods(self, label_selector: str) -> list[tuple[dict[str, str], str]]:
        """Delete every pod matching `label_selector` (what a gone driver left behind), each one's log read
        first (its first container's, the task's): the labels and log of each pod deleted."""
        action = f"deleting pods {label_selector} in {self.namespace}"
        pods = self._call(
            action, self.core.list_namespaced_pod, self.namespace, label_selector=label_selector
        )
        removed = []
        for pod in pods.items:
            containers = pod.spec.containers if pod.spec is not None else []
            log = self.log_tail(pod.metadata.name, containers[0].name, lines=None) if containers else ""
            removed.append((dict(pod.metadata.labels or {}), log))
            self.delete("Pod", pod.metadata.name)
        return removed

    def delete_jobs(self, label_selector: str) -> int:
        """Delete every Job matching `label_selector`, with its pods; returns how many."""
        action = f"deleting Jobs {label_selector} in {self.namespace}"
        jobs = self._call(
            action, self.batch.list_namespaced_job, self.namespace, label_selector=label_selector
        )
        for job in jobs.items:
            self.delete("Job", job.metadata.name)
        return len(jobs.items)

    def _pod_events(self, action: str, timeout_s: int, **selectors: str) -> Generator[Any, None, None]:
        """Pod watch events matching `selectors` for up to `timeout_s`; API errors become one line."""
        from kubernetes import watch
        from kubernetes.client.exceptions import ApiException

        watcher = watch.Watch()
        try:
            yield from watcher.stream(
                self.core.list_namespaced_pod,
                self.namespace,
                timeout_seconds=timeout_s,
                _request_timeout=timeout_s + _GRACE_S,  # a dead connection must not block forever
                **selectors,
            )
        except ApiException as exc:
            raise self._error(api_error_message(exc, action)) from None
        except urllib3.exceptions.HTTPError:
            return  # a dropped watch: the caller reads the pod again and watches anew
        finally:
            watcher.stop()

    def job_pod(self, job: str, timeout_s: float, stop: Callable[[], bool] = lambda: False) -> str:
        """The name of the pod a Job created, waiting up to `timeout_s` for the Job controller (or `stop`)."""
        action, selector = f"listing pods of Job {job}", f"job-name={job}"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not stop():
            pods = self._call(action, self.core.list_namespaced_pod, self.namespace, label_selector=selector)
            if pods.items:
                return str(pods.items[0].metadata.name)
            with contextlib.closing(self._pod_events(action, 5, label_selector=selector)) as events:
                for event in events:
                    return str(event["object"].metadata.name)
        if stop():
            raise KeyboardInterrupt
        raise self._error(
            f"Job {self.namespace}/{job} created no pod within {timeout_s:.0f}s "
            "(quota or service account? see `kubectl describe job`)"
        )

    def wait_job(self, name: str) -> dict[str, Any]:
        """Watch a Job until the controller is done with it (Complete or Failed); its status as a dict
        (camelCase, as the API writes it: `completedIndexes`, `failedIndexes`, `conditions`)."""
        from kubernetes import watch
        from kubernetes.client.exceptions import ApiException

        from dockyard.kubernetes.map_job import job_finished
        from dockyard.kubernetes.naming import to_manifest

        action = f"watching Job {self.namespace}/{name}"
        while True:
            job = self._call(action, self.batch.read_namespaced_job, name, self.namespace)
            status: dict[str, Any] = to_manifest(job).get("status") or {}
            if job_finished(status):
                return status
            watcher = watch.Watch()
            try:
                for event in watcher.stream(
                    self.batch.list_namespaced_job,
                    self.namespace,
                    field_selector=f"metadata.name={name}",
                    timeout_seconds=_WATCH_S,
                    _request_timeout=_WATCH_S + _GRACE_S,
                ):
                    if event["type"] == "DELETED" or job_finished(
                        to_manifest(event["object"]).get("status") or {}
                    ):
                        break
            except ApiException as exc:
                raise self._error(api_error_message(exc, action)) from None
            except urllib3.exceptions.HTTPError:
                pass  # a dropped watch: read the Job again
            finally:
                watcher.stop()

    def job_pods(self, job: str) -> dict[int, str]:
        """The newest pod of each index of an Indexed Job (index -> pod name): whose log an item keeps."""
        action = f"listing pods of Job {job}"
        pods = self._call(
            action, self.core.list_namespaced_pod, self.namespace, label_selector=f"job-name={job}"
        )
        newest: dict[int, Any] = {}
        for pod in pods.items:
            raw = (pod.metadata.annotations or {}).get("batch.kubernetes.io/job-completion-index")
            if raw is None or not raw.isdigit():
                continue
            index, created = int(raw), pod.metadata.creation_timestamp
            if index not in newest or (created and newest[index].metadata.creation_timestamp < created):
                newest[index] = pod
        return {index: str(pod.metadata.name) for index, pod in newest.items()}

    def node_labels(self, selector: str) -> list[dict[str, str]]:
        """The labels of the nodes matching a label selector (needs the ClusterRole in deploy/rbac.yaml)."""
        nodes = self._call(f"listing nodes ({selector})", self.core.list_node, label_selector=selector)
        return [dict(node.metadata.labels or {}) for node in nodes.items]

    def wait_pod(self, name: str, until: Callable[[PodVerdict], bool]) -> PodVerdict:
        """Watch a pod until `until(verdict)` holds or it is final (long unschedulable counts as final)."""
        from kubernetes.client.exceptions import ApiException

        action = f"watching pod {self.namespace}/{name}"
        unschedulable_since: float | None = None
        while True:
            try:
                verdict = classify_pod(self.core.read_namespaced_pod(name, self.namespace))
            except ApiException as exc:
                if exc.status == 404:
                    return PodVerdict(
                        Phase.PREEMPTED, f"pod {name} disappeared (deleted or its node was lost)"
                    )
                raise self._error(api_error_message(exc, action)) from None
            if verdict.final or until(verdict):
                return verdict
            if verdict.cause == "unschedulable":
                unschedulable_since = unschedulable_since or time.monotonic()
                if time.monotonic() - unschedulable_since > self.settings.schedule_timeout_s:
                    return PodVerdict(
                        Phase.FAILED,
                        f"{verdict.message} (for {self.settings.schedule_timeout_s}s)",
                        cause="unschedulable",
                    )
            else:
                unschedulable_since = None
            selector = f"metadata.name={name}"
            with contextlib.closing(self._pod_events(action, _WATCH_S, field_selector=selector)) as events:
                for event in events:
                    if event["type"] == "DELETED" or classify_pod(event["object"]) != verdict:
                        break

    def follow_logs(self, pod: str, container: str) -> Iterator[str]:
        """Yield a running container's log lines until it exits."""
        from kubernetes import watch
        from kubernetes.client.exceptions import ApiException

        watcher = watch.Watch()
        try:
            yield from watcher.stream(
                self.core.read_namespaced_pod_log,
                name=pod,
                namespace=self.namespace,
                container=container,
                follow=True,
            )
        except ApiException as exc:
            raise self._error(
                api_error_message(exc, f"reading the log of pod {self.namespace}/{pod}")
            ) from None
        except urllib3.exceptions.HTTPError:
            return  # the stream broke; the pod's final state is still read, and its log tail on failure
        finally:
            watcher.stop()

    def log_tail(self, pod: str, container: str, lines: int | None = 40) -> str:
        """The last lines of a container's log, all of it with `lines=None` ('' when there is none, e.g. it
        never started)."""
        from kubernetes.client.exceptions import ApiException

        try:
            text = self.core.read_namespaced_pod_log(
                pod, self.namespace, container=container, tail_lines=lines
            )
        except ApiException:
            return ""
        return str(text or "")
