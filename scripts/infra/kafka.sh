#!/usr/bin/env bash
# Starts (or stops, with `down`) a single-node Apache Kafka broker in KRaft mode on 127.0.0.1,
# assembled from Maven Central jars cached under $CACHE_DIR. Idempotent: a running broker is
# reused. Skipped when KAFKA_BROKERS is already set by the caller.
source "$(dirname "$0")/common.sh"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "${REPO_ROOT}/scripts/infra/kafka/pom.xml")"
KAFKA_PORT="${INFRA_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${INFRA_KAFKA_CONTROLLER_PORT:-19093}"
LIBS="${CACHE_DIR}/kafka-${KAFKA_VERSION}/libs"
DATA="${INFRA_DIR}/kafka"
LOG="${INFRA_DIR}/kafka.log"

if [ "${1:-up}" = "down" ]; then
  stop_recorded kafka
  exit 0
fi

if [ -n "${KAFKA_BROKERS:-}" ] && [ "${INFRA_STARTED_KAFKA:-}" != "1" ]; then
  say "KAFKA_BROKERS is set (${KAFKA_BROKERS}); using that broker"
  record_env KAFKA_BROKERS "${KAFKA_BROKERS}"
  exit 0
fi

if [ ! -f "${LIBS}/.complete" ]; then
  say "fetching Kafka ${KAFKA_VERSION} jars from Maven Central into ${LIBS}"
  mkdir -p "${LIBS}"
  mvn -q -B -f "${REPO_ROOT}/scripts/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="${LIBS}"
  touch "${LIBS}/.complete"
fi

if running kafka && port_open "${KAFKA_PORT}"; then
  say "Kafka already running on 127.0.0.1:${KAFKA_PORT}"
else
  mkdir -p "${DATA}/logs"
  cat > "${DATA}/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${CONTROLLER_PORT}
listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORT},CONTROLLER://127.0.0.1:${CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORT}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${DATA}/logs
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=2
message.max.bytes=8388608
replica.fetch.max.bytes=8388608
PROPS
  cat > "${DATA}/log4j.properties" <<'PROPS'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
PROPS
  JAVA_OPTS=(-Xms256m -Xmx512m -XX:+UseSerialGC -Djava.awt.headless=true "-Dlog4j.configuration=file:${DATA}/log4j.properties")
  if [ ! -f "${DATA}/logs/meta.properties" ]; then
    cluster_id="$(java -cp "${LIBS}/*" "${JAVA_OPTS[@]}" kafka.tools.StorageTool random-uuid)"
    say "formatting KRaft storage (cluster ${cluster_id})"
    java -cp "${LIBS}/*" "${JAVA_OPTS[@]}" kafka.tools.StorageTool format -t "${cluster_id}" -c "${DATA}/server.properties" --ignore-formatted > /dev/null
  fi
  say "starting Kafka ${KAFKA_VERSION} on 127.0.0.1:${KAFKA_PORT} (log: ${LOG})"
  nohup java -cp "${LIBS}/*" "${JAVA_OPTS[@]}" kafka.Kafka "${DATA}/server.properties" > "${LOG}" 2>&1 &
  echo $! > "${INFRA_DIR}/kafka.pid"
  wait_for_port "${KAFKA_PORT}" 90 "${LOG}"
fi

say "waiting until the broker answers metadata requests"
KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT}" node "${REPO_ROOT}/scripts/infra/wait-for-kafka.mjs"
record_env KAFKA_BROKERS "127.0.0.1:${KAFKA_PORT}"
