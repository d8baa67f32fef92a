#!/usr/bin/env bash
# Make a Debian base image without Docker Hub: debootstrap a minimal rootfs with Python, import it, push it.
#
# Usage: scripts/base-image.sh SUITE [REGISTRY] [ARCH]     e.g. scripts/base-image.sh trixie
# Result: REGISTRY/dockyard/debian:SUITE (REGISTRY defaults to localhost:5000), in the local image store too.
# ARCH (amd64 or arm64, spelt alike by Debian and OCI; default this machine's) other than the native one
# gives :SUITE-ARCH, made through QEMU (qemu-user-static and binfmt_misc); scripts/multiarch-base.sh joins
# the two into one index.
# The rootfs tarball is cached under /var/cache/dockyard-ci/, keyed by everything that goes into it, and the
# import and push are skipped when the registry already holds an image made from the same key.
set -euo pipefail

SUITE=${1:?usage: base-image.sh SUITE [REGISTRY] [ARCH]}
REGISTRY=${2:-localhost:5000}
NATIVE=$(dpkg --print-architecture)
ARCH=${3:-$NATIVE}
SOURCES=/etc/apt/sources.list.d/debian.sources
CACHE=/var/cache/dockyard-ci
VARIANT=minbase
INCLUDE=python3,python3-venv,ca-certificates
TAG=$SUITE
[[ $ARCH == "$NATIVE" ]] || TAG="$SUITE-$ARCH"
REF="$REGISTRY/dockyard/debian:$TAG"
# Bump when the recipe below changes in a way the other inputs don't show.
RECIPE_VERSION=1

log() { printf '\033[1mbase-image:\033[0m %s\n' "$*" >&2; }
die() { printf 'base-image: error: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap needs it)"
MIRROR=$(awk 'BEGIN { RS = ""; FS = "\n" }
              /Suites:[^\n]*bookworm( |$|\n)/ {
                  for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, a, " "); print a[2]; exit }
              }' "$SOURCES")
[[ -n $MIRROR ]] || die "no bookworm URIs: entry in $SOURCES"

KEY=$(printf '%s\n' "$RECIPE_VERSION" "$SUITE" "$VARIANT" "$INCLUDE" "$MIRROR" "$ARCH" |
    sha256sum | cut -c1-16)
TARBALL="$CACHE/debian-$SUITE-$KEY.tar"

# Fast path: the registry holds this suite's image made from the same key. A re-import would give a new digest
# (import time is in the layer), which changes every tag built on this base, so pull it back instead.
local_key() { docker image inspect -f '{{index .Config.Labels "dev.dockyard.rootfs-key"}}' "$REF" 2>/dev/null || true; }
if curl -sf -o /dev/null -I -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY/v2/dockyard/debian/manifests/$TAG"; then
    [[ $(local_key) == "$KEY" ]] || docker pull -q "$REF" >/dev/null 2>&1 || true
    if [[ $(local_key) == "$KEY" ]]; then
        log "$REF: up to date"
        exit 0
    fi
fi

mkdir -p "$CACHE"
if [[ ! -s $TARBALL ]]; then
    ROOTFS=$(mktemp -d "$CACHE/rootfs-$TAG.XXXXXX")
    trap 'rm -rf "$ROOTFS"' EXIT
    log "debootstrap --arch=$ARCH $SUITE from $MIRROR (about 40 s natively, minutes through QEMU)"
    debootstrap --arch="$ARCH" --variant="$VARIANT" --include="$INCLUDE" "$SUITE" "$ROOTFS" "$MIRROR" \
        >"$CACHE/debootstrap-$TAG.log" 2>&1 || die "debootstrap failed: see $CACHE/debootstrap-$TAG.log"
    # Package lists and caches are build-time leftovers; images add their own with apt-get update.
    rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
        "$ROOTFS"/var/log/* "$ROOTFS"/tmp/*
    tar --numeric-owner -C "$ROOTFS" -cf "$TARBALL.tmp" .
    mv "$TARBALL.tmp" "$TARBALL"
fi

log "importing $TARBALL as $REF"
docker import --platform "linux/$ARCH" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change "LABEL dev.dockyard.rootfs-key=$KEY dev.dockyard.suite=$SUITE" \
    --change 'CMD ["python3"]' \
    "$TARBALL" "$REF" >/dev/null
log "pushing $REF"
docker push -q "$REF" >/dev/null
log "$REF: ready"
