"""KubernetesBuilder.build end to end, with a stand-in for the one part that cannot run here: the API server.

The context really goes to (moto) S3 and the initContainer's own shell command really fetches and unpacks
it through the pre-signed URL; the digest is really verified in the loopback registry. The stand-in cluster
replays what a cluster reports (pod verdicts, log lines) and records what was created and deleted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from k8s_helpers import make_settings

from dockyard.config import Settings
from dockyard.errors import BuildError, ConfigError
from dockyard.imagespec.context import BuildContext
from dockyard.kubernetes.builder import KubernetesBuilder
from dockyard.kubernetes.pod_status import PodVerdict
from dockyard.runtime.phase import Phase


class RecordingCluster:
    """Plays a cluster's answers for one build Job and records every create and delete."""

    def __init__(
        self,
        lines: list[str],
        final: PodVerdict,
        interrupt_after: int | None = None,
        seen_running: bool = True,
    ) -> None:
        self.lines, self.final, self.interrupt_after = lines, final, interrupt_after
        self.seen_running = seen_running  # False: the pod finished between two looks
        self.created: list[dict[str, Any]] = []
        self.deleted: list[tuple[str, str]] = []

    def create(self, manifest: dict[str, Any]) -> None:
        self.created.append(manifest)

    def delete(self, kind: str, name: str) -> None:
        self.deleted.append((kind, name))

    def job_pod(self, job: str, timeout_s: float, stop: Any = None) -> str:
        return f"{job}-x7k2p"

    def wait_pod(self, name: str, until: Any) -> PodVerdict:
        running = PodVerdict(Phase.RUNNING)
        return running if self.seen_running and until(running) else self.final

    def follow_logs(self, pod: str, container: str) -> Iterator[str]:
        for number, line in enumerate(self.lines):
            if self.interrupt_after is not None and number == self.interrupt_after:
                raise KeyboardInterrupt
            yield line

    def log_tail(self, pod: str, container: str, lines: int = 40) -> str:
        return "\n".join(self.lines[-lines:])


def _push_tiny_image(registry: str, repository: str, tag: str) -> str:
    """Push a real (config-only) OCI image to the loopback registry; returns its manifest digest."""
    config = json.dumps(
        {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}
    )
    config_digest = "sha256:" + hashlib.sha256(config.encode()).hexdigest()
    base = f"http://{registry}/v2/{repository}"
    with httpx.Client() as http:
        upload = http.post(f"{base}/blobs/uploads/")
        upload.raise_for_status()
        location = upload.headers["location"]
        separator = "&" if "?" in location else "?"
        url = location if location.startswith("http") else f"http://{registry}{location}"
        http.put(f"{url}{separator}digest={config_digest}", content=config.encode()).raise_for_status()
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": config_digest,
                    "size": len(config),
                },
                "layers": [],
            }
        ).encode()
        headers = {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}
        http.put(f"{base}/manifests/{tag}", content=manifest, headers=headers).raise_for_status()
    return "sha256:" + hashlib.sha256(manifest).hexdigest()


def _settings(bucket: str, s3_server: str) -> Settings:
    settings = make_settings()
    return settings.model_copy(
        update={
            "store": settings.store.model_copy(
                update={"url": f"s3://{bucket}/ci", "s3_endpoint_url": s3_server}
            )
        }
    )


def _metadata(digest: str) -> str:
    return "dockyard-build-metadata: " + json.dumps({"containerimage.digest": digest, "image.name": "x"})


@pytest.mark.s3
@pytest.mark.registry
def test_build_pushes_verifies_and_cleans_up(
    context: BuildContext, s3_bucket: str, s3_server: str, registry: str, tmp_path: Path
) -> None:
    tag = context.tag
    image = f"{registry}/dockyard-tests/k8s-flow:{tag}"
    digest = _push_tiny_image(registry, "dockyard-tests/k8s-flow", tag)
    context = BuildContext(**{**context.__dict__, "image": image, "secrets": {"pip-ca": tmp_path / "ca.pem"}})
    (tmp_path / "ca.pem").write_text("PEM-BYTES")
    lines = ["#1 [internal] load build definition from Dockerfile", "#5 [2/3] RUN true", "#5 DONE 0.1s"]
    cluster = RecordingCluster([*lines, _metadata(digest)], PodVerdict(Phase.SUCCEEDED, exit_code=0))
    steps: list[str] = []
    builder = KubernetesBuilder(_settings(s3_bucket, s3_server), cluster=cluster, log=lambda line: None)

    result = builder.build(context, push=True, on_step=steps.append)

    assert result.digest == digest
    assert result.image_ref == f"{registry}/dockyard-tests/k8s-flow@{digest}"
    assert steps == ["[internal] load build definition from Dockerfile", "[2/3] RUN true"]
    secret, job = cluster.created
    name = job["metadata"]["name"]
    assert (secret["kind"], job["kind"]) == ("Secret", "Job")
    assert cluster.deleted == [("Job", name), ("Secret", name)]
    assert base64.b64decode(secret["data"]["pip-ca"]) == b"PEM-BYTES"

    # The initContainer's own command fetches and unpacks the uploaded context through the pre-signed URL.
    url = base64.b64decode(secret["data"]["context-url"]).decode()
    assert url.startswith(f"{s3_server}/{s3_bucket}/ci/build-contexts/") and "Signature" in url
    fetch = job["spec"]["template"]["spec"]["initContainers"][0]["command"][2]
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    env = {**os.environ, "DOCKYARD_CONTEXT_URL": url}
    subprocess.run(["sh", "-c", fetch.replace("/workspace", str(workspace))], check=True, env=env, timeout=60)
    labels = _settings(s3_bucket, s3_server).build.labels
    assert (workspace / "Dockerfile").read_text() == context.labeled_dockerfile(labels)  # labels: not argv
    assert (workspace / "src" / "pkg" / "__init__.py").read_text() == "VALUE = 1\n"
    assert not (workspace / "ca.pem").exists()


@pytest.mark.s3
@pytest.mark.registry
def test_a_digest_the_registry_does_not_hold_fails(
    context: BuildContext, s3_bucket: str, s3_server: str, registry: str
) -> None:
    image = f"{registry}/dockyard-tests/k8s-flow:never-pushed"
    context = BuildContext(**{**context.__dict__, "image": image, "secrets": {}})
    cluster = RecordingCluster([_metadata("sha256:" + "0" * 64)], PodVerdict(Phase.SUCCEEDED, exit_code=0))
    builder = KubernetesBuilder(_settings(s3_bucket, s3_server), cluster=cluster, log=lambda line: None)
    with pytest.raises(BuildError, match="but the registry holds nothing"):
        builder.build(context, push=True)


@pytest.mark.s3
def test_failed_step_reports_the_tail_and_cleans_up(
    context: BuildContext, s3_bucket: str, s3_server: str
) -> None:
    context = BuildContext(**{**context.__dict__, "secrets": {}})
    lines = ["#6 [3/3] RUN pip install nonexistent-pkg", "#6 ERROR: No matching distribution found"]
    failed = PodVerdict(Phase.FAILED, "container buildkit exited with code 1 (Error)", 1)
    cluster = RecordingCluster(lines, failed)
    builder = KubernetesBuilder(_settings(s3_bucket, s3_server), cluster=cluster, log=lambda line: None)
    with pytest.raises(BuildError) as caught:
        builder.build(context, push=True)
    message = str(caught.value)
    assert message.startswith("kubernetes build failed: container buildkit exited with code 1")
    assert message.endswith("#6 ERROR: No matching distribution found")
    name = cluster.created[1]["metadata"]["name"]
    assert cluster.deleted == [("Job", name), ("Secret", name)]


@pytest.mark.s3
def test_ctrl_c_deletes_the_job_and_secret(context: BuildContext, s3_bucket: str, s3_server: str) -> None:
    context = BuildContext(**{**context.__dict__, "secrets": {}})
    cluster = RecordingCluster(["#1 a", "#2 b", "#3 c"], PodVerdict(Phase.SUCCEEDED), interrupt_after=1)
    builder = KubernetesBuilder(_settings(s3_bucket, s3_server), cluster=cluster, log=lambda line: None)
    with pytest.raises(KeyboardInterrupt):
        builder.build(context, push=False)
    name = cluster.created[1]["metadata"]["name"]
    assert cluster.deleted == [("Job", name), ("Secret", name)]


def test_a_file_store_is_refused(context: BuildContext) -> None:
    settings = make_settings()
    settings = settings.model_copy(
        update={"store": settings.store.model_copy(update={"url": "file:///tmp/store"})}
    )
    cluster = RecordingCluster([], PodVerdict(Phase.SUCCEEDED))
    with pytest.raises(
        ConfigError, match=r"store\.url file:///tmp/store: pods cannot reach a local folder"
    ) as info:
        KubernetesBuilder(settings, cluster=cluster)  # refused before any build starts
    assert info.value.exit_code == 2 and cluster.created == []


@pytest.mark.s3
def test_each_build_has_its_own_objects(context: BuildContext, s3_bucket: str, s3_server: str) -> None:
    """Two clients building one tag must not share (and so delete) each other's Job and Secret."""
    context = BuildContext(**{**context.__dict__, "secrets": {}})
    names = []
    for _ in range(2):
        cluster = RecordingCluster(
            ["#1 a"], PodVerdict(Phase.FAILED, "container buildkit exited with code 1", 1)
        )
        builder = KubernetesBuilder(_settings(s3_bucket, s3_server), cluster=cluster, log=lambda line: None)
        with pytest.raises(BuildError):
            builder.build(context, push=True)
        secret, job = cluster.created
        assert secret["metadata"]["name"] == job["metadata"]["name"]
        names.append(job["metadata"]["name"])
    assert names[0] != names[1]
    assert all(name.startswith("dockyard-build-5f2c9a0e1d-") for name in names)


@pytest.mark.s3
def test_a_build_that_finished_unseen_still_gives_its_digest(
    context: BuildContext, s3_bucket: str, s3_server: str
) -> None:
    context = BuildContext(**{**context.__dict__, "secrets": {}})
    digest = "sha256:" + "7" * 64
    lines = ["#3 [1/1] FROM base", _metadata(digest)]
    cluster = RecordingCluster(lines, PodVerdict(Phase.SUCCEEDED, exit_code=0), seen_running=False)
    steps: list[str] = []
    builder = KubernetesBuilder(_settings(s3_bucket, s3_server), cluster=cluster, log=lambda line: None)
    result = builder.build(context, push=False, on_step=steps.append)
    assert result.digest == digest
    assert steps == ["[1/1] FROM base"]
