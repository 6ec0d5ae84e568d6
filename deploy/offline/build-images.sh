#!/usr/bin/env bash
# Build every image docker-compose.yml needs without any image registry, and print the
# variables that point the stack at them:
#
#   GRAVITY_PYTHON_IMAGE    Debian bookworm + python3.11 (stand-in for python:3.11-slim-bookworm)
#   GRAVITY_RABBITMQ_IMAGE  Debian bookworm + rabbitmq-server + management (for rabbitmq:3-management)
#   GRAVITY_POSTGRES_IMAGE  Debian bookworm + postgresql-15 (stand-in for postgres:15-bookworm)
#   GRAVITY_IMAGE           the application, built by deploy/Dockerfile FROM the Python stand-in
#                           out of a wheelhouse made on this host (containers cannot reach PyPI)
#
# Base images come from debootstrap + `docker import`; packages are installed into the chroot
# from the host, which reaches Debian's mirror. Everything is tagged by a hash of what went into
# it, so a second run on the same machine reuses the images (and the cached root file system and
# wheelhouse under $GRAVITY_BUILD_CACHE) and finishes in seconds.
#
# Usage: deploy/offline/build-images.sh [--env-file FILE]    (needs root, debootstrap, docker)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OFFLINE="$REPO/deploy/offline"
CACHE=${GRAVITY_BUILD_CACHE:-/var/cache/gravity-stack}
MIRROR=${GRAVITY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
PIP=${GRAVITY_HOST_PIP:-$REPO/.venv/bin/pip}
PREFIX=gravity-offline
ENV_FILE=""

while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) ENV_FILE=$2; shift 2 ;;
    *) echo "usage: $0 [--env-file FILE]" >&2; exit 64 ;;
  esac
done

say() { printf 'build-images: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install debootstrap"
docker info >/dev/null 2>&1 || fail "no Docker engine answers: run deploy/ci/ensure-docker.sh"
[ -x "$PIP" ] || fail "no pip at $PIP: run make setup (or set GRAVITY_HOST_PIP)"

mkdir -p "$CACHE"
# Work folders of a run that was killed (a later run would never look at them again).
find "$CACHE" -maxdepth 1 -name 'work.*' -mmin +240 -exec rm -rf --one-file-system {} + \
  2>/dev/null || true
WORK=$(mktemp -d "$CACHE/work.XXXXXX")
MOUNTED=()
cleanup() {
  local mount
  for mount in "${MOUNTED[@]}"; do umount -l "$mount" 2>/dev/null || true; done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

digest() { sha256sum | cut -c1-16; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# --- the shared base: a minimal bookworm root file system, cached as a tarball -------------
BASE_KEY=$(printf '%s\n' "$SUITE" minbase "$MIRROR" v1 | digest)
BASE_TAR="$CACHE/rootfs-$SUITE-$BASE_KEY.tar"
if [ ! -s "$BASE_TAR" ]; then
  say "debootstrap $SUITE (minbase) from $MIRROR"
  debootstrap --variant=minbase "$SUITE" "$WORK/base" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed"; }
  # No daemon may start inside the chroot while packages are installed into it.
  printf '#!/bin/sh\nexit 101\n' >"$WORK/base/usr/sbin/policy-rc.d"
  chmod 755 "$WORK/base/usr/sbin/policy-rc.d"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$WORK/base/etc/apt/apt.conf.d/90gravity-slim"
  rm -rf "$WORK/base/var/cache/apt/archives/"*.deb "$WORK/base/var/lib/apt/lists/"*
  tar --numeric-owner -C "$WORK/base" -cf "$BASE_TAR.tmp" .
  mv "$BASE_TAR.tmp" "$BASE_TAR"
  rm -rf --one-file-system "$WORK/base"
fi

# Extract the base, apt-get install PACKAGES into it, add ENTRYPOINT (a file, may be empty), run
# HOOK inside, and import it as TAG with the given image settings (docker import --change).
build_standin() {  # tag packages entrypoint hook changes...
  local tag=$1 packages=$2 entrypoint=$3 hook=$4
  shift 4
  local root="$WORK/${tag//[:\/]/_}"
  say "building $tag ($packages)"
  mkdir -p "$root"
  tar -C "$root" -xf "$BASE_TAR"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc" && MOUNTED+=("$root/proc")
  chroot "$root" /bin/sh -ec "
    export DEBIAN_FRONTEND=noninteractive LC_ALL=C
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $packages >/dev/null
    apt-get clean
    rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /usr/share/doc/* /usr/share/man/* \
           /usr/share/info/* /usr/share/locale/* /var/log/apt /var/log/dpkg.log
  " >"$root.log" 2>&1 || { tail -30 "$root.log" >&2; fail "installing into $tag failed"; }
  [ -z "$entrypoint" ] || install -m 755 "$entrypoint" "$root/usr/local/bin/docker-entrypoint.sh"
  chroot "$root" /bin/sh -ec "$hook"
  umount "$root/proc"
  : >"$root/etc/resolv.conf"
  local change=() item
  for item in "$@"; do change+=(--change "$item"); done
  tar --numeric-owner -C "$root" -c . | docker import "${change[@]}" - "$tag" >/dev/null
  rm -rf --one-file-system "$root"
}

# A stand-in's tag hashes the base, its packages, its entrypoint, its hook and its image settings,
# so editing another part of this script rebuilds nothing. Bump STANDIN_RECIPE to force it.
STANDIN_RECIPE=2
standin() {  # name:tag-prefix packages entrypoint hook changes... -> sets STANDIN
  local name=$1 packages=$2 entrypoint=$3 hook=$4
  shift 4
  STANDIN="$PREFIX/$name-$( { printf '%s\n' "$BASE_KEY $STANDIN_RECIPE" "$packages" "$hook" "$@"
    cat /dev/null ${entrypoint:+"$entrypoint"}; } | digest)"
  image_exists "$STANDIN" || build_standin "$STANDIN" "$packages" "$entrypoint" "$hook" "$@"
}

standin python:3.11 "python3 python3-venv" "" true 'ENV LANG=C.UTF-8' 'CMD ["python3"]'
PYTHON_IMAGE=$STANDIN

standin rabbitmq:3-management rabbitmq-server "$OFFLINE/rabbitmq-entrypoint.sh" '
  rabbitmq-plugins --offline enable rabbitmq_management >/dev/null
  rm -rf /var/lib/rabbitmq/mnesia /var/lib/rabbitmq/.erlang.cookie /var/log/rabbitmq/*
' 'ENV HOME=/var/lib/rabbitmq LANG=C.UTF-8 RABBITMQ_LOGS=-' \
  'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' 'CMD ["rabbitmq-server"]' \
  'EXPOSE 5672 15672'
RABBITMQ_IMAGE=$STANDIN

standin postgres:15 postgresql-15 "$OFFLINE/postgres-entrypoint.sh" '
  pg_dropcluster --stop 15 main 2>/dev/null || true
  rm -rf /var/lib/postgresql/15 /etc/postgresql/15
  # JIT compilation (LLVM, a third of the image) is an optional speed-up PostgreSQL can do
  # without: with the provider gone it simply stays off.
  rm -rf /usr/lib/x86_64-linux-gnu/libLLVM-*.so* /usr/lib/postgresql/15/lib/llvmjit* \
    /usr/lib/postgresql/15/lib/bitcode
  mkdir -p /docker-entrypoint-initdb.d /var/lib/postgresql/data /var/run/postgresql
  chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql
' 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  'ENV PGDATA=/var/lib/postgresql/data LANG=C.UTF-8' \
  'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' 'CMD ["postgres"]' \
  'EXPOSE 5432'
POSTGRES_IMAGE=$STANDIN


# --- the wheelhouse: third-party wheels keyed by the pins, our own wheel built every time ----
DEPS_KEY=$(cat "$REPO/constraints.txt" "$REPO/pyproject.toml" | digest)
DEPS="$CACHE/wheelhouse-$DEPS_KEY"
if [ ! -d "$DEPS" ]; then
  say "building the wheelhouse (pip wheel -c constraints.txt)"
  "$PIP" wheel -c "$REPO/constraints.txt" -w "$DEPS.tmp" "$REPO" >"$WORK/pip.log" 2>&1 \
    || { tail -20 "$WORK/pip.log" >&2; fail "pip wheel failed"; }
  rm -f "$DEPS.tmp"/gravity-*.whl
  mv "$DEPS.tmp" "$DEPS"
fi

# --- the application image: deploy/Dockerfile on a small context (no .venv, no .git) ----------
CONTEXT="$WORK/context"
mkdir -p "$CONTEXT/deploy"
cp -r "$REPO/pyproject.toml" "$REPO/constraints.txt" "$REPO/shared" "$REPO/services" \
  "$REPO/gateway" "$REPO/gravity" "$CONTEXT/"
cp -r "$REPO/deploy/Dockerfile" "$REPO/deploy/image" "$CONTEXT/deploy/"
mkdir -p "$CONTEXT/deploy/wheels"
cp "$DEPS"/*.whl "$CONTEXT/deploy/wheels/"
find "$CONTEXT" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +
# The wheel of our own code (its name carries no content hash: the image tag does that).
"$PIP" wheel --no-deps -w "$CONTEXT/deploy/wheels" "$CONTEXT" >"$WORK/pip.log" 2>&1 \
  || { tail -20 "$WORK/pip.log" >&2; fail "pip wheel of the project failed"; }
rm -rf "$CONTEXT/build" "$CONTEXT"/*.egg-info
APP_KEY=$( { echo "$PYTHON_IMAGE"; cd "$CONTEXT" && find . -type f ! -name 'gravity-*.whl' \
  -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; } | digest)
APP_IMAGE="$PREFIX/gravity:$APP_KEY"
if ! image_exists "$APP_IMAGE"; then
  say "building $APP_IMAGE"
  DOCKER_BUILDKIT=0 docker build --quiet --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE" \
    -f "$CONTEXT/deploy/Dockerfile" -t "$APP_IMAGE" "$CONTEXT" >/dev/null 2>"$WORK/build.log" \
    || { tail -40 "$WORK/build.log" >&2; fail "docker build failed"; }
fi

# Under the vfs storage driver every image is a full copy: drop superseded builds of ours.
for repository in python rabbitmq postgres gravity; do
  docker image ls --format '{{.Repository}}:{{.Tag}}' "$PREFIX/$repository" | while read -r old; do
    case "$old" in
      "$PYTHON_IMAGE" | "$RABBITMQ_IMAGE" | "$POSTGRES_IMAGE" | "$APP_IMAGE") ;;
      *) docker image rm "$old" >/dev/null 2>&1 || true ;;
    esac
  done
done
docker image prune --force >/dev/null 2>&1 || true
find "$CACHE" -maxdepth 1 \( -name 'rootfs-*.tar' ! -name "$(basename "$BASE_TAR")" \
  -o -name 'wheelhouse-*' ! -name "$(basename "$DEPS")" \) -exec rm -rf {} + 2>/dev/null || true

VARIABLES="GRAVITY_PYTHON_IMAGE=$PYTHON_IMAGE
GRAVITY_RABBITMQ_IMAGE=$RABBITMQ_IMAGE
GRAVITY_POSTGRES_IMAGE=$POSTGRES_IMAGE
GRAVITY_IMAGE=$APP_IMAGE"
[ -z "$ENV_FILE" ] || printf '%s\n' "$VARIABLES" >"$ENV_FILE"
printf '%s\n' "$VARIABLES"
