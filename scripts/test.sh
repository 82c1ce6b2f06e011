#!/usr/bin/env bash
# `npm test`: every test (unit, integration, end-to-end) in one Jest run against real infrastructure.
#
#   - installs dependencies when node_modules is missing;
#   - makes sure a Kafka broker listens (scripts/kafka.sh ensure), unless KAFKA_BROKERS is given;
#   - PostgreSQL: DATABASE_URL when given, else 127.0.0.1:5432, else an embedded server, resolved by
#     the tests themselves (libs/testing createFreshDatabase);
#   - runs Jest with the arguments given (e.g. `npm test -- libs/core`), two workers by default (TEST_WORKERS):
#     integration tests each create their own database and topics, so files run in parallel safely;
#   - KAFKA_SECOND_VERSION=3.9.1 (what .ci/run sets): the end-to-end suites of test/ run a second
#     time, in the same Jest run, on a broker of that release (KAFKA_SECOND_PORT, default 39094;
#     KAFKA_SECOND_CONTROLLER_PORT, default 39095), started here like the first;
#   - builds the apps (`nest build`) so the processes the tests start run compiled
#     (TEST_APPS_FROM_DIST=0: from source);
#   - stops the brokers it started, then prints `N passed, N failed` as the last line and exits
#     with Jest's exit code.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ ! -d node_modules ]]; then
  echo "test: node_modules is missing; running npm ci" >&2
  npm ci || exit 1
fi

broker_state=none
second_broker_state=none
results="$(mktemp "${TMPDIR:-/tmp}/jest-results.XXXXXX.json")"
browser_results="$(mktemp "${TMPDIR:-/tmp}/jest-browser-results.XXXXXX.json")"

second_kafka() {
  KAFKA_VERSION="$KAFKA_SECOND_VERSION" KAFKA_PORT="$KAFKA_SECOND_PORT" \
    KAFKA_CONTROLLER_PORT="$KAFKA_SECOND_CONTROLLER_PORT" bash scripts/kafka.sh "$@"
}
stop_owned_broker() {
  if [[ "$broker_state" == started ]]; then
    broker_state=stopping
    bash scripts/kafka.sh stop || true
  fi
  if [[ "$second_broker_state" == started ]]; then
    second_broker_state=stopping
    second_kafka stop || true
  fi
}
on_exit() {
  stop_owned_broker
  rm -f "$results" "$browser_results"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n "${KAFKA_BROKERS:-}" ]]; then
  echo "test: using KAFKA_BROKERS=$KAFKA_BROKERS (no local broker started)" >&2
else
  bash scripts/kafka.sh fetch || exit 1
  # A broker this run starts gets a fresh data dir: no topics left over from earlier runs.
  broker_state="$(KAFKA_FRESH=1 bash scripts/kafka.sh ensure)" || exit 1
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-39092}"
fi
export KAFKA_VERSION_IN_USE="$(bash scripts/kafka.sh version)"
if [[ -n "${KAFKA_SECOND_VERSION:-}" ]]; then
  export KAFKA_SECOND_VERSION
  export KAFKA_SECOND_PORT="${KAFKA_SECOND_PORT:-39094}"
  export KAFKA_SECOND_CONTROLLER_PORT="${KAFKA_SECOND_CONTROLLER_PORT:-39095}"
  second_kafka fetch || exit 1
  second_broker_state="$(KAFKA_FRESH=1 second_kafka ensure)" || exit 1
  export KAFKA_SECOND_BROKERS="127.0.0.1:$KAFKA_SECOND_PORT"
fi
export KAFKAJS_NO_PARTITIONER_WARNING=1

# The worker, API and notifier processes the tests start run compiled (libs/testing
# worker-process.ts): built once here, they start in half a second of CPU instead of three.
# TEST_APPS_FROM_DIST=0 runs them from source instead.
if [[ "${TEST_APPS_FROM_DIST:-1}" == 1 ]]; then
  echo "test: building the apps (nest build)" >&2
  npx nest build || { echo "test: nest build failed" >&2; exit 1; }
  export TEST_APPS_FROM_DIST=1
fi

jest_args=(--json "--outputFile=$results")
workers_given=false
for arg in "$@"; do
  case "$arg" in
    -i | --runInBand | -w | --maxWorkers | --maxWorkers=* | -w=*) workers_given=true ;;
  esac
done
$workers_given || jest_args+=("--maxWorkers=${TEST_WORKERS:-2}")
# In CI a leaked handle must not hang the run until its time limit; locally Jest's warning about
# it is more useful than a forced exit. (With --forceExit Jest always prints a "Force exiting
# Jest" hint, whether or not anything was left open.)
[[ "${CI:-}" == true ]] && jest_args+=(--forceExit)

# The browser tests measure the console's first page against its budgets: run on their own after
# the rest (one Jest worker), so what they time is the page, not the suites beside it. Given paths
# or patterns, Jest runs once, as asked.
if (($# == 0)); then
  npx jest "${jest_args[@]}" --testPathIgnorePatterns '/node_modules/' '/dist/' '\.browser-spec\.ts$'
  status=$?
  npx jest --json "--outputFile=$browser_results" --maxWorkers=1 \
    $([[ "${CI:-}" == true ]] && echo --forceExit) --testPathPatterns '\.browser-spec\.ts$'
  browser_status=$?
  ((status != 0)) || status=$browser_status
else
  npx jest "${jest_args[@]}" "$@"
  status=$?
  echo '{"numPassedTests":0,"numFailedTests":0}' >"$browser_results"
fi

stop_owned_broker

# Jest's own closing lines vary; CI reads this one. A suite that failed to run at all (a syntax or
# import error) reports no failed test, so it counts as one failure here.
summary="$(node -e '
  const fs = require("fs");
  try {
    let passed = 0, failed = 0;
    for (const file of process.argv.slice(1)) {
      const r = JSON.parse(fs.readFileSync(file, "utf8"));
      passed += r.numPassedTests;
      failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
    }
    process.stdout.write(`${passed} passed, ${failed} failed`);
  } catch {
    process.exit(1);
  }
' "$results" "$browser_results")" || {
  echo "test: Jest wrote no results (exit code $status)" >&2
  summary="0 passed, 0 failed"
  ((status != 0)) || status=1
}
echo "$summary"
exit "$status"
