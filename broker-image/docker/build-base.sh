#!/usr/bin/env bash
# Builds the slim Java 17 base image that the broker and operator images use on machines without a container
# registry (no `docker pull`): a jlink'ed JRE, the few glibc libraries it links to and a static busybox for /bin/sh,
# imported as one layer with `docker import`. About 45 MB; the layout matches eclipse-temurin's
# (JAVA_HOME=/opt/java/openjdk), so the Dockerfiles build the same way on either base.
#
#   broker-image/docker/build-base.sh [IMAGE]     prints the image reference on its last line
#
# IMAGE defaults to local/strand-jre:17-<hash of the inputs>; an existing image with that tag is reused (nothing is
# rebuilt unless this script, the JDK, glibc or busybox changed). Needs (Debian): openjdk-17-jdk-headless (jlink,
# jmods), busybox-static, and a running Docker daemon. STRAND_JRE_MODULES replaces the module list.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-docker}
JDK=${STRAND_BASE_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
BUSYBOX=${STRAND_BASE_BUSYBOX:-/bin/busybox}
# What the broker (Netty, kafka-clients, Ratis) and the operator (Quarkus, Vert.x, fabric8, JOSDK) use at run time:
# `jdeps --print-module-deps` over both, minus java.desktop (only java.beans probes that fall back) and jdk.compiler
# (Vert.x codegen, build time only), plus what reflection and TLS reach without a static reference: EC/ECDHE for
# TLS to the API server (jdk.crypto.ec), DNS (jdk.naming.dns), zip file systems (jdk.zipfs).
MODULES=${STRAND_JRE_MODULES:-java.base,java.logging,java.management,java.naming,java.net.http,java.rmi,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs}
LIBDIR=/lib/x86_64-linux-gnu
LIBS=(libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libgcc_s.so.1 libstdc++.so.6 libz.so.1 ld-linux-x86-64.so.2)

log() { echo "=== [base] $*" >&2; }
die() { echo "!!! [base] $*" >&2; exit 1; }

[ -x "$JDK/bin/jlink" ] && [ -d "$JDK/jmods" ] || die "no jlink/jmods in $JDK (apt-get install openjdk-17-jdk-headless)"
case "$("$BUSYBOX" --help 2>&1)" in *BusyBox*) ;; *) die "no busybox at $BUSYBOX (apt-get install busybox-static)" ;; esac
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || ! command -v file >/dev/null \
  || die "$BUSYBOX is not statically linked (apt-get install busybox-static)"

# --- the tag: a hash of everything that goes into the image
key=$( {
  sha256sum "$0"
  echo "$MODULES"
  "$JDK/bin/java" -version 2>&1
  sha256sum "$JDK/lib/server/libjvm.so" "$BUSYBOX"
  for l in "${LIBS[@]}"; do sha256sum "$LIBDIR/$l"; done
} | sha256sum | cut -c1-12)
IMAGE=${1:-local/strand-jre:17-$key}
if $DOCKER image inspect "$IMAGE" >/dev/null 2>&1; then
  log "reusing $IMAGE"
  echo "$IMAGE"
  exit 0
fi

T0=$(date +%s)
WORK=$(mktemp -d /tmp/images-base.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/rootfs
mkdir -p "$ROOT"/{bin,etc,opt/java,tmp,root,usr/bin,usr/lib/locale,"${LIBDIR#/}",lib64,var/tmp}
chmod 1777 "$ROOT/tmp" "$ROOT/var/tmp"
chmod 700 "$ROOT/root"

log "jlink: $MODULES"
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress=2 \
  --generate-cds-archive --output "$ROOT/opt/java/openjdk" >/dev/null
# the default CDS archive makes every JVM start faster; the no-compressed-oops variant (heaps over 32 GB) is 11 MB
rm -f "$ROOT/opt/java/openjdk/lib/server/classes_nocoops.jsa"
# cacerts in Debian's JDK is a link to /etc/ssl/certs/java/cacerts; jlink copies the jmod's (possibly empty) file
if [ -s /etc/ssl/certs/java/cacerts ]; then cp -L /etc/ssl/certs/java/cacerts "$ROOT/opt/java/openjdk/lib/security/cacerts"; fi

log "glibc and the C++ runtime"
for l in "${LIBS[@]}"; do cp -L "$LIBDIR/$l" "$ROOT$LIBDIR/$l"; done
ln -s "$LIBDIR/ld-linux-x86-64.so.2" "$ROOT/lib64/ld-linux-x86-64.so.2"
echo "$LIBDIR" > "$ROOT/etc/ld.so.conf"
ldconfig -r "$ROOT" 2>/dev/null || true
# every shared object of the JRE must resolve against the rootfs alone (checked where binutils is installed)
command -v objdump >/dev/null || log "objdump not found (binutils): not checking the JRE's library dependencies"
missing=$(command -v objdump >/dev/null && for f in "$ROOT"/opt/java/openjdk/bin/* $(find "$ROOT/opt/java/openjdk/lib" -name '*.so'); do
  objdump -p "$f" 2>/dev/null | awk '/NEEDED/ {print $2}'
done | sort -u | while read -r need; do
  [ -e "$ROOT$LIBDIR/$need" ] || [ -e "$ROOT/opt/java/openjdk/lib/$need" ] || [ -e "$ROOT/opt/java/openjdk/lib/server/$need" ] || echo "$need"
done) || true
[ -z "$missing" ] || die "libraries the JRE needs but the rootfs lacks: $missing"
# C.UTF-8, so that the JVM's file.encoding and sun.jnu.encoding are UTF-8 (POSIX gives ASCII on JDK 17)
cp -a /usr/lib/locale/C.utf8 "$ROOT/usr/lib/locale/"

log "busybox (static) for /bin/sh and a small toolbox"
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ -e "$ROOT/bin/$applet" ] || ln -s busybox "$ROOT/bin/$applet"
done
ln -s /bin/env "$ROOT/usr/bin/env"

cat > "$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$ROOT/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$ROOT/etc/nsswitch.conf"
cat > "$ROOT/etc/os-release" <<EOF
NAME="strand-jre"
PRETTY_NAME="jlink'ed OpenJDK $("$JDK/bin/java" -version 2>&1 | awk -F'"' 'NR==1 {print $2}') on Debian glibc $(ldd --version | awk 'NR==1 {print $NF}') with busybox"
ID=strand-jre
EOF

log "docker import as $IMAGE"
tar --numeric-owner --owner=0 --group=0 -C "$ROOT" -c . | $DOCKER import \
  --change 'ENV JAVA_HOME=/opt/java/openjdk' \
  --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/sh"]' \
  - "$IMAGE" >/dev/null
$DOCKER run --rm --network none "$IMAGE" java -Xshare:auto -version >/dev/null 2>&1 || die "java -version fails in $IMAGE"
if [ $# -eq 0 ]; then  # older bases made by this script, unless an image still builds on them
  for stale in $($DOCKER image ls --format '{{.Repository}}:{{.Tag}}' local/strand-jre | grep -vxF "$IMAGE"); do
    $DOCKER rmi "$stale" >/dev/null 2>&1 && log "removed the older base $stale"
  done
fi
log "built $IMAGE in $(( $(date +%s) - T0 )) s, $(( $($DOCKER image inspect -f '{{.Size}}' "$IMAGE") / 1000000 )) MB"
echo "$IMAGE"
