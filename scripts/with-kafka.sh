#!/usr/bin/env bash
# Runs a command with a Kafka broker available: KAFKA_BROKERS when given, else the project's local
# broker (fetched and started if nothing listens; stopped afterwards only if started here).
#   bash scripts/with-kafka.sh <command> [args…]
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[[ -d node_modules ]] || npm ci --no-audit --no-fund || exit 1
broker_state=none
trap '[[ "$broker_state" == started ]] && bash scripts/kafka.sh stop >/dev/null 2>&1' EXIT
if [[ -z "${KAFKA_BROKERS:-}" ]]; then
  bash scripts/kafka.sh fetch || exit 1
  broker_state="$(bash scripts/kafka.sh ensure)" || exit 1
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-39092}"
fi
export KAFKAJS_NO_PARTITIONER_WARNING=1
"$@"
