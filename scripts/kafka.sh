#!/usr/bin/env bash
# The local Apache Kafka broker (KRaft, one node) that tests, the demo and benchmarks use: Kafka
# 4.4.0 by default, or the release KAFKA_VERSION names (3.9.1 is kept working). The broker runs on
# the JVM from jars fetched from Maven Central (infra/kafka/<major>/pom.xml): no Docker.
#
#   scripts/kafka.sh fetch    copy the broker's classpath into .kafka/lib-<version> (skipped when current)
#   scripts/kafka.sh start    fetch, format the KRaft storage, start in the background, wait until ready
#   scripts/kafka.sh stop     SIGTERM the recorded pid, then SIGKILL after KAFKA_STOP_TIMEOUT seconds
#   scripts/kafka.sh status   exit 0 when our broker runs, 3 when not
#   scripts/kafka.sh ensure   start unless something already listens on KAFKA_PORT; prints on stdout
#                             one word, `started` (the caller owns it and should stop it) or `reused`
#   scripts/kafka.sh logs     print the broker's log file
#   scripts/kafka.sh lib      print the folder of the version's jars (Kafka's Java tools run from it)
#   scripts/kafka.sh version  print the version in use
#   scripts/kafka.sh logging-option  print the JVM option that configures the version's logging
#
# Environment:
#   KAFKA_VERSION          the Kafka release (default 4.4.0; 3.x and 4.x releases on Maven Central)
#   KAFKA_PORT             client port (default 39092)
#   KAFKA_CONTROLLER_PORT  KRaft controller port (default 39093)
#   KAFKA_DATA_DIR         log.dirs (default .kafka/data-$KAFKA_PORT-$KAFKA_VERSION; relative to the repo root)
#   KAFKA_FRESH=1          start/ensure: delete the data dir first (no topics left over from earlier runs)
#   KAFKA_START_TIMEOUT    seconds to wait for readiness (default 90)
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL (default 30)
#
# Messages go to stderr; only `ensure` writes to stdout. Safe to run from any directory and to repeat.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The newest 4.x release that passes the test suite here; the one place the default is named.
DEFAULT_KAFKA_VERSION=4.4.0
# A release asked for by name must be the one that runs: `ensure` refuses a broker of another.
KAFKA_VERSION_GIVEN="${KAFKA_VERSION:+yes}"
KAFKA_VERSION="${KAFKA_VERSION:-$DEFAULT_KAFKA_VERSION}"
[[ "$KAFKA_VERSION" =~ ^([34])\.[0-9]+\.[0-9]+$ ]] ||
  { printf 'kafka: error: KAFKA_VERSION=%s is not a 3.x or 4.x release (such as 4.4.0 or 3.9.1)\n' "$KAFKA_VERSION" >&2; exit 2; }
KAFKA_MAJOR="${BASH_REMATCH[1]}"

# 3.x logs through reload4j (log4j 1 properties), 4.x through log4j2.
POM="$ROOT/infra/kafka/$KAFKA_MAJOR/pom.xml"
TEMPLATE="$ROOT/infra/kafka/server.properties.template"
if [[ "$KAFKA_MAJOR" == 3 ]]; then
  LOGGING_OPTION="-Dlog4j.configuration=file:$ROOT/infra/kafka/3/log4j.properties"
else
  LOGGING_OPTION="-Dlog4j2.configurationFile=$ROOT/infra/kafka/4/log4j2.properties"
fi
KAFKA_DIR="$ROOT/.kafka"
LIB="$KAFKA_DIR/lib-$KAFKA_VERSION"
LIB_MARKER="$LIB/.complete"

KAFKA_PORT="${KAFKA_PORT:-39092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-39093}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-.kafka/data-$KAFKA_PORT-$KAFKA_VERSION}"
case "$KAFKA_DATA_DIR" in
  /*) ;;
  *) KAFKA_DATA_DIR="$ROOT/$KAFKA_DATA_DIR" ;;
esac
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

# Everything about one broker instance lives in a folder named after its port, so brokers on
# different ports (parallel checkouts, benchmarks) never share a pid file or a log.
RUN_DIR="$KAFKA_DIR/run-$KAFKA_PORT"
PID_FILE="$RUN_DIR/kafka.pid"
VERSION_FILE="$RUN_DIR/version"
LOG_FILE="$RUN_DIR/kafka.log"
PROPS="$RUN_DIR/server.properties"
LOCK_FILE="$RUN_DIR/lock"

say() { printf 'kafka: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found on PATH (Java 17 is needed to run the broker)"
}

require_maven() {
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (Maven 3.8+ is needed to fetch the broker's jars)"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" >/dev/null 2>&1
}

# The recorded pid, when that process is alive and is our broker (guards against pid reuse).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$PROPS" || return 1
  printf '%s\n' "$pid"
}

# Serialise start/stop for one port across concurrent callers (two test runs at once).
take_lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 180 9 || die "timed out waiting for $LOCK_FILE"
}

log_tail() {
  if [[ -f "$LOG_FILE" ]]; then
    say "last lines of $LOG_FILE:"
    tail -n 40 "$LOG_FILE" >&2
  fi
}

# The fetched classpath is current when its marker holds the digest of the pom it came from.
pom_digest() {
  printf '%s %s\n' "$KAFKA_VERSION" "$(sha256sum "$POM" | cut -d' ' -f1)"
}

cmd_fetch() {
  if [[ -f "$LIB_MARKER" && "$(cat "$LIB_MARKER")" == "$(pom_digest)" ]]; then
    return 0
  fi
  require_maven
  local started tmp
  started=$(date +%s)
  say "fetching Kafka $KAFKA_VERSION's jars with Maven into .kafka/lib-$KAFKA_VERSION"
  mkdir -p "$KAFKA_DIR"
  tmp="$(mktemp -d "$KAFKA_DIR/lib.tmp.XXXXXX")"
  # Maven's output is shown only on failure (quiet mode still prints stray colour codes).
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies "-Dkafka.version=$KAFKA_VERSION" \
    -DincludeScope=runtime -DoutputDirectory="$tmp" </dev/null >"$KAFKA_DIR/fetch.log" 2>&1; then
    sed -e 's/\x1b\[[0-9;]*m//g' "$KAFKA_DIR/fetch.log" | tail -n 40 >&2
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed (is Maven Central reachable?)"
  fi
  compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || {
    rm -rf "$tmp"
    die "the fetch produced no kafka_2.13 jar"
  }
  pom_digest >"$tmp/.complete"
  # Publish the folder in one step so an interrupted fetch never looks complete.
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
  say "fetched $(find "$LIB" -name '*.jar' | wc -l) jars in $(($(date +%s) - started))s"
}

render_properties() {
  mkdir -p "$RUN_DIR" "$KAFKA_DATA_DIR"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
    -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@KAFKA_DATA_DIR@|$KAFKA_DATA_DIR|g" \
    "$TEMPLATE" >"$PROPS"
}

# 16 random bytes, base64url without padding, as Kafka's Uuid.randomUuid; like Kafka we reject
# ids that start with '-', which command-line parsers take for an option.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" == -* ]] || break
  done
  printf '%s\n' "$id"
}

format_storage() {
  if [[ -f "$KAFKA_DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    "$LOGGING_OPTION" -cp "$LIB/*" \
    kafka.tools.StorageTool format -t "$(new_cluster_id)" -c "$PROPS" --ignore-formatted \
    >"$RUN_DIR/format.log" 2>&1 || {
    cat "$RUN_DIR/format.log" >&2
    die "formatting the KRaft storage in $KAFKA_DATA_DIR failed"
  }
}

wait_until_ready() {
  local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log_tail
      die "the broker exited during startup"
    fi
    # KafkaRaftServer logs this once the broker and controller accept requests.
    if grep -q 'Kafka Server started' "$LOG_FILE" 2>/dev/null && port_open "$KAFKA_PORT"; then
      return 0
    fi
    sleep 0.2
  done
  log_tail
  stop_pid "$pid"
  die "the broker was not ready after ${KAFKA_START_TIMEOUT}s; stopped it (pid $pid)"
}

# Starts the broker; the caller holds the lock and has checked that it is not running.
start_locked() {
  require_java
  if port_open "$KAFKA_PORT"; then
    die "127.0.0.1:$KAFKA_PORT is already in use by another process; choose another KAFKA_PORT"
  fi
  if port_open "$KAFKA_CONTROLLER_PORT"; then
    die "127.0.0.1:$KAFKA_CONTROLLER_PORT is already in use; choose another KAFKA_CONTROLLER_PORT"
  fi
  cmd_fetch
  if [[ "${KAFKA_FRESH:-0}" == 1 ]]; then
    rm -rf "$KAFKA_DATA_DIR"
  fi
  render_properties
  local started pid
  started=$(date +%s%N)
  format_storage
  : >"$LOG_FILE"
  # nohup and stdin from /dev/null: the broker outlives the calling shell and holds none of its
  # pipes (so `$(scripts/kafka.sh ensure)` returns) nor the lock on fd 9. A background job of a
  # script ignores SIGINT, so Ctrl-C in the caller does not take the broker down half-way; stop does.
  nohup java -Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true "$LOGGING_OPTION" \
    -cp "$LIB/*" kafka.Kafka "$PROPS" </dev/null >>"$LOG_FILE" 2>&1 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  printf '%s\n' "$KAFKA_VERSION" >"$VERSION_FILE"
  wait_until_ready "$pid"
  say "Kafka $KAFKA_VERSION ready on 127.0.0.1:$KAFKA_PORT (pid $pid, data $KAFKA_DATA_DIR) in $((($(date +%s%N) - started) / 1000000)) ms"
}

cmd_start() {
  take_lock
  local pid
  if pid="$(running_pid)"; then
    say "already running on 127.0.0.1:$KAFKA_PORT (pid $pid)"
    return 0
  fi
  start_locked
}

# The release of the broker running on KAFKA_PORT (from its run folder), or nothing.
running_version() {
  cat "$VERSION_FILE" 2>/dev/null || true
}

cmd_ensure() {
  take_lock
  local pid running
  if pid="$(running_pid)"; then
    running="$(running_version)"
    # A suite asked to run on one release must not pass on another one.
    if [[ -n "$KAFKA_VERSION_GIVEN" && "$running" != "$KAFKA_VERSION" ]]; then
      die "Kafka ${running:-of an unknown version} runs on 127.0.0.1:$KAFKA_PORT, not $KAFKA_VERSION: stop it (npm run kafka:stop) or choose another KAFKA_PORT"
    fi
    say "Kafka ${running:-?} already running on 127.0.0.1:$KAFKA_PORT (pid $pid); leaving it running"
    echo reused
  elif port_open "$KAFKA_PORT"; then
    say "something already listens on 127.0.0.1:$KAFKA_PORT; using it as the broker"
    echo reused
  else
    start_locked
    echo started
  fi
}

# SIGTERM (controlled shutdown, a few seconds), then SIGKILL after KAFKA_STOP_TIMEOUT seconds.
stop_pid() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "still running ${KAFKA_STOP_TIMEOUT}s after SIGTERM; sending SIGKILL to pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
}

cmd_stop() {
  take_lock
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    say "not running (no live broker recorded in $PID_FILE)"
    return 0
  fi
  stop_pid "$pid"
  say "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    say "running on 127.0.0.1:$KAFKA_PORT (pid $pid, log $LOG_FILE)"
    return 0
  fi
  if port_open "$KAFKA_PORT"; then
    say "not started by this script, but something listens on 127.0.0.1:$KAFKA_PORT"
  else
    say "not running"
  fi
  return 3
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  ensure) cmd_ensure ;;
  logs) cat "$LOG_FILE" ;;
  lib) printf '%s\n' "$LIB" ;;
  logging-option) printf '%s\n' "$LOGGING_OPTION" ;;
  version) printf '%s\n' "$KAFKA_VERSION" ;;
  *)
    say "usage: scripts/kafka.sh fetch|start|stop|status|ensure|logs|lib|version|logging-option"
    exit 2
    ;;
esac
