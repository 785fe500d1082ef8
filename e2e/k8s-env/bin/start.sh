#!/usr/bin/env bash
# Starts the test control plane on 127.0.0.1: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# KWOK (fake nodes and pod lifecycle) and strand-provisioner (a default StorageClass whose claims bind).
#
#   e2e/k8s-env/bin/start.sh [STATE_DIR]        default STATE_DIR: $STRAND_K8S_STATE or /tmp/strand-k8s-env
#   export KUBECONFIG=STATE_DIR/kubeconfig
#   e2e/k8s-env/bin/stop.sh [STATE_DIR]
#
# STRAND_K8S_BIN selects prebuilt binaries; otherwise bin/build.sh builds or reuses the cached ones.
# STRAND_K8S_NODES (default 3) fake nodes kwok-node-0.., in zones zone-a, zone-b, zone-c in turn.
# Every process listens on 127.0.0.1 only, on free ports; certificates are generated per start.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
STATE=${1:-${STRAND_K8S_STATE:-/tmp/strand-k8s-env}}
NODES=${STRAND_K8S_NODES:-3}
BIN=${STRAND_K8S_BIN:-$("$HERE/bin/build.sh" | tail -n 1)}
T0=$(date +%s%N)
log() { echo "k8s-env: $*" >&2; }
elapsed() { echo "$(( ($(date +%s%N) - T0) / 1000000 )) ms"; }

if [ -d "$STATE/pids" ]; then
  for f in "$STATE"/pids/*.pid; do
    [ -e "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && { log "already running from $STATE (stop it with stop.sh)"; exit 1; }
  done
fi
rm -rf "$STATE"; mkdir -p "$STATE"/{pki,pids,logs,etcd,volumes}
PKI=$STATE/pki

# Six distinct free ports below the ephemeral range (32768+): a port found with bind(0) comes from that range, and
# etcd's and the API server's own outbound connections could be given it before the component meant for it binds.
read -r ETCD_PORT ETCD_PEER_PORT API_PORT KCM_PORT SCHED_PORT KWOK_PORT < <(python3 - <<'PY'
import random, socket
ports = []
while len(ports) < 6:
    port = random.randint(20000, 31999)
    if port in ports:
        continue
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        ports.append(port)
    except OSError:
        pass
    finally:
        s.close()
print(*ports)
PY
)

# --- certificates: a CA, the API server's serving certificate, one system:masters client, the SA signing key
openssl_quiet() { openssl "$@" 2>/dev/null; }
openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=strand-k8s-ca" \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt"
cat > "$PKI/apiserver.ext" <<EXT
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth
EXT
openssl_quiet req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr"
openssl_quiet x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 30 \
  -extfile "$PKI/apiserver.ext" -out "$PKI/apiserver.crt"
printf 'extendedKeyUsage=clientAuth\n' > "$PKI/client.ext"
openssl_quiet req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=strand-admin" -keyout "$PKI/admin.key" -out "$PKI/admin.csr"
openssl_quiet x509 -req -in "$PKI/admin.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 30 \
  -extfile "$PKI/client.ext" -out "$PKI/admin.crt"
# the aggregation layer's front proxy; kube-controller-manager and kube-scheduler also read its CA to authenticate
openssl_quiet req -newkey rsa:2048 -nodes -subj "/CN=front-proxy-client" -keyout "$PKI/front-proxy.key" -out "$PKI/front-proxy.csr"
openssl_quiet x509 -req -in "$PKI/front-proxy.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 30 \
  -extfile "$PKI/client.ext" -out "$PKI/front-proxy.crt"
# KWOK's kubelet endpoint (logs, exec, port-forward through the API server), at the nodes' address 127.0.0.1
openssl_quiet req -newkey rsa:2048 -nodes -subj "/CN=kwok-kubelet" -keyout "$PKI/kwok.key" -out "$PKI/kwok.csr"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$PKI/kwok.ext"
openssl_quiet x509 -req -in "$PKI/kwok.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 30 \
  -extfile "$PKI/kwok.ext" -out "$PKI/kwok.crt"
openssl_quiet genrsa -out "$PKI/sa.key" 2048
openssl_quiet rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"

KUBECONFIG_FILE=$STATE/kubeconfig
cat > "$KUBECONFIG_FILE" <<KC
apiVersion: v1
kind: Config
clusters:
- name: strand-k8s
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(base64 -w0 < "$PKI/ca.crt")
users:
- name: strand-admin
  user:
    client-certificate-data: $(base64 -w0 < "$PKI/admin.crt")
    client-key-data: $(base64 -w0 < "$PKI/admin.key")
contexts:
- name: strand-k8s
  context: {cluster: strand-k8s, user: strand-admin}
current-context: strand-k8s
KC

run() { # run NAME CMD...: in its own session, output to logs/NAME.log, pid to pids/NAME.pid
  local name=$1; shift
  setsid "$@" </dev/null >"$STATE/logs/$name.log" 2>&1 &
  echo $! > "$STATE/pids/$name.pid"
}
wait_for() { # wait_for WHAT SECONDS CMD...
  local what=$1 limit=$2; shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "$what not ready after ${limit}s; logs in $STATE/logs"; tail -n 20 "$STATE"/logs/*.log >&2 || true
      "$HERE/bin/stop.sh" "$STATE" --keep >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}
api() { curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$API_PORT$1"; }
kubectl() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

run etcd "$BIN/etcd" --name strand --data-dir "$STATE/etcd" --unsafe-no-fsync \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "strand=http://127.0.0.1:$ETCD_PEER_PORT"
wait_for etcd 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"

run kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --secure-port "$API_PORT" --advertise-address 127.0.0.1 --endpoint-reconciler-type none \
  --kubelet-preferred-address-types InternalIP \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" --client-ca-file "$PKI/ca.crt" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-cluster-ip-range 10.96.0.0/16 --authorization-mode RBAC --allow-privileged=true --profiling=false \
  --requestheader-client-ca-file "$PKI/ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$PKI/front-proxy.crt" --proxy-client-key-file "$PKI/front-proxy.key"
wait_for kube-apiserver 90 api /readyz

run kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$KUBECONFIG_FILE" \
  --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
  --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --leader-elect=false --profiling=false \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" --use-service-account-credentials \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key"
run kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$KUBECONFIG_FILE" \
  --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
  --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false --profiling=false

{ cat <<KWOK
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  manageNodesWithAnnotationSelector: kwok.x-k8s.io/node=fake
  serverAddress: 127.0.0.1:$KWOK_PORT
  # the nodes' kubelet is KWOK's server: kubectl port-forward/logs reach it through the API server, and a PortForward
  # resource (kwok.x-k8s.io, named like the pod) says where a pod's port really is, e.g. a process on 127.0.0.1
  nodeIP: 127.0.0.1
  nodePort: $KWOK_PORT
  tlsCertFile: $PKI/kwok.crt
  tlsPrivateKeyFile: $PKI/kwok.key
  enableCRDs: [PortForward]
  cidr: 10.244.0.1/16
  nodeLeaseDurationSeconds: 40
  # kwok applies its defaults only to a configuration it generates itself, so a file must spell them out
  podPlayStageParallelism: 4
  nodePlayStageParallelism: 4
  nodeLeaseParallelism: 4
  podsOnNodeSyncParallelism: 1
  enablePodsOnNodeSyncListPager: true
  enablePodsOnNodeSyncStreamWatch: false
  enableDebuggingHandlers: true
  enableProfilingHandler: false
KWOK
  cat "$HERE/kwok/stages.yaml"; } > "$STATE/kwok.yaml"
kubectl apply -f "$HERE/kwok/portforward-crd.yaml" >/dev/null
wait_for "the PortForward CRD" 30 kubectl wait --for condition=Established --timeout 5s crd/portforwards.kwok.x-k8s.io
run kwok "$BIN/kwok" --kubeconfig "$KUBECONFIG_FILE" --config "$STATE/kwok.yaml"
run strand-provisioner "$BIN/strand-provisioner" --kubeconfig "$KUBECONFIG_FILE" --root "$STATE/volumes"

# --- fake nodes and the default StorageClass
ZONES=(zone-a zone-b zone-c)
for (( i = 0; i < NODES; i++ )); do
  cat <<NODE
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels:
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
    topology.kubernetes.io/region: strand-local
    topology.kubernetes.io/zone: ${ZONES[$(( i % 3 ))]}
status:
  allocatable: {cpu: "16", memory: 64Gi, pods: "110", ephemeral-storage: 100Gi}
  capacity: {cpu: "16", memory: 64Gi, pods: "110", ephemeral-storage: 100Gi}
  nodeInfo: {architecture: amd64, operatingSystem: linux, kubeletVersion: fake, kubeProxyVersion: fake}
---
NODE
done > "$STATE/nodes.yaml"
cat > "$STATE/storageclass.yaml" <<SC
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: strand.io/static-provisioner
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
SC
kubectl apply -f "$STATE/nodes.yaml" -f "$STATE/storageclass.yaml" >/dev/null
ready_nodes() { [ "$(kubectl get nodes --no-headers 2>/dev/null | grep -c ' Ready ')" -ge "$NODES" ]; }
wait_for "$NODES Ready nodes" 60 ready_nodes
# pods are admitted only once the service-account controller made the namespace's default ServiceAccount
wait_for "the default ServiceAccount" 60 kubectl -n default get serviceaccount default

cat > "$STATE/env" <<ENV
KUBECONFIG=$KUBECONFIG_FILE
STRAND_K8S_STATE=$STATE
STRAND_K8S_BIN=$BIN
STRAND_K8S_API=https://127.0.0.1:$API_PORT
ENV
log "control plane up in $(elapsed): https://127.0.0.1:$API_PORT, $NODES nodes; export KUBECONFIG=$KUBECONFIG_FILE"
