#!/bin/sh
# Entry point of the strand/broker image: `docker run strand/broker [--config FILE] [--override KEY=VALUE]...` runs
# `java -jar strand-broker.jar` with the same arguments. Any other first argument is run as a command (`... sh`).
#
# It fills in what a broker in a StatefulSet can work out for itself, only when nothing else sets it (the STRAND_*
# variable, the --config file or an --override):
#   node.id               from the hostname's ordinal suffix: strand-broker-2 -> 2
#   advertised.listeners  in Kubernetes (KUBERNETES_SERVICE_HOST is set), from the pod's DNS name
#                         (`hostname -f`, e.g. strand-broker-2.strand-brokers.default.svc.cluster.local) and the
#                         port of `listeners`
# Outside Kubernetes with no configuration at all it is `java -jar`: node id 1, listening on 9092 and advertising
# localhost:9092, data in ./data (= /var/lib/strand/data).
#
# JVM options: the image's class-data-sharing archive (if present) and JAVA_BASE_OPTIONS (the image's container
# defaults) come first, then JDK_JAVA_OPTIONS (the user's, e.g. -Xms/-Xmx from the operator), so the user's win.
# ENTRYPOINT_QUIET=true silences this script's notes. (Not STRAND_*: the broker reads every STRAND_* as a key.)
set -eu

JAR=${BROKER_JAR:-/opt/strand/strand-broker.jar}

note() {
    [ "${ENTRYPOINT_QUIET:-}" = true ] || echo "entrypoint: $*" >&2
}

case "${1:-}" in
    ''|-*) ;;
    *) exec "$@" ;;
esac

# --- what the command line sets: the config file and the keys of --override
config_file=""
override_keys=" "
override_listeners=""
prev=""
for arg in "$@"; do
    case "$prev" in
        -c|--config) config_file=$arg ;;
        -o|--override) override_keys="$override_keys${arg%%=*} "
                       [ "${arg%%=*}" = listeners ] && override_listeners=${arg#*=} ;;
    esac
    case "$arg" in
        --config=*) config_file=${arg#--config=} ;;
        --override=*) kv=${arg#--override=}; override_keys="$override_keys${kv%%=*} "
                      [ "${kv%%=*}" = listeners ] && override_listeners=${kv#*=} ;;
    esac
    prev=$arg
done

# is_set KEY ENV_VALUE: whether KEY is configured by the environment, an --override or the config file
is_set() {
    [ -n "$2" ] && return 0
    case "$override_keys" in *" $1 "*) return 0 ;; esac
    [ -n "$config_file" ] && [ -r "$config_file" ] && file_value "$1" >/dev/null && return 0
    return 1
}

# file_value KEY: the value of KEY in the config file (properties: key=value, key:value or key value)
file_value() {
    key_re=$(printf '%s' "$1" | sed 's/\./\\./g')
    line=$(grep -E "^[[:space:]]*$key_re([[:space:]]*[=:]|[[:space:]])" "$config_file" 2>/dev/null | tail -n 1) || return 1
    [ -n "$line" ] || return 1
    printf '%s\n' "$line" | sed -E "s/^[[:space:]]*$key_re[[:space:]]*[=:]?[[:space:]]*//"
}

# --- node.id from the StatefulSet ordinal (an empty STRAND_NODE_ID, e.g. from a missing pod label, counts as unset)
[ -n "${STRAND_NODE_ID:-}" ] || unset STRAND_NODE_ID
if ! is_set node.id "${STRAND_NODE_ID:-}"; then
    host=$(hostname 2>/dev/null || echo "${HOSTNAME:-}")
    ordinal=${host##*-}
    case "$ordinal" in
        ''|*[!0-9]*) ;;
        *)
            if [ "$ordinal" != "$host" ]; then
                while [ "${#ordinal}" -gt 1 ] && [ "${ordinal#0}" != "$ordinal" ]; do ordinal=${ordinal#0}; done
                export STRAND_NODE_ID="$ordinal"
                note "node.id=$ordinal (from the hostname $host)"
            fi ;;
    esac
fi

# --- advertised.listeners from the pod's DNS name, in Kubernetes only (elsewhere the broker's default stands)
[ -n "${STRAND_ADVERTISED_LISTENERS:-}" ] || unset STRAND_ADVERTISED_LISTENERS
if [ -n "${KUBERNETES_SERVICE_HOST:-}" ] && ! is_set advertised.listeners "${STRAND_ADVERTISED_LISTENERS:-}"; then
    fqdn=$(hostname -f 2>/dev/null || true)
    case "$fqdn" in
        *.*)
            listeners=${override_listeners:-${STRAND_LISTENERS:-}}
            if [ -z "$listeners" ] && [ -n "$config_file" ] && [ -r "$config_file" ]; then
                listeners=$(file_value listeners || true)
            fi
            port=${listeners##*:}
            case "$port" in ''|*[!0-9]*) port=9092 ;; esac
            export STRAND_ADVERTISED_LISTENERS="PLAINTEXT://$fqdn:$port"
            note "advertised.listeners=$STRAND_ADVERTISED_LISTENERS (from hostname -f)" ;;
        *) note "hostname -f gives no DNS name ('$fqdn'); advertised.listeners keeps the broker's default" ;;
    esac
fi

# --- the data directory must be writable by this user (a volume needs fsGroup or a matching owner)
if [ -d /var/lib/strand ] && [ ! -w /var/lib/strand ]; then
    note "WARNING: /var/lib/strand is not writable by uid $(id -u) (gid $(id -g)); in Kubernetes give the pod securityContext.fsGroup: $(id -u), elsewhere make the volume writable by that uid"
fi

java_options="${JAVA_BASE_OPTIONS:-} ${JDK_JAVA_OPTIONS:-}"
case "$java_options" in
    *[![:space:]]*) export JDK_JAVA_OPTIONS="$java_options" ;;
    *) unset JDK_JAVA_OPTIONS ;;
esac
# the class-data-sharing archive written at image build time (write-cds-archive.sh): a third less CPU at start
if [ -r "${JAR%.jar}.jsa" ]; then
    exec java "-XX:SharedArchiveFile=${JAR%.jar}.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$JAR" "$@"
fi
exec java -jar "$JAR" "$@"
