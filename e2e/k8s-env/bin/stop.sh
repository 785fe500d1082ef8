#!/usr/bin/env bash
# Stops the test control plane started by start.sh, by the pids it recorded, and removes its state directory
# (certificates, etcd data, volumes) unless --keep is given.
#   e2e/k8s-env/bin/stop.sh [STATE_DIR] [--keep]
set -uo pipefail
STATE=${STRAND_K8S_STATE:-/tmp/strand-k8s-env}; KEEP=false
for a in "$@"; do case $a in --keep) KEEP=true ;; *) STATE=$a ;; esac; done
[ -d "$STATE/pids" ] || { echo "k8s-env: nothing to stop in $STATE" >&2; exit 0; }
pids=()
# clients first, etcd last, so nothing logs a storm of connection errors on the way down
for name in strand-provisioner kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  f=$STATE/pids/$name.pid
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null; pids+=("$pid"); fi
done
for _ in $(seq 1 50); do
  alive=()
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] && break
  sleep 0.2
done
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done
if $KEEP; then rm -rf "$STATE/pids"; echo "k8s-env: stopped; state kept in $STATE" >&2
else rm -rf "$STATE"; echo "k8s-env: stopped" >&2; fi
