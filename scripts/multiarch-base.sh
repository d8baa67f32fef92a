#!/usr/bin/env bash
# Make a two-platform (linux/amd64 + linux/arm64) Debian base image without Docker Hub.
#
# Usage: scripts/multiarch-base.sh SUITE [REGISTRY]      e.g. scripts/multiarch-base.sh bookworm
# Result: REGISTRY/dockyard/debian:SUITE-multi, one OCI index of REGISTRY/dockyard/debian:SUITE (amd64, made by
# scripts/base-image.sh) and REGISTRY/dockyard/debian:SUITE-arm64 (debootstrap --arch=arm64 through QEMU:
# needs qemu-user-static and binfmt_misc, see /work/shared/ENVIRONMENT.md). Idempotent: skips what exists.
set -euo pipefail

SUITE=${1:?usage: multiarch-base.sh SUITE [REGISTRY]}
REGISTRY=${2:-localhost:5000}
CACHE=/var/cache/dockyard-ci
AMD64="$REGISTRY/dockyard/debian:$SUITE"
ARM64="$REGISTRY/dockyard/debian:$SUITE-arm64"
MULTI="$REGISTRY/dockyard/debian:$SUITE-multi"
MIRROR=${MIRROR:-http://deb.debian.org/debian}

log() { printf '\033[1mmultiarch-base:\033[0m %s\n' "$*" >&2; }
die() { printf 'multiarch-base: error: %s\n' "$*" >&2; exit 1; }
exists() {
    curl -sf -o /dev/null -I -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY/v2/dockyard/debian/manifests/$1"
}

[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap needs it)"
[[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || die "no qemu-aarch64 in binfmt_misc (apt-get install qemu-user-static)"
exists "$SUITE" || bash "$(dirname "$0")/base-image.sh" "$SUITE" "$REGISTRY"

if ! exists "$SUITE-arm64"; then
    TARBALL="$CACHE/debian-$SUITE-arm64.tar"
    if [[ ! -s $TARBALL ]]; then
        mkdir -p "$CACHE"
        ROOTFS=$(mktemp -d "$CACHE/rootfs-$SUITE-arm64.XXXXXX")
        trap 'rm -rf "$ROOTFS"' EXIT
        log "debootstrap --arch=arm64 $SUITE (through QEMU, a few minutes)"
        debootstrap --arch=arm64 --variant=minbase --include=python3,python3-venv,ca-certificates \
            "$SUITE" "$ROOTFS" "$MIRROR" >"$CACHE/debootstrap-$SUITE-arm64.log" 2>&1 ||
            die "debootstrap failed: see $CACHE/debootstrap-$SUITE-arm64.log"
        rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
            "$ROOTFS"/var/log/* "$ROOTFS"/tmp/*
        tar --numeric-owner -C "$ROOTFS" -cf "$TARBALL.tmp" .
        mv "$TARBALL.tmp" "$TARBALL"
    fi
    log "importing $TARBALL as $ARM64"
    docker import --platform linux/arm64 \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
        --change 'CMD ["python3"]' \
        "$TARBALL" "$ARM64" >/dev/null
    docker push -q "$ARM64" >/dev/null
fi

log "joining $AMD64 and $ARM64 into $MULTI"
docker buildx imagetools create -t "$MULTI" "$AMD64" "$ARM64" >/dev/null 2>&1 ||
    die "docker buildx imagetools create failed"
log "$MULTI: ready"
