#!/usr/bin/env bash
# Side-by-side benchmark: Apache Kafka 4.3.1 (single-node KRaft, from Maven Central jars) vs the Strand broker jar.
#
# usage: broker-image/bench/run.sh [options]        (from the repo root; everything runs on 127.0.0.1)
#   --rounds N         interleaved rounds: Kafka, Strand, Kafka, Strand, ... (default 2)
#   --records N        ProducerPerformance / ConsumerPerformance records (default 1000000)
#   --record-size B    record size in bytes (default 1024)
#   --e2e-records N    EndToEndLatency records (default 10000)
#   --partitions P     partitions of the pre-created topics (default 1)
#   --heap SIZE        -Xms/-Xmx for BOTH brokers (default 1g, Kafka's kafka-server-start.sh default)
#   --only kafka|strand  run one broker only
#   --strand-jar JAR   default broker-image/target/strand-broker.jar (build: mvn -B -DskipTests package)
#   --work DIR         default bench-work (Kafka jars in DIR/kafka-lib, logs in DIR/logs)
#   --out FILE         markdown results (default DIR/results.md)
#
# Kafka's jars come from broker-image/bench/pom.xml (fetched on first use with
# `mvn -B -f broker-image/bench/pom.xml dependency:copy-dependencies`). Each broker is started fresh, on new free
# ports and a new temp data dir, for each round. Per broker run: startup time (process start -> a Metadata request
# answered), topics created with org.apache.kafka.tools.TopicCommand, ProducerPerformance acks=1 and acks=all,
# ConsumerPerformance (uses a consumer group: n/a when the broker cannot serve it), EndToEndLatency acks=1, broker
# CPU-seconds per GB moved (utime+stime from /proc/PID/stat) and VmRSS/VmHWM after the workloads.
# See docs/benchmarks.md.
set -Eeuo pipefail
trap 'echo "[bench] FAILED: line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_DIR="$ROOT/broker-image/bench"
ROUNDS=2 RECORDS=1000000 RECORD_SIZE=1024 E2E_RECORDS=10000 JOIN_RECORDS=20000 PARTITIONS=1 HEAP=1g ONLY=""
STRAND_JAR="$ROOT/broker-image/target/strand-broker.jar"
WORK="$ROOT/bench-work" OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --records) RECORDS=$2; shift 2 ;;
    --record-size) RECORD_SIZE=$2; shift 2 ;;
    --e2e-records) E2E_RECORDS=$2; shift 2 ;;
    --partitions) PARTITIONS=$2; shift 2 ;;
    --heap) HEAP=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --strand-jar) STRAND_JAR=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
OUT=${OUT:-$WORK/results.md}
LIB="$WORK/kafka-lib"
LOGS="$WORK/logs"
RESULTS="$WORK/results.tsv"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
mkdir -p "$LOGS"
: > "$RESULTS"

# Same JVM settings for both brokers: Kafka's kafka-server-start.sh / kafka-run-class.sh defaults.
JVM_OPTS=(-Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
          -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true)
TOOL=(java -Xmx1g -cp "$LIB/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
CLK_TCK=$(getconf CLK_TCK)

PIDS=()
TMPDIRS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  for d in "${TMPDIRS[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RESULTS"; }   # broker round metric value

if [ ! -f "$LIB/kafka_2.13-4.3.1.jar" ] || [ ! -f "$LIB/kafka-tools-4.3.1.jar" ]; then
  log "fetching Apache Kafka 4.3.1 jars into $LIB"
  mvn -B -q -f "$BENCH_DIR/pom.xml" dependency:copy-dependencies -Dkafka.lib.dir="$LIB" </dev/null
  [ -f "$LIB/kafka_2.13-4.3.1.jar" ] || { echo "Kafka jars missing in $LIB after mvn dependency:copy-dependencies" >&2; exit 1; }
fi
if [ "$ONLY" != kafka ] && [ ! -f "$STRAND_JAR" ]; then
  echo "Strand jar not found at $STRAND_JAR: build it with mvn -B -DskipTests package (or use --only kafka)" >&2
  exit 1
fi

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
now_ms() { date +%s%3N; }
cpu_ticks() { # utime+stime of PID (fields 14 and 15 of /proc/PID/stat, counted after the ")" of comm)
  sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# wait_ready PID PORT: polls with a Metadata request until it succeeds; prints ms since $START_MS; 90 s limit.
wait_ready() {
  local pid=$1 port=$2 deadline=$(( $(now_ms) + 90000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || { log "broker process $pid exited during startup"; return 1; }
    if "$PY" "$BENCH_DIR/metadata_probe.py" 127.0.0.1 "$port"; then
      echo $(( $(now_ms) - START_MS )); return 0
    fi
    sleep 0.05
  done
  log "broker on $port not ready within 90 s"; return 1
}

start_kafka() { # sets BROKER_PID, PORT, DATA
  local ctrl; PORT=$(free_port); ctrl=$(free_port)
  while [ "$ctrl" = "$PORT" ]; do ctrl=$(free_port); done
  DATA=$(mktemp -d /tmp/strand-bench-kafka.XXXXXX); TMPDIRS+=("$DATA")
  cat > "$DATA/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$ctrl
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$ctrl
log.dirs=$DATA/data
num.partitions=$PARTITIONS
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  local id; id=$(java -cp "$LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  java -cp "$LIB/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn kafka.tools.StorageTool format \
    --cluster-id "$id" --standalone --config "$DATA/server.properties" > "$LOGS/kafka-format.log" 2>&1
  START_MS=$(now_ms)
  java "${JVM_OPTS[@]}" -cp "$LIB/*" kafka.Kafka "$DATA/server.properties" > "$BROKER_LOG" 2>&1 &
  BROKER_PID=$!; PIDS+=("$BROKER_PID")
}

start_strand() { # sets BROKER_PID, PORT, DATA
  PORT=$(free_port)
  DATA=$(mktemp -d /tmp/strand-bench-strand.XXXXXX); TMPDIRS+=("$DATA")
  START_MS=$(now_ms)
  STRAND_JAR="$STRAND_JAR" JAVA_OPTS="${JVM_OPTS[*]}" "$ROOT/broker-image/bin/strand-broker" \
    --override "listeners=PLAINTEXT://127.0.0.1:$PORT" --override "advertised.listeners=PLAINTEXT://127.0.0.1:$PORT" \
    --override "log.dirs=$DATA/data" --override node.id=1 --override metrics.port=0 \
    --override "num.partitions=$PARTITIONS" --override auto.create.topics.enable=true \
    --override group.initial.rebalance.delay.ms=0 > "$BROKER_LOG" 2>&1 &
  BROKER_PID=$!; PIDS+=("$BROKER_PID")
}

stop_broker() {
  kill "$BROKER_PID" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$BROKER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$BROKER_PID" 2>/dev/null || true
  wait "$BROKER_PID" 2>/dev/null || true
  rm -rf "$DATA"
}

# cpu_per_gb NAME TICKS_BEFORE BYTES: records broker CPU-seconds and CPU-seconds per GB for one workload
cpu_per_gb() {
  local after; after=$(cpu_ticks "$BROKER_PID")
  local s; s=$(awk -v a="$after" -v b="$2" -v t="$CLK_TCK" 'BEGIN {printf "%.2f", (a - b) / t}')
  record "$B" "$R" "$1.cpu_s" "$s"
  record "$B" "$R" "$1.cpu_s_per_gb" "$(awk -v s="$s" -v by="$3" 'BEGIN {printf "%.2f", s / (by / 1e9)}')"
}

run_producer() { # run_producer ACKS TOPIC
  local acks=$1 topic=$2 name="produce_acks_$1" out="$LOGS/$B-r$R-producer-acks$1.log" before
  before=$(cpu_ticks "$BROKER_PID")
  if timeout 900 "${TOOL[@]}" org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$RECORDS" \
      --record-size "$RECORD_SIZE" --throughput -1 --producer-props "bootstrap.servers=127.0.0.1:$PORT" "acks=$acks" \
      > "$out" 2>&1 && grep -q "^$RECORDS records sent" "$out"; then
    cpu_per_gb "$name" "$before" $(( RECORDS * RECORD_SIZE ))
    # 1000000 records sent, 8858.18 records/sec (8.65 MB/sec), 3135.75 ms avg latency, 5791.00 ms max latency,
    # 2916 ms 50th, 5551 ms 95th, 5643 ms 99th, 5776 ms 99.9th.
    local line; line=$(grep "^$RECORDS records sent" "$out" | tail -1)
    record "$B" "$R" "$name.records_per_s" "$(sed -E 's/.* sent, ([0-9.]+) records\/sec.*/\1/' <<< "$line")"
    record "$B" "$R" "$name.mb_per_s" "$(sed -E 's/.*\(([0-9.]+) MB\/sec\).*/\1/' <<< "$line")"
    record "$B" "$R" "$name.avg_ms" "$(sed -E 's/.* ([0-9.]+) ms avg latency.*/\1/' <<< "$line")"
    record "$B" "$R" "$name.p50_ms" "$(sed -E 's/.* ([0-9.]+) ms 50th.*/\1/' <<< "$line")"
    record "$B" "$R" "$name.p99_ms" "$(sed -E 's/.* ([0-9.]+) ms 99th.*/\1/' <<< "$line")"
    log "$B round $R acks=$acks: $line"
  else
    log "$B round $R: ProducerPerformance acks=$acks FAILED (see $out)"; tail -5 "$out" >&2 || true
    record "$B" "$R" "$name.records_per_s" "n/a"
  fi
}

run_consumer() {
  local topic=$1 out="$LOGS/$B-r$R-consumer.log" before
  before=$(cpu_ticks "$BROKER_PID")
  if timeout 600 "${TOOL[@]}" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "127.0.0.1:$PORT" \
      --topic "$topic" --num-records "$RECORDS" --timeout 60000 --group "strand-bench-$R-$RANDOM" > "$out" 2>&1; then
    # start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, ...
    local line; line=$(grep -E '^[0-9]{4}-' "$out" | tail -1 || true)
    local n; n=$(awk -F', ' '{print $5}' <<< "$line")
    if [ -n "$line" ] && [ "${n:-0}" -ge "$RECORDS" ]; then
      cpu_per_gb consume "$before" $(( RECORDS * RECORD_SIZE ))
      record "$B" "$R" consume.mb_per_s "$(awk -F', ' '{print $4}' <<< "$line")"
      record "$B" "$R" consume.msg_per_s "$(awk -F', ' '{print $6}' <<< "$line")"
      record "$B" "$R" consume.rebalance_ms "$(awk -F', ' '{print $7}' <<< "$line")"
      log "$B round $R consumer: $line"
      return
    fi
  fi
  log "$B round $R: ConsumerPerformance failed or consumed too little (consumer groups?): n/a (see $out)"
  tail -3 "$out" >&2 || true
  record "$B" "$R" consume.mb_per_s "n/a"
}

# run_group_join TOPIC: two ConsumerPerformance members join one new group at once on a 2-partition topic; the
# slower member's reported rebalance time is the group's join time (issue: "rebalance time for a 2-member group join").
run_group_join() {
  local topic=$1 group="strand-join-$R-$RANDOM" half=$(( JOIN_RECORDS / 2 )) pids=() i
  timeout 300 "${TOOL[@]}" org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$JOIN_RECORDS" \
    --record-size 100 --throughput -1 --producer-props "bootstrap.servers=127.0.0.1:$PORT" acks=1 > "$LOGS/$B-r$R-join-produce.log" 2>&1 || true
  for i in 1 2; do
    timeout 120 "${TOOL[@]}" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "127.0.0.1:$PORT" \
      --topic "$topic" --num-records "$half" --timeout 30000 --group "$group" > "$LOGS/$B-r$R-join-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
  local worst=-1 ms
  for i in 1 2; do
    ms=$(grep -E '^[0-9]{4}-' "$LOGS/$B-r$R-join-$i.log" | tail -1 | awk -F', ' '{print $7}')
    if [ -z "$ms" ]; then record "$B" "$R" group_join2.rebalance_ms "n/a"; log "$B round $R: 2-member join failed (see $LOGS/$B-r$R-join-$i.log)"; return; fi
    [ "$ms" -gt "$worst" ] && worst=$ms
  done
  record "$B" "$R" group_join2.rebalance_ms "$worst"
  log "$B round $R 2-member group join: $worst ms"
}

run_e2e() {
  local topic=$1 out="$LOGS/$B-r$R-e2e.log"
  local rc=0
  timeout 600 "${TOOL[@]}" org.apache.kafka.tools.EndToEndLatency --bootstrap-server "127.0.0.1:$PORT" \
      --topic "$topic" --num-records "$E2E_RECORDS" --producer-acks 1 --record-size "$RECORD_SIZE" > "$out" 2>&1 || rc=$?
  # the tool prints its results before closing its consumer, which may still fail (e.g. no FindCoordinator): keep them
  [ "$rc" = 0 ] || log "$B round $R: EndToEndLatency exited $rc after its run (see $out): $(grep -m1 -iE 'exception|error' "$out" || true)"
  if grep -q '^Avg latency' "$out"; then
    # Avg latency: 5.5146 ms / Percentiles: 50th = 3, 99th = 26, 99.9th = 86
    record "$B" "$R" e2e.avg_ms "$(sed -nE 's/^Avg latency: ([0-9.]+) ms.*/\1/p' "$out")"
    local p; p=$(grep '^Percentiles' "$out")
    record "$B" "$R" e2e.p50_ms "$(sed -E 's/.*50th = ([0-9.]+).*/\1/' <<< "$p")"
    record "$B" "$R" e2e.p99_ms "$(sed -E 's/.* 99th = ([0-9.]+).*/\1/' <<< "$p")"
    record "$B" "$R" e2e.p999_ms "$(sed -E 's/.*99\.9th = ([0-9.]+).*/\1/' <<< "$p")"
    log "$B round $R e2e: $(grep -E '^(Avg|Percentiles)' "$out" | tr '\n' ' ')"
  else
    log "$B round $R: EndToEndLatency FAILED (see $out)"; tail -5 "$out" >&2 || true
    record "$B" "$R" e2e.avg_ms "n/a"
  fi
}

create_topic() {
  timeout 120 "${TOOL[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$PORT" --create \
    --topic "$1" --partitions "${2:-$PARTITIONS}" --replication-factor 1 >> "$LOGS/$B-r$R-topics.log" 2>&1
}

run_broker() { # run_broker kafka|strand ROUND
  B=$1 R=$2
  BROKER_LOG="$LOGS/$B-r$R-broker.log"
  log "=== round $R: $B"
  "start_$B"
  local ms
  if ! ms=$(wait_ready "$BROKER_PID" "$PORT"); then
    tail -20 "$BROKER_LOG" >&2 || true
    record "$B" "$R" startup_ms "n/a"; stop_broker; return 0
  fi
  record "$B" "$R" startup_ms "$ms"
  log "$B ready on 127.0.0.1:$PORT after $ms ms (pid $BROKER_PID)"
  if ! { create_topic bench-acks1 && create_topic bench-acksall && create_topic bench-e2e && create_topic bench-join 2; }; then
    log "$B: TopicCommand --create failed (see $LOGS/$B-r$R-topics.log)"; tail -5 "$LOGS/$B-r$R-topics.log" >&2 || true
  fi
  run_producer 1 bench-acks1
  run_producer all bench-acksall
  run_consumer bench-acks1
  run_group_join bench-join
  run_e2e bench-e2e
  record "$B" "$R" rss_mb "$(( $(status_kb "$BROKER_PID" VmRSS) / 1024 ))"
  record "$B" "$R" hwm_mb "$(( $(status_kb "$BROKER_PID" VmHWM) / 1024 ))"
  record "$B" "$R" total_cpu_s "$(awk -v a="$(cpu_ticks "$BROKER_PID")" -v t="$CLK_TCK" 'BEGIN {printf "%.2f", a / t}')"
  stop_broker
}

log "rounds=$ROUNDS records=$RECORDS x ${RECORD_SIZE}B e2e=$E2E_RECORDS partitions=$PARTITIONS heap=$HEAP cores=$(nproc)"
if [ "$ONLY" != kafka ]; then
  # Strand is run through bin/strand-broker, which writes its class-data-sharing archive when a broker without one
  # exits: one untimed start/stop first, so every measured round starts the way a user's second start does.
  log "strand: writing the class-data-sharing archive (untimed)"
  BROKER_LOG="$LOGS/strand-cds-training.log"
  start_strand; wait_ready "$BROKER_PID" "$PORT" >/dev/null || true; stop_broker
fi
for r in $(seq 1 "$ROUNDS"); do
  [ "$ONLY" = strand ] || run_broker kafka "$r"
  [ "$ONLY" = kafka ] || run_broker strand "$r"
done

"$PY" - "$RESULTS" "$OUT" "rounds=$ROUNDS, records=$RECORDS x ${RECORD_SIZE} B, e2e records=$E2E_RECORDS, partitions=$PARTITIONS, heap=$HEAP, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)" <<'PY'
import sys
from collections import OrderedDict
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
metrics = OrderedDict()
for broker, rnd, metric, value in rows:
    metrics.setdefault(metric, {}).setdefault(broker, []).append(value)
LOWER = ("_ms", "cpu_s", "cpu_s_per_gb", "rss_mb", "hwm_mb")
def mean(vals):
    nums = [float(v) for v in vals if v not in ("n/a", "")]
    return (sum(nums) / len(nums), len(nums)) if nums else (None, 0)
def fmt(x):
    return "n/a" if x is None else ("%.0f" % x if abs(x) >= 1000 else "%.2f" % x)
lines = ["# Strand vs Apache Kafka 4.3.1", "", sys.argv[3], "",
         "| metric | better | Kafka (mean) | Strand (mean) | Strand/Kafka | Kafka per round | Strand per round |",
         "|---|---|---|---|---|---|---|"]
for metric, by in metrics.items():
    k, _ = mean(by.get("kafka", []))
    s, _ = mean(by.get("strand", []))
    ratio = "%.2f" % (s / k) if k and s is not None else "n/a"
    better = "lower" if metric.endswith(LOWER) else "higher"
    lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (metric, better, fmt(k), fmt(s), ratio,
                 " / ".join(by.get("kafka", [])) or "-", " / ".join(by.get("strand", [])) or "-"))
text = "\n".join(lines) + "\n"
open(sys.argv[2], "w").write(text)
print(text)
PY
log "results: $OUT (raw: $RESULTS, logs: $LOGS)"
