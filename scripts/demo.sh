#!/usr/bin/env bash
# The main job, end to end on a fresh machine: set up, build and push examples/hello/spec.yaml, run it.
#
# Usage: bash scripts/demo.sh   (as root; idempotent: a second run finds the image in the registry)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

# PyPI may sit behind a TLS proxy whose CA only the host's bundle holds: hand it to the build as a secret.
if [[ -z ${DOCKYARD_BUILD_CA_BUNDLE:-} && -s /etc/ssl/certs/ca-certificates.crt ]]; then
    export DOCKYARD_BUILD_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
fi

printf '\n\033[1m==> dockyard build examples/hello/spec.yaml\033[0m\n' >&2
result=$(.venv/bin/dockyard build examples/hello/spec.yaml --output json)
printf '%s\n' "$result"
image_ref=$(printf '%s' "$result" | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)[0]["image_ref"])')

printf '\n\033[1m==> docker run %s python app.py\033[0m\n' "$image_ref" >&2
docker run --rm "$image_ref" python app.py
