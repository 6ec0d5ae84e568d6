#!/bin/sh
# PostgreSQL's first start (official image or stand-in, from /docker-entrypoint-initdb.d):
# the application's role, which may create databases (the `migrate` job makes one per component,
# on the stack's first start and whenever a service is added), and no network logins for the
# superuser, whose password is then never a way in.
set -eu
: "${GRAVITY_DB_USER:?}" "${GRAVITY_DB_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres --quiet \
  --set=role="$GRAVITY_DB_USER" --set=password="$GRAVITY_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'password';
SQL
sed -i "1i host all ${POSTGRES_USER:-postgres} all reject" "$PGDATA/pg_hba.conf"
echo "init-gravity: role $GRAVITY_DB_USER created; superuser limited to local connections" >&2
