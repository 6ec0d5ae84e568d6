#!/bin/sh
# Stand-in for the official rabbitmq image's entrypoint (used only where no registry is
# reachable): the same variables (RABBITMQ_DEFAULT_USER/PASS/VHOST), data in /var/lib/rabbitmq,
# the management plugin on 15672, logs on stdout, the server running as the rabbitmq user.
set -eu

if [ "${1:-}" = rabbitmq-server ]; then
  {
    echo "loopback_users = none"
    echo "listeners.tcp.default = 5672"
    echo "management.tcp.port = 15672"
    [ -z "${RABBITMQ_DEFAULT_USER:-}" ] || echo "default_user = $RABBITMQ_DEFAULT_USER"
    [ -z "${RABBITMQ_DEFAULT_PASS:-}" ] || echo "default_pass = $RABBITMQ_DEFAULT_PASS"
    [ -z "${RABBITMQ_DEFAULT_VHOST:-}" ] || echo "default_vhost = $RABBITMQ_DEFAULT_VHOST"
  } >/etc/rabbitmq/rabbitmq.conf
  mkdir -p /var/lib/rabbitmq /var/log/rabbitmq
  cookie=/var/lib/rabbitmq/.erlang.cookie
  if [ ! -s "$cookie" ]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$cookie"
  fi
  chmod 400 "$cookie"
  chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
  shift
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups \
    /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
fi
exec "$@"
