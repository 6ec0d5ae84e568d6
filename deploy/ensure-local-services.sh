#!/usr/bin/env bash
# Make sure the broker and database the tests use are up on this machine, and that RabbitMQ's
# management API (used by nameko's test fixtures to create a throw-away vhost per test) is on.
set -euo pipefail

wait_for_port() {  # host port what
  for _ in $(seq 1 60); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "ensure-local-services: $3 is not reachable on $1:$2" >&2
  return 1
}

if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && command -v rabbitmq-server >/dev/null; then
  echo "ensure-local-services: starting RabbitMQ" >&2
  rabbitmq-server -detached || true
fi
wait_for_port 127.0.0.1 5672 RabbitMQ

if ! (exec 3<>/dev/tcp/127.0.0.1/15672) 2>/dev/null; then
  if command -v rabbitmq-plugins >/dev/null; then
    echo "ensure-local-services: enabling rabbitmq_management" >&2
    rabbitmq-plugins enable rabbitmq_management >/dev/null
  fi
fi
wait_for_port 127.0.0.1 15672 "RabbitMQ management API"

if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
  echo "ensure-local-services: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
wait_for_port 127.0.0.1 5432 PostgreSQL
