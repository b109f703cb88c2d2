#!/usr/bin/env bash
# Runs the test suite against the real engines: starts the Kafka brokers (the plain one, and
# the secure one of tests/contract/test_kafka_secure.py) and PostgreSQL when they are not
# running, and stops again what it started, whatever the outcome.
#   scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# deploy/ is rendered with kustomize: use kustomize or kubectl when present, else build the
# pinned kustomize from the Go module proxy once into a cache outside the repo.
tools="$HOME/.cache/luohu/bin"
export PATH="$tools:$PATH"
if ! command -v kustomize >/dev/null && ! command -v kubectl >/dev/null; then
  GOBIN="$tools" go install sigs.k8s.io/kustomize/kustomize/v5@v5.5.0
fi

# The browser tests (tests/browser) drive Debian's headless Chromium: installed when missing.
scripts/chromium.sh ensure

started=()
cleanup() {
  for service in "${started[@]}"; do scripts/"$service".sh stop || true; done
}
trap cleanup EXIT

for service in kafka kafka-secure postgres; do
  if ! scripts/"$service".sh status >/dev/null 2>&1; then
    started+=("$service") # first: a start that fails half-way is stopped too
    scripts/"$service".sh start
  fi
done

export LUOHU_TEST_KAFKA=127.0.0.1:${LUOHU_KAFKA_PORT:-9092}
LUOHU_TEST_POSTGRES=$(scripts/postgres.sh url postgres)
export LUOHU_TEST_POSTGRES
while IFS= read -r variable; do export "$variable"; done < <(scripts/kafka-secure.sh test-env)
.venv/bin/pytest "$@"
