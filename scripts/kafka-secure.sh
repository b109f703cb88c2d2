#!/usr/bin/env bash
# The secure test broker, beside the plain one: scripts/kafka.sh in its secure mode (SASL_SSL
# with SCRAM-SHA-512, a throwaway CA, ACLs), with ports and a state folder of its own.
#   scripts/kafka-secure.sh start | stop | status | test-env
# test-env prints what tests/contract/test_kafka_secure.py reads: the SASL_SSL bootstrap
# server, the CA clients trust, and the loopback super-user listener `luohu topics grant` uses.
set -euo pipefail
export LUOHU_KAFKA_SECURE=1
export LUOHU_KAFKA_HOME=${LUOHU_KAFKA_SECURE_HOME:-$HOME/.cache/luohu/kafka-secure}
export LUOHU_KAFKA_PORT=${LUOHU_KAFKA_SECURE_PORT:-9192}
export LUOHU_KAFKA_CONTROLLER_PORT=${LUOHU_KAFKA_SECURE_CONTROLLER_PORT:-9193}
export LUOHU_KAFKA_INTERNAL_PORT=${LUOHU_KAFKA_SECURE_INTERNAL_PORT:-9194}

if [[ "${1:-}" == test-env ]]; then
  echo "LUOHU_TEST_KAFKA_SECURE=localhost:$LUOHU_KAFKA_PORT"
  echo "LUOHU_TEST_KAFKA_SECURE_CA=$LUOHU_KAFKA_HOME/tls/ca.crt"
  echo "LUOHU_TEST_KAFKA_SECURE_ADMIN=127.0.0.1:$LUOHU_KAFKA_INTERNAL_PORT"
  exit 0
fi
exec "$(dirname "$0")/kafka.sh" "$@"
