#!/usr/bin/env bash
# End-to-end on a real Flyte cluster: the flyte-sandbox that `flytectl demo start` runs (flyte-binary with
# MinIO, a registry at localhost:30000 and FlyteAdmin at localhost:30080), or your own cluster.
#
#   scripts/e2e-flyte.sh [ENDPOINT]        # default localhost:30080, the sandbox's FlyteAdmin
#
# It builds the task image with dockyard, registers examples/basics.py with `dockyard register --flyte`
# (fast registration: the code goes to the sandbox's object store through FlyteAdmin's signed URL), runs the
# workflow with flytectl and waits for it to succeed. Not run in CI (no cluster there); see docs/flyte.md.
set -euo pipefail

ENDPOINT=${1:-localhost:30080}
REGISTRY=${FLYTE_E2E_REGISTRY:-localhost:30000}
PROJECT=${FLYTE_E2E_PROJECT:-flytesnacks}
DOMAIN=${FLYTE_E2E_DOMAIN:-development}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

need() { command -v "$1" >/dev/null || { echo "e2e-flyte: $1 is required ($2)" >&2; exit 2; }; }
need dockyard "pip install 'dockyard[flyte,build]'"
need flytectl "https://docs.flyte.org/en/latest/flytectl/overview.html"
need docker "the sandbox and dockyard's builder both need it"

if [[ $ENDPOINT == localhost:30080 ]] && ! curl -sf -o /dev/null "http://localhost:30080/healthcheck"; then
    echo "e2e-flyte: starting the flyte-sandbox (flytectl demo start)" >&2
    flytectl demo start
fi

# 1. the image: dockyard's runtime and the [flyte] extra, pushed to the sandbox's registry
cat >"$WORK/image.py" <<EOF
from dockyard import ImageSpec

image = ImageSpec(
    name="dockyard-flyte-e2e",
    registry="$REGISTRY",
    packages=["flyteidl>=1.16,<2", "mashumaro>=3.11", "msgpack>=1.0"],
)
EOF
IMAGE=$(dockyard build "$WORK/image.py:image" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["image_ref"])')
# inside the cluster the registry is reached by its in-cluster name
CLUSTER_IMAGE=${IMAGE/localhost:30000/flyte-sandbox-docker-registry.flyte:5000}

# 2. register: tasks, workflows and launch plans, with the code as a fast-registration archive
mkdir -p "$WORK/src"
cp "$ROOT/examples/basics.py" "$WORK/src/"
VERSION=$(cd "$WORK/src" && dockyard register basics.py --flyte "$ENDPOINT" --insecure \
    --project "$PROJECT" --domain "$DOMAIN" --image "$CLUSTER_IMAGE" --activate-launchplans)
echo "e2e-flyte: registered version $VERSION" >&2

# 3. run the workflow's default launch plan and wait for it
cat >"$WORK/exec.yaml" <<EOF
iamRoleARN: ""
inputs:
  data_path: /tmp/data
kubeServiceAcct: ""
targetDomain: "$DOMAIN"
targetProject: "$PROJECT"
version: "$VERSION"
workflow: basics.training_pipeline
EOF
NAME=$(flytectl create execution --project "$PROJECT" --domain "$DOMAIN" --execFile "$WORK/exec.yaml" \
    | sed -n 's/.*execution identifier project:"[^"]*" domain:"[^"]*" name:"\([^"]*\)".*/\1/p')
echo "e2e-flyte: execution $NAME" >&2
for _ in $(seq 120); do
    PHASE=$(flytectl get execution --project "$PROJECT" --domain "$DOMAIN" "$NAME" -o json \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["closure"]["phase"])')
    case $PHASE in
        SUCCEEDED) echo "e2e-flyte: $NAME succeeded" >&2; exit 0 ;;
        FAILED|ABORTED|TIMED_OUT) echo "e2e-flyte: $NAME $PHASE" >&2; exit 1 ;;
    esac
    sleep 5
done
echo "e2e-flyte: $NAME did not finish in 10 minutes" >&2
exit 1
