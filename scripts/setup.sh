#!/usr/bin/env bash
# Install and start everything dockyard's tests need, on a fresh Debian bookworm machine (run as root).
#
# Idempotent: every step checks first and skips what is already there, so a second run takes seconds.
# Services (fixed addresses, see docs/development.md):
#   Docker engine 26 + buildx (containerd image store)  /var/run/docker.sock
#   registry, open                                      127.0.0.1:5000
#   registry, htpasswd (dockyard / dockyard-secret)     127.0.0.1:5001
#   moto S3                                             127.0.0.1:5900
#   base image                                          localhost:5000/dockyard/debian:bookworm
# Tools: flytekit 1.16.31 (the reference, own venv)     /var/lib/dockyard-ci/flytekit-venv
#        Debian's Chromium for browser tests            /usr/bin/chromium
# PIDs, logs and registry data live under /var/lib/dockyard-ci/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE=/var/lib/dockyard-ci
SOURCES=/etc/apt/sources.list.d/debian.sources
REGISTRY_USER=dockyard
REGISTRY_PASSWORD=dockyard-secret

log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (it installs packages and starts daemons)"
[[ -f $SOURCES ]] || die "$SOURCES not found: cannot tell which Debian mirror to use"
mkdir -p "$STATE"

# Wait until a command succeeds, for at most $1 seconds.
wait_for() {
    local seconds=$1
    shift
    local i
    for ((i = 0; i < seconds * 4; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.25
    done
    return 1
}

# Start a daemon detached from this shell, recording its PID and log under $STATE.
start_daemon() {
    local name=$1
    shift
    log "starting $name (log: $STATE/$name.log)"
    setsid nohup "$@" >"$STATE/$name.log" 2>&1 </dev/null &
    echo $! >"$STATE/$name.pid"
}

# The mirror URI of the bookworm entry in the deb822 sources file.
bookworm_uri() {
    awk 'BEGIN { RS = ""; FS = "\n" }
         /Suites:[^\n]*bookworm( |$|\n)/ {
             for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, a, " "); print a[2]; exit }
         }' "$SOURCES"
}

# ---------------------------------------------------------------- packages
BOOKWORM_PACKAGES=(containerd runc docker-registry debootstrap apache2-utils qemu-user-static binfmt-support curl chromium)
TRIXIE_PACKAGES=(docker.io docker-cli docker-buildx)

packages_ok() {
    local wanted=$((${#BOOKWORM_PACKAGES[@]} + ${#TRIXIE_PACKAGES[@]})) installed
    installed=$(dpkg-query -W -f='${Status}\n' "${BOOKWORM_PACKAGES[@]}" "${TRIXIE_PACKAGES[@]}" 2>/dev/null |
        grep -c 'install ok installed' || true)
    [[ $installed -eq $wanted ]] || return 1
    [[ $(dpkg-query -W -f='${Version}' docker.io 2>/dev/null) == 26.* ]] || return 1
    [[ -x /usr/libexec/docker/cli-plugins/docker-buildx ]]
}

install_packages() {
    local uri
    uri=$(bookworm_uri)
    [[ -n $uri ]] || die "no bookworm URIs: entry in $SOURCES"
    log "adding trixie (pinned low) from $uri"
    cat >/etc/apt/sources.list.d/dockyard-trixie.sources <<EOF
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # trixie only for what we ask by name; runc, containerd and libc6 never from trixie (newer libc).
    cat >/etc/apt/preferences.d/dockyard-trixie <<EOF
Package: runc containerd libc6 libc-bin libc-dev-bin libc6-dev
Pin: release n=trixie
Pin-Priority: -1

Package: *
Pin: release n=trixie
Pin-Priority: 100
EOF
    # No init system here: keep package scripts from starting services (we start our own).
    local made_policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${BOOKWORM_PACKAGES[@]}" >/dev/null
    apt-get install -y -qq --no-install-recommends docker.io/trixie docker-cli/trixie docker-buildx/trixie >/dev/null
    [[ -n $made_policy ]] && rm -f /usr/sbin/policy-rc.d
    # Debian's registry package ships a service on :5000; it must not run (we run our own).
    if [[ -f /etc/init.d/docker-registry ]]; then /etc/init.d/docker-registry stop >/dev/null 2>&1 || true; fi
}

if packages_ok; then
    log "packages: already installed"
else
    install_packages
    packages_ok || die "packages did not install as expected (docker.io 26 + buildx)"
fi

# ---------------------------------------------------------------- binfmt (multi-arch; optional)
if [[ ! -e /proc/sys/fs/binfmt_misc/register ]]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || log "binfmt_misc: cannot mount (multi-arch builds unavailable)"
fi
if [[ -e /proc/sys/fs/binfmt_misc/register && ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    update-binfmts --enable >/dev/null 2>&1 || log "binfmt: could not enable qemu handlers"
fi

# ---------------------------------------------------------------- docker engine
# localhost:5002 is the tests' fault-injecting proxy in front of :5000 (tests/builders/fault_proxy.py).
DAEMON_JSON='{
  "features": {"containerd-snapshotter": true},
  "insecure-registries": ["localhost:5000", "localhost:5001", "localhost:5002", "127.0.0.1:5000", "127.0.0.1:5001"]
}'
config_changed=""
mkdir -p /etc/docker
if [[ ! -f /etc/docker/daemon.json ]] || [[ $(cat /etc/docker/daemon.json) != "$DAEMON_JSON" ]]; then
    printf '%s\n' "$DAEMON_JSON" >/etc/docker/daemon.json
    config_changed=1
fi

# A dockerd started elsewhere with --bridge=none deletes the host's docker0, and ours then fails every
# container and RUN step ("adding interface ... to bridge docker0 failed"); a restart recreates it.
restart_reason=""
[[ -n $config_changed ]] && restart_reason="daemon.json changed"
[[ -e /sys/class/net/docker0 ]] || restart_reason="the docker0 bridge is gone"
if [[ -n $restart_reason ]] && docker info >/dev/null 2>&1; then
    if [[ -f $STATE/dockerd.pid ]] && kill -0 "$(cat "$STATE/dockerd.pid")" 2>/dev/null; then
        log "$restart_reason: restarting dockerd"
        kill "$(cat "$STATE/dockerd.pid")"
        wait_for 30 bash -c "! kill -0 $(cat "$STATE/dockerd.pid")" || die "dockerd did not stop"
    else
        log "warning: $restart_reason, but dockerd was not started by this script; leaving it running"
    fi
fi

if docker info >/dev/null 2>&1; then
    log "dockerd: already answering"
else
    # A stale pid file or socket from a killed daemon would stop a new one from starting.
    rm -f /var/run/docker.pid
    start_daemon dockerd /usr/sbin/dockerd --config-file /etc/docker/daemon.json
    wait_for 60 docker info || die "dockerd did not answer within 60 s: see $STATE/dockerd.log"
fi
docker buildx version >/dev/null 2>&1 || die "docker buildx is not available"
[[ -e /sys/class/net/docker0 ]] || die "dockerd runs without its docker0 bridge: containers cannot start"

# ---------------------------------------------------------------- registries
registry_config() {
    local port=$1 auth=$2
    cat <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry-$port
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: dockyard-ci-$port
EOF
    if [[ -n $auth ]]; then
        cat <<EOF
auth:
  htpasswd:
    realm: dockyard-ci
    path: $STATE/htpasswd
EOF
    fi
}

if [[ ! -s $STATE/htpasswd ]] || ! htpasswd -vb "$STATE/htpasswd" "$REGISTRY_USER" "$REGISTRY_PASSWORD" >/dev/null 2>&1; then
    htpasswd -Bbc "$STATE/htpasswd" "$REGISTRY_USER" "$REGISTRY_PASSWORD" 2>/dev/null
fi

start_registry() {
    local port=$1 auth=$2 expect=$3
    local url="http://127.0.0.1:$port/v2/"
    registry_config "$port" "$auth" >"$STATE/registry-$port.yml"
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$url") == "$expect" ]]; then
        log "registry :$port: already answering"
        return
    fi
    mkdir -p "$STATE/registry-$port"
    start_daemon "registry-$port" /usr/bin/docker-registry serve "$STATE/registry-$port.yml"
    wait_for 20 bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' $url) == $expect ]]" ||
        die "registry :$port did not answer $expect on /v2/: see $STATE/registry-$port.log"
}
start_registry 5000 "" 200
start_registry 5001 auth 401
[[ $(curl -s -o /dev/null -w '%{http_code}' -u "$REGISTRY_USER:$REGISTRY_PASSWORD" http://127.0.0.1:5001/v2/) == 200 ]] ||
    die "registry :5001 refuses the documented credentials"

# ---------------------------------------------------------------- python venv
PYPROJECT_HASH=$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)
if [[ -x $ROOT/.venv/bin/python && -f $ROOT/.venv/.pyproject.sha256 && $(cat "$ROOT/.venv/.pyproject.sha256") == "$PYPROJECT_HASH" ]]; then
    log ".venv: up to date"
else
    log ".venv: pip install -e '.[dev]'"
    [[ -x $ROOT/.venv/bin/python ]] || /usr/bin/python3 -m venv "$ROOT/.venv"
    "$ROOT/.venv/bin/pip" install -q --disable-pip-version-check -e "$ROOT[dev]"
    echo "$PYPROJECT_HASH" >"$ROOT/.venv/.pyproject.sha256"
fi

# ---------------------------------------------------------------- flytekit, the reference
# Differential tests run real flytekit side by side with dockyard; it lives in its own venv so its
# dependency pins never touch dockyard's.
FLYTEKIT_VENV=$STATE/flytekit-venv
FLYTEKIT_REQUIREMENTS=(flytekit==1.16.31 flyteidl pandas pyarrow pydantic "kubernetes<37")  # PodTemplate; 37 needs python-dateutil 3, botocore <3; pydantic: flytekit's BaseModel transformer (the parity programs), not one of its own dependencies
FLYTEKIT_STAMP=$(printf '%s\n' "${FLYTEKIT_REQUIREMENTS[@]}" | sha256sum | cut -d' ' -f1)
if [[ -x $FLYTEKIT_VENV/bin/python && -f $FLYTEKIT_VENV/.stamp && $(cat "$FLYTEKIT_VENV/.stamp") == "$FLYTEKIT_STAMP" ]]; then
    log "flytekit venv: up to date"
else
    log "flytekit venv: pip install ${FLYTEKIT_REQUIREMENTS[*]}"
    [[ -x $FLYTEKIT_VENV/bin/python ]] || /usr/bin/python3 -m venv "$FLYTEKIT_VENV"
    "$FLYTEKIT_VENV/bin/pip" install -q --disable-pip-version-check "${FLYTEKIT_REQUIREMENTS[@]}"
    echo "$FLYTEKIT_STAMP" >"$FLYTEKIT_VENV/.stamp"
fi

# ---------------------------------------------------------------- moto S3
if curl -s -o /dev/null http://127.0.0.1:5900/; then
    log "moto S3 :5900: already answering"
else
    start_daemon moto "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p 5900
    wait_for 30 curl -s -o /dev/null http://127.0.0.1:5900/ || die "moto did not answer: see $STATE/moto.log"
fi

# ---------------------------------------------------------------- base image
bash "$ROOT/scripts/base-image.sh" bookworm

log "ready: docker $(docker version -f '{{.Server.Version}}'), registries :5000 :5001, S3 :5900, base image bookworm"
