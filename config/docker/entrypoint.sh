#!/bin/sh
# Entrypoint of the debshrew image: java is exec'd (PID 1, receives docker stop's SIGTERM) with the
# options of $JAVA_OPTS (split on blanks), then the container's arguments (default: run --config ...).
# DEBSHREW_JAR names another jar (default: the image's).
set -e
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar "${DEBSHREW_JAR:-/opt/debshrew/debshrew.jar}" "$@"
