#!/usr/bin/env bash
# End-to-end check of dockyard on a real Kubernetes cluster: an in-cluster BuildKit build, a task pod, and
# server-side validation of every manifest dockyard renders. Not run in CI (no cluster there); for users
# and maintainers who have Docker and either kind or a cluster of their own.
#
# Usage:
#   scripts/e2e-kind.sh                  # creates a kind cluster "dockyard-e2e", runs, deletes everything
#   KEEP=1 scripts/e2e-kind.sh           # keep the cluster, registry and S3 containers afterwards
#   E2E_CONTEXT=k3s scripts/e2e-kind.sh  # use an existing kubeconfig context instead of kind; then set
#                                        # E2E_REGISTRY (host:port the cluster can push to and pull from)
#                                        # and E2E_S3 (endpoint URL both this machine and the pods reach)
#
# Needs: docker, kubectl, kind (unless E2E_CONTEXT), curl, and the venv (`.venv/bin/dockyard`). The nodes
# pull moby/buildkit, curlimages/curl and python:3.11-slim-bookworm from Docker Hub.
#
# How the pieces meet: a plain-HTTP registry and a moto S3 server run as containers on kind's Docker
# network, and both this machine and the pods use their container IPs, so the image references and the
# pre-signed context URLs are the same on both sides. containerd on the nodes is told the registry is HTTP.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER=dockyard-e2e
NAMESPACE=dockyard
DOCKYARD="$ROOT/.venv/bin/dockyard"
PYTHON="$ROOT/.venv/bin/python"
WORK="$(mktemp -d -t dockyard-e2e-XXXXXX)"

log() { printf '\033[1me2e-kind:\033[0m %s\n' "$*" >&2; }
die() { printf 'e2e-kind: error: %s\n' "$*" >&2; exit 1; }

for tool in docker kubectl curl; do command -v "$tool" >/dev/null || die "$tool not found"; done
[[ -x $DOCKYARD ]] || die "$DOCKYARD missing: create the venv (pip install -e '.[dev]')"

cleanup() {
    local status=$?
    if [[ ${KEEP:-0} == 1 ]]; then
        log "KEEP=1: leaving the cluster and containers; work dir $WORK"
    else
        if [[ -z ${E2E_CONTEXT:-} ]]; then
            kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
            docker rm -f "$CLUSTER-registry" "$CLUSTER-s3" >/dev/null 2>&1 || true
        else
            kubectl --context "$E2E_CONTEXT" delete namespace "$NAMESPACE" --wait=false >/dev/null 2>&1 || true
        fi
        rm -rf "$WORK"
    fi
    ((status == 0)) && log "PASSED" || log "FAILED (exit $status)"
}
trap cleanup EXIT

container_ip() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }

if [[ -z ${E2E_CONTEXT:-} ]]; then
    command -v kind >/dev/null || die "kind not found (or set E2E_CONTEXT to use another cluster)"
    log "creating kind cluster $CLUSTER"
    cat >"$WORK/kind.yaml" <<'EOF'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
containerdConfigPatches:
  - |-
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "/etc/containerd/certs.d"
EOF
    kind get clusters 2>/dev/null | grep -qx "$CLUSTER" || kind create cluster --name "$CLUSTER" --config "$WORK/kind.yaml"
    CONTEXT="kind-$CLUSTER"

    log "starting a plain-HTTP registry and moto S3 on the kind network"
    docker inspect "$CLUSTER-registry" >/dev/null 2>&1 \
        || docker run -d --name "$CLUSTER-registry" --network kind registry:2 >/dev/null
    docker inspect "$CLUSTER-s3" >/dev/null 2>&1 \
        || docker run -d --name "$CLUSTER-s3" --network kind motoserver/moto:5.0.28 >/dev/null
    REGISTRY="$(container_ip "$CLUSTER-registry"):5000"
    S3="http://$(container_ip "$CLUSTER-s3"):5000"
    for node in $(kind get nodes --name "$CLUSTER"); do
        docker exec "$node" mkdir -p "/etc/containerd/certs.d/$REGISTRY"
        printf '[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' "$REGISTRY" \
            | docker exec -i "$node" tee "/etc/containerd/certs.d/$REGISTRY/hosts.toml" >/dev/null
    done
else
    CONTEXT="$E2E_CONTEXT"
    REGISTRY="${E2E_REGISTRY:?set E2E_REGISTRY with E2E_CONTEXT}"
    S3="${E2E_S3:?set E2E_S3 with E2E_CONTEXT}"
fi
KUBECTL=(kubectl --context "$CONTEXT")

wait_for() { # seconds, command...
    local seconds=$1 i
    shift
    for ((i = 0; i < seconds; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
    return 1
}
wait_for 60 curl -fsS "http://$REGISTRY/v2/" || die "registry $REGISTRY not answering"
wait_for 60 curl -fsS "$S3/" || die "S3 $S3 not answering"

log "applying deploy/rbac.yaml and the registry Secret"
"${KUBECTL[@]}" apply -f "$ROOT/deploy/rbac.yaml"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$(printf 'e2e:e2e' | base64)" >"$WORK/config.json"
"${KUBECTL[@]}" -n "$NAMESPACE" create secret generic dockyard-registry --type=kubernetes.io/dockerconfigjson \
    --from-file=.dockerconfigjson="$WORK/config.json" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -

export AWS_ACCESS_KEY_ID=e2e AWS_SECRET_ACCESS_KEY=e2e AWS_DEFAULT_REGION=us-east-1
curl -fsS -X PUT "$S3/dockyard-e2e" >/dev/null

mkdir -p "$WORK/project/app"
cat >"$WORK/project/dockyard.toml" <<EOF
[build]
registry = "$REGISTRY/e2e"
builder = "kubernetes"

[store]
url = "s3://dockyard-e2e/store"
s3_endpoint_url = "$S3"

[kubernetes]
context = "$CONTEXT"
namespace = "$NAMESPACE"
registry_insecure = true
build_requests = { cpu = "250m", memory = "512Mi" }
build_limits = { cpu = "2", memory = "2Gi" }
build_timeout_s = 900
schedule_timeout_s = 120
EOF
cat >"$WORK/project/spec.yaml" <<'EOF'
name: e2e-hello
base_image: python:3.11-slim-bookworm
packages:
  - six
source_root: app
EOF
echo 'print("hello from dockyard on kubernetes")' >"$WORK/project/app/hello.py"
cd "$WORK/project"

log "dry run: the manifests the build would create, validated by the API server"
"$DOCKYARD" build --builder kubernetes --dry-run spec.yaml | tee "$WORK/build-dry-run.txt"
sed 1d "$WORK/build-dry-run.txt" | "${KUBECTL[@]}" apply --dry-run=server -f -

log "building in the cluster (BuildKit Job)"
"$DOCKYARD" build --builder kubernetes -o json spec.yaml | tee "$WORK/build.json"
IMAGE_REF=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["image_ref"])' "$WORK/build.json")
[[ $IMAGE_REF == "$REGISTRY/e2e/e2e-hello@sha256:"* ]] || die "unexpected image_ref $IMAGE_REF"
"${KUBECTL[@]}" -n "$NAMESPACE" get jobs -l app.kubernetes.io/managed-by=dockyard -o name | grep -q . \
    && die "the build Job was not cleaned up"

log "running a task pod in $IMAGE_REF and checking every rendered manifest against the API server"
IMAGE_REF="$IMAGE_REF" "$PYTHON" - <<'EOF'
import os
import subprocess
from datetime import timedelta

from dockyard.kubernetes.naming import to_yaml
from dockyard.config import load_settings
from dockyard.runtime.executor import Phase, TaskAttempt
from dockyard.kubernetes.cronjob import ScheduledLaunch, cron_job
from dockyard.kubernetes.executor import KubernetesExecutor, render_task_manifests

settings = load_settings()
image = os.environ["IMAGE_REF"]
attempt = TaskAttempt(
    execution_id="e2e", node_id="n0", attempt=0, image=image,
    command=["python", "-c", "import six; print('task ok', six.__version__)"],
    requests={"cpu": "100m", "mem": "128Mi"}, timeout_s=300,
)
launch = ScheduledLaunch(name="e2e", image=image, command=["true"], fixed_rate=timedelta(minutes=5))
manifests = [*render_task_manifests([attempt], settings), cron_job(launch, settings)]
subprocess.run(
    ["kubectl", "--context", settings.kubernetes.context or "", "apply", "--dry-run=server", "-f", "-"],
    input=to_yaml(manifests), text=True, check=True,
)
executor = KubernetesExecutor(settings)
handle = executor.launch(attempt)
outcome = executor.wait(handle)
log = executor.logs(handle)
assert outcome.phase is Phase.SUCCEEDED, (outcome, log)
assert "task ok" in log, log

failing = TaskAttempt(execution_id="e2e", node_id="n1", attempt=0, image=image, command=["sh", "-c", "exit 3"])
outcome = executor.wait(executor.launch(failing))
assert outcome.phase is Phase.FAILED and outcome.exit_code == 3, outcome
print("task pods ok")
EOF
"${KUBECTL[@]}" -n "$NAMESPACE" get pods -l dockyard.io/component=task -o name | grep -q . \
    && die "task pods were not cleaned up"

log "dockyard run --remote on the kubernetes backend (tasks read and write the S3 store)"
printf '[default]\naws_access_key_id = e2e\naws_secret_access_key = e2e\n' >"$WORK/aws-credentials"
"${KUBECTL[@]}" -n "$NAMESPACE" create secret generic dockyard-aws \
    --from-file=credentials="$WORK/aws-credentials" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -
cat >wf.py <<'EOF'
from dockyard import ImageSpec, task, workflow

image = ImageSpec(name="e2e-wf", base_image="python:3.11-slim-bookworm")


@task(container_image=image)
def double(x: int) -> int:
    return 2 * x


@workflow
def wf(x: int = 21) -> int:
    return double(x=x)
EOF
DOCKYARD_EXECUTOR_BACKEND=kubernetes "$DOCKYARD" run --remote wf.py wf --x 21 | tee "$WORK/run.txt"
grep -q 42 "$WORK/run.txt" || die "the remote workflow did not return 42"
exit 0
