#!/bin/sh
# Entry point of the strand/operator image: java -jar quarkus-run.jar with the image's container defaults
# (JAVA_BASE_OPTIONS) before the user's JDK_JAVA_OPTIONS, so the user's win. Arguments go to the application; a first
# argument that is not an option is run as a command instead (`docker run ... strand/operator:0.1.0 sh`).
set -eu
case "${1:-}" in
    ''|-*) ;;
    *) exec "$@" ;;
esac
java_options="${JAVA_BASE_OPTIONS:-} ${JDK_JAVA_OPTIONS:-}"
case "$java_options" in
    *[![:space:]]*) export JDK_JAVA_OPTIONS="$java_options" ;;
    *) unset JDK_JAVA_OPTIONS ;;
esac
exec java -jar /deployments/quarkus-run.jar "$@"
