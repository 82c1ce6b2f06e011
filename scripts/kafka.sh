#!/usr/bin/env bash
# The local Apache Kafka broker (3.9.1, KRaft, one node) that tests, the demo and benchmarks use.
# The broker runs on the JVM from jars fetched from Maven Central (infra/kafka/pom.xml): no Docker.
#
#   scripts/kafka.sh fetch    copy the broker's classpath into .kafka/lib (skipped when current)
#   scripts/kafka.sh start    fetch, format the KRaft storage, start in the background, wait until ready
#   scripts/kafka.sh stop     SIGTERM the recorded pid, then SIGKILL after KAFKA_STOP_TIMEOUT seconds
#   scripts/kafka.sh status   exit 0 when our broker runs, 3 when not
#   scripts/kafka.sh ensure   start unless something already listens on KAFKA_PORT; prints on stdout
#                             one word, `started` (the caller owns it and should stop it) or `reused`
#   scripts/kafka.sh logs     print the broker's log file
#
# Environment:
#   KAFKA_PORT             client port (default 39092)
#   KAFKA_CONTROLLER_PORT  KRaft controller port (default 39093)
#   KAFKA_DATA_DIR         log.dirs (default .kafka/data-$KAFKA_PORT; relative paths are from the repo root)
#   KAFKA_FRESH=1          start/ensure: delete the data dir first (no topics left over from earlier runs)
#   KAFKA_START_TIMEOUT    seconds to wait for readiness (default 90)
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL (default 30)
#
# Messages go to stderr; only `ensure` writes to stdout. Safe to run from any directory and to repeat.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/infra/kafka/pom.xml"
TEMPLATE="$ROOT/infra/kafka/server.properties.template"
LOG4J="$ROOT/infra/kafka/log4j.properties"
KAFKA_DIR="$ROOT/.kafka"
LIB="$KAFKA_DIR/lib"
LIB_MARKER="$LIB/.complete"

KAFKA_PORT="${KAFKA_PORT:-39092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-39093}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-.kafka/data-$KAFKA_PORT}"
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
  sha256sum "$POM" | cut -d' ' -f1
}

cmd_fetch() {
  if [[ -f "$LIB_MARKER" && "$(cat "$LIB_MARKER")" == "$(pom_digest)" ]]; then
    return 0
  fi
  require_maven
  local started tmp
  started=$(date +%s)
  say "fetching the broker's jars with Maven into .kafka/lib"
  mkdir -p "$KAFKA_DIR"
  tmp="$(mktemp -d "$KAFKA_DIR/lib.tmp.XXXXXX")"
  # Maven's output is shown only on failure (quiet mode still prints stray colour codes).
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies \
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
    -Dlog4j.configuration="file:$LOG4J" -cp "$LIB/*" \
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
    -Djava.awt.headless=true -Dlog4j.configuration="file:$LOG4J" \
    -cp "$LIB/*" kafka.Kafka "$PROPS" </dev/null >>"$LOG_FILE" 2>&1 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  wait_until_ready "$pid"
  say "broker ready on 127.0.0.1:$KAFKA_PORT (pid $pid, data $KAFKA_DATA_DIR) in $((($(date +%s%N) - started) / 1000000)) ms"
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

cmd_ensure() {
  take_lock
  local pid
  if pid="$(running_pid)"; then
    say "already running on 127.0.0.1:$KAFKA_PORT (pid $pid); leaving it running"
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
  *)
    say "usage: scripts/kafka.sh fetch|start|stop|status|ensure|logs"
    exit 2
    ;;
esac
