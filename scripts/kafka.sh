#!/usr/bin/env bash
# The real Apache Kafka broker (KRaft, one node) on loopback, for tests and local use.
#   scripts/kafka.sh start | stop | status
# Artifacts come from Maven Central through deploy/kafka/pom.xml and stay in Maven's cache;
# the broker's state lives under $LUOHU_KAFKA_HOME (default ~/.cache/luohu/kafka), not the repo.
# With LUOHU_KAFKA_SECURE=1 (scripts/kafka-secure.sh) it is secured as compose's broker is:
# clients reach SASL_SSL with SCRAM-SHA-512 only, the StandardAuthorizer applies the ACLs, and
# a loopback PLAINTEXT listener (inter-broker, `luohu topics grant`) is the super user. Its
# certificate, its CA and its data are new at every start.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
home=${LUOHU_KAFKA_HOME:-$HOME/.cache/luohu/kafka}
port=${LUOHU_KAFKA_PORT:-9092}
controller_port=${LUOHU_KAFKA_CONTROLLER_PORT:-9093}
secure=${LUOHU_KAFKA_SECURE:-}
internal_port=${LUOHU_KAFKA_INTERNAL_PORT:-9094} # secure only: the super users' listener
tls="$home/tls"
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

listener_config() {
  if [[ -z "$secure" ]]; then
    cat <<PROPS
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
PROPS
    return
  fi
  local password; password=$(cat "$tls/private/broker.password")
  # The certificate names localhost (deploy/kafka/compose-tls.sh): clients check it.
  cat <<PROPS
listeners=SASL_SSL://127.0.0.1:$port,INTERNAL://127.0.0.1:$internal_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=SASL_SSL://localhost:$port,INTERNAL://127.0.0.1:$internal_port
listener.security.protocol.map=SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls/private/broker.p12
ssl.keystore.password=$password
ssl.key.password=$password
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:ANONYMOUS
PROPS
}

# A throwaway CA and the broker's certificate, made the way compose makes them.
make_tls() {
  rm -rf "$tls"
  LUOHU_KAFKA_TLS_DIR="$tls" LUOHU_KAFKA_TLS_HOSTNAME=localhost LUOHU_KAFKA_TLS_DAYS=2 \
    bash "$repo/deploy/kafka/compose-tls.sh" >/dev/null
}

write_config() {
  local file="$home/server.properties"
  cat > "$file" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
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
  chmod 600 "$file" # the secure broker's holds its keystore's password
  listener_config >> "$file"
}

running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

start() {
  if running; then echo "kafka: already running (pid $(cat "$pidfile"))"; return; fi
  if listening; then echo "kafka: something already listens on 127.0.0.1:$port"; return; fi
  local cp; cp=$(classpath)
  if [[ -n "$secure" ]]; then make_tls; rm -rf "$home/data"; fi
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
