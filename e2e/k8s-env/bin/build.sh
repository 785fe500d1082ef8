#!/usr/bin/env bash
# Builds the test control plane once per machine from the Go module proxy and caches it:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (k8s.io/kubernetes at K8S_VERSION)
#   strand-provisioner  (our static PV provisioner, against the same client-go)
#   etcd                (go.etcd.io/etcd/server/v3 at ETCD_VERSION)
#   kwok                (sigs.k8s.io/kwok at KWOK_VERSION)
# Each comes from a generated Go module that requires the pinned release; k8s.io/kubernetes needs the usual
# replace directives that point its k8s.io/* staging modules at their published v0.X.Y tags.
# Prints the bin directory on the last line of stdout. Re-running with a complete cache only prints it;
# with --cached-only it exits 3 instead of building when the cache is not complete.
# STRAND_K8S_CACHE (default ~/.cache/strand-k8s) holds the binaries; the Go caches hold the sources and objects.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../versions.env
. "$HERE/versions.env"
command -v go >/dev/null || { echo "k8s-env: the Go toolchain (go) is needed to build the control plane" >&2; exit 2; }
GO_VERSION=$(go env GOVERSION)
CACHE_ROOT=${STRAND_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/strand-k8s}
KEY="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_${GO_VERSION}"
OUT="$CACHE_ROOT/$KEY"
BIN="$OUT/bin"
PROVISIONER_SHA=$(sha256sum "$HERE/provisioner/main.go" | cut -c1-16)
provisioner_current() { [ "$(cat "$BIN/.strand-provisioner.sha" 2>/dev/null)" = "$PROVISIONER_SHA" ]; }
if [ -f "$OUT/complete" ] && provisioner_current; then echo "$BIN"; exit 0; fi
if [ "${1:-}" = --cached-only ]; then exit 3; fi  # tests ask this way: never start a build on their behalf

log() { echo "k8s-env build: $*" >&2; }
K8S_MINOR=${K8S_VERSION#v1.}; K8S_MINOR=${K8S_MINOR%%.*}
STAGING_VERSION="v0.${K8S_VERSION#v1.}"  # the k8s.io/* staging modules are tagged v0.N.P for Kubernetes v1.N.P
T0=$(date +%s)
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local

if [ ! -f "$OUT/complete" ]; then
WORK="$OUT/src"
rm -rf "$WORK" "$BIN"; mkdir -p "$WORK" "$BIN"

# A module that requires one release and imports its main packages from a build-tagged file, so `go mod tidy`
# records every dependency they need.
new_module() { # new_module DIR NAME PKG...
  local dir=$1 name=$2; shift 2
  mkdir -p "$dir"
  { echo "module strand.test/$name"; echo; echo "go 1.24"; } > "$dir/go.mod"
  { echo "//go:build tools"; echo; echo "package tools"; echo; echo "import ("
    for p in "$@"; do echo "	_ \"$p\""; done; echo ")"; } > "$dir/tools.go"
}

# --- Kubernetes ---
log "downloading k8s.io/kubernetes@$K8S_VERSION"
KGOMOD=$(cd "$WORK" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
[ -f "$KGOMOD" ] || { echo "k8s-env: could not download k8s.io/kubernetes@$K8S_VERSION" >&2; exit 1; }
KDIR="$WORK/kubernetes"
new_module "$KDIR" kubernetes k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
{
  echo; echo "require k8s.io/kubernetes $K8S_VERSION"; echo
  # every "k8s.io/x => ./staging/src/k8s.io/x" of kubernetes' go.mod becomes "k8s.io/x => k8s.io/x v0.N.P"
  sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/k8s\.io/.*$#\1#p' "$KGOMOD" | sort -u |
    while read -r m; do echo "replace $m => $m $STAGING_VERSION"; done
} >> "$KDIR/go.mod"
grep -c '^replace' "$KDIR/go.mod" | sed 's/^/k8s-env build: staging replaces: /' >&2
(cd "$KDIR" && go mod tidy >&2)
VPKG=k8s.io/component-base/version
LDFLAGS="-s -w -X $VPKG.gitVersion=$K8S_VERSION -X $VPKG.gitMajor=1 -X $VPKG.gitMinor=$K8S_MINOR -X $VPKG.gitTreeState=clean"
LDFLAGS="$LDFLAGS -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1"
LDFLAGS="$LDFLAGS -X k8s.io/client-go/pkg/version.gitMinor=$K8S_MINOR"
log "compiling kube-apiserver, kube-controller-manager, kube-scheduler, kubectl"
(cd "$KDIR" && go build -trimpath -ldflags "$LDFLAGS" -o "$BIN/" k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
log "kubernetes done after $(( $(date +%s) - T0 )) s"

# --- etcd ---
EDIR="$WORK/etcd"
new_module "$EDIR" etcd go.etcd.io/etcd/server/v3
echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION" >> "$EDIR/go.mod"
(cd "$EDIR" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3)
log "etcd done after $(( $(date +%s) - T0 )) s"

# --- KWOK ---
WDIR="$WORK/kwok"
new_module "$WDIR" kwok sigs.k8s.io/kwok/cmd/kwok
echo "require sigs.k8s.io/kwok $KWOK_VERSION" >> "$WDIR/go.mod"
(cd "$WDIR" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$BIN/kwok" sigs.k8s.io/kwok/cmd/kwok)
log "kwok done after $(( $(date +%s) - T0 )) s"

for b in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok; do
  [ -x "$BIN/$b" ] || { echo "k8s-env: $b was not built" >&2; exit 1; }
done
rm -rf "$WORK"
{ echo "built=$(date -u +%FT%TZ)"; echo "seconds=$(( $(date +%s) - T0 ))"; echo "go=$GO_VERSION"; } > "$OUT/complete"
fi

# --- strand-provisioner: ours, so it changes more often than the pinned releases; rebuilt alone when it does
if ! provisioner_current; then
  PDIR="$OUT/provisioner-src"
  rm -rf "$PDIR"; mkdir -p "$PDIR"
  cp "$HERE/provisioner/main.go" "$PDIR/main.go"
  { echo "module strand.test/provisioner"; echo; echo "go 1.24"; echo
    echo "require ("
    for m in k8s.io/api k8s.io/apimachinery k8s.io/client-go; do echo "	$m $STAGING_VERSION"; done
    echo ")"; } > "$PDIR/go.mod"
  (cd "$PDIR" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$BIN/strand-provisioner" .)
  echo "$PROVISIONER_SHA" > "$BIN/.strand-provisioner.sha"
  rm -rf "$PDIR"
  log "strand-provisioner built"
fi
log "all built in $(( $(date +%s) - T0 )) s into $BIN ($(du -sh "$BIN" | cut -f1))"
echo "$BIN"
