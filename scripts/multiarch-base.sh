#!/usr/bin/env bash
# Make a two-platform (linux/amd64 + linux/arm64) Debian base image without Docker Hub.
#
# Usage: scripts/multiarch-base.sh SUITE [REGISTRY]      e.g. scripts/multiarch-base.sh bookworm
# Result: REGISTRY/dockyard/debian:SUITE-multi, one OCI index of REGISTRY/dockyard/debian:SUITE (amd64, made by
# scripts/base-image.sh) and REGISTRY/dockyard/debian:SUITE-arm64 (scripts/base-image.sh SUITE REGISTRY arm64,
# through QEMU: needs qemu-user-static and binfmt_misc). Idempotent: skips what exists.
set -euo pipefail

SUITE=${1:?usage: multiarch-base.sh SUITE [REGISTRY]}
REGISTRY=${2:-localhost:5000}
AMD64="$REGISTRY/dockyard/debian:$SUITE"
ARM64="$REGISTRY/dockyard/debian:$SUITE-arm64"
MULTI="$REGISTRY/dockyard/debian:$SUITE-multi"

log() { printf '\033[1mmultiarch-base:\033[0m %s\n' "$*" >&2; }
die() { printf 'multiarch-base: error: %s\n' "$*" >&2; exit 1; }
exists() {
    curl -sf -o /dev/null -I -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY/v2/dockyard/debian/manifests/$1"
}

[[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || die "no qemu-aarch64 in binfmt_misc (apt-get install qemu-user-static)"
exists "$SUITE" || bash "$(dirname "$0")/base-image.sh" "$SUITE" "$REGISTRY"

exists "$SUITE-arm64" || bash "$(dirname "$0")/base-image.sh" "$SUITE" "$REGISTRY" arm64

log "joining $AMD64 and $ARM64 into $MULTI"
docker buildx imagetools create -t "$MULTI" "$AMD64" "$ARM64" >/dev/null 2>&1 ||
    die "docker buildx imagetools create failed"
log "$MULTI: ready"
