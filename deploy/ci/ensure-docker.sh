#!/usr/bin/env bash
# Make sure this machine can run the compose stack: a Docker engine that answers, docker-compose
# (v1.29 from Debian, unless `docker compose` v2 is there) and debootstrap for the offline
# images. Installs what is missing from Debian's packages and starts dockerd with the vfs
# storage driver (the only one that works everywhere, overlay-in-overlay included) when no
# engine runs. Idempotent: on a machine that has it all, it only checks. Needs root to install.
set -euo pipefail

say() { printf 'ensure-docker: %s\n' "$*" >&2; }
DOCKERD_LOG=${GRAVITY_DOCKERD_LOG:-/var/log/gravity-dockerd.log}

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 \
  || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v iptables >/dev/null || missing+=(iptables)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  exit 0
fi

# A dockerd that died with its machine's processes leaves pid files that stop the next one.
for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
  if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    rm -f "$pidfile"
  fi
done
say "starting dockerd --storage-driver=vfs (log: $DOCKERD_LOG)"
mkdir -p "$(dirname "$DOCKERD_LOG")"
# setsid: the engine outlives this script and the shell that ran it.
setsid dockerd --storage-driver=vfs >>"$DOCKERD_LOG" 2>&1 </dev/null &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    say "dockerd is up"
    exit 0
  fi
  sleep 1
done
tail -20 "$DOCKERD_LOG" >&2
say "dockerd did not come up within 60 seconds"
exit 1
