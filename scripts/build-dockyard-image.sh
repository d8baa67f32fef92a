#!/usr/bin/env bash
# Build dockyard's own image (top-level Dockerfile) from a wheel of this checkout.
#
# Usage: scripts/build-dockyard-image.sh [IMAGE] [--push]
#   IMAGE defaults to localhost:5000/dockyard/dockyard:<version>; --push also pushes it to its registry.
# Needs the Docker engine with buildx and the base image (bash scripts/setup.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
VERSION=$("$PY" -c 'import dockyard.version as v; print(v.__version__)' 2>/dev/null ||
    "$PY" -c 'import importlib.metadata as m; print(m.version("dockyard"))')
IMAGE="localhost:5000/dockyard/dockyard:${VERSION//+/-}"
PUSH=""
for arg in "$@"; do
    case $arg in
        --push) PUSH=1 ;;
        -*) echo "unknown option: $arg" >&2; exit 2 ;;
        *) IMAGE=$arg ;;
    esac
done
BASE_IMAGE=${BASE_IMAGE:-localhost:5000/dockyard/debian:bookworm}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

# The context is a fresh folder with only the wheel: nothing else from the checkout reaches the builder.
CONTEXT=$(mktemp -d)
trap 'rm -rf "$CONTEXT"' EXIT
# uv fetches the build backend from the index, through the same CA bundle as the image build.
SSL_CERT_FILE=${SSL_CERT_FILE:-$CA_BUNDLE} "$ROOT/.venv/bin/uv" build --quiet --wheel --out-dir "$CONTEXT/dist" "$ROOT"

args=(--file "$ROOT/Dockerfile" --build-arg "BASE_IMAGE=$BASE_IMAGE" --tag "$IMAGE" --progress plain)
[[ -s $CA_BUNDLE ]] && args+=(--secret "id=ca,src=$CA_BUNDLE")
if [[ -n $PUSH ]]; then args+=(--push); else args+=(--load); fi
docker buildx build "${args[@]}" "$CONTEXT" >&2
echo "$IMAGE"
