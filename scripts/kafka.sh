#!/usr/bin/env bash
# The real Apache Kafka broker (KRaft, one node) on loopback, for tests and local use.
#   scripts/kafka.sh start | stop | status
# Artifacts come from Maven Central through deploy/kafka/pom.xml and stay in Maven's cache;
# the broker's state lives under $LUOHU_KAFKA_HOME (default ~/.cache/luohu/kafka), not the repo.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
home=${LUOHU_KAFKA_HOME:-$HOME/.cache/luohu/kafka}
port=${LUOHU_KAFKA_PORT:-9092}
controller_port=${LUOHU_KAFKA_CONTROLLER_PORT:-9093}
pom="$repo/deploy/kafka/pom.xml"
pidfile="$home/broker.pid"
mkdir -p "$home"

classpath() {
  local cp="$home/classpath.txt" stamp="$home/classpath.pom"
  if [[ ! -s "$cp" ]] || ! cmp -s "$pom" "$stamp"; then
    mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$cp" >&2
    cp "$pom" "$stamp"
  fi
  cat "$cp"
}

write_config() {
  cat > "$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$home/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
}

running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

start() {
  if running; then echo "kafka: already running (pid $(cat "$pidfile"))"; return; fi
  if listening; then echo "kafka: something already listens on 127.0.0.1:$port"; return; fi
  local cp; cp=$(classpath)
  write_config
  local java=(java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true
              -Dlog4j2.configurationFile="$repo/deploy/kafka/log4j2.yaml" -cp "$cp")
  if [[ ! -f "$home/data/meta.properties" ]]; then
    "${java[@]}" kafka.tools.StorageTool format --config "$home/server.properties" \
      --cluster-id "$("${java[@]}" kafka.tools.StorageTool random-uuid)" --ignore-formatted >/dev/null
  fi
  nohup "${java[@]}" kafka.Kafka "$home/server.properties" >"$home/broker.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if listening; then echo "kafka: ready on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return; fi
    running || { tail -30 "$home/broker.log" >&2; echo "kafka: broker exited" >&2; exit 1; }
    sleep 0.5
  done
  tail -30 "$home/broker.log" >&2
  echo "kafka: not ready after 60 s" >&2
  exit 1
}

stop() {
  if ! running; then echo "kafka: not running"; rm -f "$pidfile"; return; fi
  local pid; pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$pidfile"
  echo "kafka: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "kafka: running (pid $(cat "$pidfile"))"; else echo "kafka: stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
