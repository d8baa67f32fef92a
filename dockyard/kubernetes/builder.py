"""The `kubernetes` builder: build and push an image with rootless BuildKit in a Job on the user's cluster.

The context is packed deterministically, uploaded to the S3 blob store, fetched by the Job's initContainer
and built by `buildctl-daemonless.sh` (or a long-lived buildkitd over mTLS). The builder follows the pod,
streams its log, reads the pushed digest from the metadata line, verifies it in the registry, and always
deletes the Job and its Secret: on success, on failure and on Ctrl-C.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from dockyard.builders.base import BuildResult, StepHook, verified_result
from dockyard.builders.registry import RegistryClient
from dockyard.config import Settings, get_settings
from dockyard.errors import BuildError
from dockyard.imagespec.context import BuildContext
from dockyard.imagespec.spec import RENDERED_FIELDS
from dockyard.kubernetes.build_manifests import (
    CONTAINER,
    METADATA_MARKER,
    BuildPlan,
    build_job,
    build_secret,
    job_name,
)
from dockyard.kubernetes.context_tarball import context_digest, pack_context
from dockyard.kubernetes.context_upload import context_uri, require_cluster_store, upload_context
from dockyard.kubernetes.pod_status import PodVerdict
from dockyard.private_dirs import private_dir
from dockyard.runtime.phase import Phase

if TYPE_CHECKING:
    from dockyard.imagespec.spec import ImageSpec

_AUTH_PATTERN = re.compile(r"401 Unauthorized|403 Forbidden|unauthorized:|denied:|insufficient_scope", re.I)
_LOG = logging.getLogger(__name__)  # the builder pod's log, line by line, as it streams
_POD_START_S = 120
_ALL_LINES = 1_000_000
_STEP = re.compile(r"^#(\d+) (\[[^\]]+\] .+)$")  # buildctl --progress=plain: "#7 [2/4] RUN pip install …"


def _placeholders(context: BuildContext, settings: Settings) -> tuple[dict[str, bytes], bytes | None]:
    """Stand-ins for secret contents in a dry run: say where the bytes would come from, never show them."""
    secrets = {key: f"<contents of {path}>".encode() for key, path in context.secrets.items()}
    ca = settings.build.ca_bundle
    return secrets, (f"<contents of {ca}>".encode() if ca else None)


def render_build_manifests(
    context: BuildContext, settings: Settings, *, push: bool = True
) -> list[dict[str, Any]]:
    """Every object `build` would create, for `dockyard build --builder kubernetes --dry-run`.

    Secret values are placeholders naming their source file, and the context URL is the store URI the
    tarball would be uploaded to (the real build puts a pre-signed URL there).
    """
    digest = context_digest(
        pack_context(context.directory, context.labeled_dockerfile(settings.build.labels))
    )
    secrets, ca = _placeholders(context, settings)
    plan = BuildPlan(context_url=context_uri(settings.store.url, digest), secret_data=secrets, ca_bundle=ca)
    return [
        build_secret(context, settings.kubernetes, plan, readable=True),
        build_job(context, settings.build, settings.kubernetes, plan, push=push),
    ]


def _read_secret(name: str, path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BuildError(f"{path}: build secret {name} cannot be read ({exc.strerror})") from None


def render_spec_manifests(
    specs: Iterable[ImageSpec],
    settings: Settings,
    *,
    push: bool = True,
    lookup_digest: Callable[[str], str | None] | None = None,
) -> list[dict[str, Any]]:
    """Prepare each spec's build context (in a throw-away folder) and render its manifests: what
    `dockyard build --builder kubernetes --dry-run` prints. `lookup_digest` pins base images as a real
    build would (pass `RegistryClient().digest`), so the tags match."""
    from dockyard.imagespec.prepare import prepare

    manifests: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="dockyard-k8s-dry-run-") as scratch,
        private_dir("build") as secrets,
    ):
        for spec in specs:
            context = prepare(
                spec, settings.build, work_dir=Path(scratch), lookup_digest=lookup_digest, secrets_dir=secrets
            )
            manifests += render_build_manifests(context, settings, push=push)
    return manifests


def read_metadata(lines: list[str]) -> dict[str, Any]:
    """The BuildKit metadata file, printed by the build script as the last marked log line."""
    for line in reversed(lines):
        if line.startswith(METADATA_MARKER):
            try:
                found: dict[str, Any] = json.loads(line[len(METADATA_MARKER) :])
            except json.JSONDecodeError:
                break
            return found
    raise BuildError("build log: the build finished but printed no BuildKit metadata (no digest to verify)")


def explain_failure(verdict: PodVerdict, log_tail: str, settings: Settings) -> str:
    """One message for a failed build: the pod's verdict, a hint for registry auth errors, the log tail."""
    message = f"kubernetes build failed: {verdict.message}"
    if _AUTH_PATTERN.search(log_tail):
        message += (
            f"; the registry refused the credentials: check Secret {settings.kubernetes.namespace}/"
            f"{settings.kubernetes.registry_secret} (kubernetes.io/dockerconfigjson)"
        )
    elif verdict.cause == "image_pull":
        message += (
            "; set kubernetes.buildkit_image / kubernetes.context_fetch_image to an image the nodes can pull"
        )
    tail = log_tail.strip()
    return f"{message}\n{tail}" if tail else message


class KubernetesBuilder:
    """Builds with BuildKit in a Kubernetes Job (see module docstring)."""

    name: ClassVar[str] = "kubernetes"
    # The shared templates render the Dockerfile, so their fields are ours, but there are no builder_options.
    supported_fields: ClassVar[frozenset[str]] = RENDERED_FIELDS - {"builder_options"}

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        registry: RegistryClient | None = None,
        cluster: Any = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        require_cluster_store(self.settings.store.url)  # before any build starts
        self.registry = registry or RegistryClient()
        self._cluster = cluster
        self._log = log or _LOG.info
        self._cancelled = threading.Event()
        self._jobs: set[str] = set()
        self._lock = threading.Lock()

    @property
    def cluster(self) -> Any:
        """The API layer, connected on first use (a dry run never needs one)."""
        with self._lock:
            if self._cluster is None:
                from dockyard.kubernetes.cluster import Cluster

                self._cluster = Cluster(self.settings.kubernetes, BuildError)
            return self._cluster

    def build(self, context: BuildContext, *, push: bool, on_step: StepHook | None = None) -> BuildResult:
        """Run the build Job to completion and return the verified digest; clean up whatever happens."""
        settings = self.settings
        data = pack_context(context.directory, context.labeled_dockerfile(settings.build.labels))
        url = upload_context(data, context_digest(data), settings)
        plan = BuildPlan(
            context_url=url,
            secret_data={key: _read_secret(key, path) for key, path in context.secrets.items()},
            ca_bundle=_read_secret("build.ca_bundle", settings.build.ca_bundle)
            if settings.build.ca_bundle
            else None,
            run_id=uuid.uuid4().hex[:6],
        )
        cluster, name = self.cluster, job_name(context, plan)
        cluster.create(build_secret(context, settings.kubernetes, plan))
        with self._lock:
            self._jobs.add(name)
        try:
            cluster.create(build_job(context, settings.build, settings.kubernetes, plan, push=push))
            lines = self._follow(name, on_step)
        finally:
            with self._lock:
                self._jobs.discard(name)
            cluster.delete("Job", name)
            cluster.delete("Secret", name)
        digest = str(read_metadata(lines).get("containerimage.digest", ""))
        if not digest.startswith("sha256:"):
            raise BuildError(f"{context.image}: the build metadata has no containerimage.digest")
        logs = "\n".join(lines)
        return verified_result(self.registry, context, digest, logs, push=push)

    def cancel(self) -> None:
        """Stop every build in flight by deleting its Job (any thread: the engine calls it on Ctrl-C)."""
        self._cancelled.set()
        with self._lock:
            jobs = list(self._jobs)
        for name in jobs:
            self.cluster.delete("Job", name)

    def _follow(self, name: str, on_step: StepHook | None) -> list[str]:
        """Follow the Job's pod: wait for it to start, stream the builder's log, then judge the outcome."""
        cluster = self.cluster
        pod = cluster.job_pod(name, _POD_START_S, stop=self._cancelled.is_set)
        verdict = cluster.wait_pod(pod, lambda v: v.state is Phase.RUNNING)
        lines: list[str] = []
        steps: set[str] = set()

        def seen(line: str) -> None:
            lines.append(line)
            self._log(line)
            step = _STEP.match(line)
            if on_step and step and step.group(1) not in steps:
                steps.add(step.group(1))
                on_step(step.group(2))

        if verdict.state is Phase.RUNNING:
            for line in cluster.follow_logs(pod, CONTAINER):
                seen(line)
            verdict = cluster.wait_pod(pod, lambda v: False)
        elif verdict.state is Phase.SUCCEEDED:  # it finished before we saw it run: read the whole log
            for line in cluster.log_tail(pod, CONTAINER, lines=_ALL_LINES).splitlines():
                seen(line)
        if self._cancelled.is_set():
            raise KeyboardInterrupt
        if verdict.state is not Phase.SUCCEEDED:
            container = "fetch-context" if "init container" in verdict.message else CONTAINER
            raise BuildError(explain_failure(verdict, cluster.log_tail(pod, container), self.settings))
        return lines
