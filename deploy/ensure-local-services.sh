#!/usr/bin/env bash
# Make sure the broker and database the tests use are up on this machine, and that RabbitMQ's
# management API (used by nameko's test fixtures to create a throw-away vhost per test) is on
# and accepts the guest login. A broker that listens but refuses logins (e.g. its Mnesia
# directory vanished under it) is restarted.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {  # what command...
  local what=$1; shift
  for _ in $(seq 1 60); do
    if "$@"; then return 0; fi
    sleep 1
  done
  echo "ensure-local-services: $what is not available" >&2
  return 1
}

management_login() {
  curl -fsS -m 5 -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null 2>&1
}

start_rabbitmq() {
  echo "ensure-local-services: starting RabbitMQ" >&2
  rabbitmq-server -detached || true
  wait_for "RabbitMQ" port_open 127.0.0.1 5672
  rabbitmq-plugins enable rabbitmq_management >/dev/null
}

if command -v rabbitmq-server >/dev/null; then
  if ! port_open 127.0.0.1 5672; then
    start_rabbitmq
  fi
  if ! port_open 127.0.0.1 15672; then
    echo "ensure-local-services: enabling rabbitmq_management" >&2
    rabbitmq-plugins enable rabbitmq_management >/dev/null
  fi
  if ! wait_for "RabbitMQ management API" management_login; then
    echo "ensure-local-services: RabbitMQ refuses logins; restarting it" >&2
    rabbitmqctl stop >/dev/null 2>&1 || pkill -u rabbitmq beam.smp || true
    sleep 3
    start_rabbitmq
  fi
fi
wait_for "RabbitMQ on 127.0.0.1:5672" port_open 127.0.0.1 5672
wait_for "RabbitMQ management API (guest login)" management_login
# Quorum queues (used for handlers' bounded retries) need their feature flag; a node started
# on an old Mnesia directory can come up with flags off.
rabbitmqctl enable_feature_flag all >/dev/null 2>&1 || true

if ! port_open 127.0.0.1 5432 && command -v pg_ctlcluster >/dev/null; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    # The machine's cluster is gone: make one as the machine comes (trust auth on loopback).
    echo "ensure-local-services: creating PostgreSQL $version cluster main" >&2
    pg_createcluster "$version" main -- --auth=trust >/dev/null
  fi
  echo "ensure-local-services: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
fi
wait_for "PostgreSQL on 127.0.0.1:5432" port_open 127.0.0.1 5432
