#!/bin/sh
# Minimal stand-in for the ubi9 openjdk images' /opt/jboss/container/java/run/run-java.sh, so that
# <svc>/src/main/docker/Dockerfile.jvm runs unchanged on the locally built Debian base.
# Honours what the Dockerfiles set: JAVA_APP_JAR, JAVA_APP_DIR, JAVA_OPTS, JAVA_OPTS_APPEND, and
# JAVA_MAX_MEM_RATIO / JAVA_INITIAL_MEM_RATIO (percent of the container memory limit, ubi defaults).
# It does not implement ubi's debug, proxy, agent or classpath options.
set -e
cd "${JAVA_APP_DIR:-/deployments}"
jar="${JAVA_APP_JAR:-/deployments/quarkus-run.jar}"
[ -f "$jar" ] || { echo "run-java.sh: JAVA_APP_JAR $jar not found" >&2; exit 1; }
# shellcheck disable=SC2086
exec java \
  -XX:MaxRAMPercentage="${JAVA_MAX_MEM_RATIO:-80}" \
  -XX:InitialRAMPercentage="${JAVA_INITIAL_MEM_RATIO:-25}" \
  -XX:+ExitOnOutOfMemoryError \
  ${JAVA_OPTS:-} ${JAVA_OPTS_APPEND:-} \
  -jar "$jar" "$@"
