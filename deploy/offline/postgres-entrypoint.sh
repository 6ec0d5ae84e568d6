#!/bin/bash
# Stand-in for the official postgres image's entrypoint (used only where no registry is
# reachable): the same variables (POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, PGDATA), the
# same first-start scripts (/docker-entrypoint-initdb.d/*.sh and *.sql), password logins over
# the network, the server running as the postgres user.
set -euo pipefail

if [ "${1:-}" != postgres ]; then
  exec "$@"
fi
PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set, as for the official image}"
  export POSTGRES_USER=${POSTGRES_USER:-postgres}
  export POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  pg_ctl -w -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" \
    start >/dev/null
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -q \
      -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sh) echo "postgres-entrypoint: running $script" >&2
            # shellcheck source=/dev/null
            if [ -x "$script" ]; then "$script"; else . "$script"; fi ;;
      *.sql) echo "postgres-entrypoint: running $script" >&2
             psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -q -f "$script" ;;
    esac
  done
  pg_ctl -w -m fast stop >/dev/null
  echo "postgres-entrypoint: initialised $PGDATA" >&2
fi
shift
exec postgres -c listen_addresses='*' "$@"
