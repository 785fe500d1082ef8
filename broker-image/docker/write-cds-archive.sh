#!/bin/sh
# Run once while the image is built (as root, before USER): starts the broker on a scratch data directory, waits
# until it has started, stops it with SIGTERM, and keeps the class-data-sharing archive the JVM writes at exit
# (-XX:ArchiveClassesAtExit) next to the jar. The entrypoint uses it when it is there. Never fails the build: a
# base image whose JVM cannot write the archive (no default CDS archive) only gives slower starts.
JAR=${BROKER_JAR:-/opt/strand/strand-broker.jar}
ARCHIVE=${JAR%.jar}.jsa
WORK=$(mktemp -d /tmp/cds.XXXXXX)
java -XX:ArchiveClassesAtExit="$ARCHIVE" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$JAR" \
    --override log.dirs="$WORK/data" --override listeners=PLAINTEXT://127.0.0.1:9092 --override metrics.port=0 \
    >"$WORK/log" 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ] && kill -0 $pid 2>/dev/null && ! grep -q "started in" "$WORK/log"; do
    sleep 0.1; i=$((i + 1))
done
kill -TERM $pid 2>/dev/null
wait $pid
if [ -s "$ARCHIVE" ]; then
    chmod 0444 "$ARCHIVE"
    echo "write-cds-archive: $ARCHIVE, $(($(wc -c < "$ARCHIVE") / 1024)) KiB"
else
    rm -f "$ARCHIVE"
    echo "write-cds-archive: no archive written; the broker starts without one. Its output:"
    cat "$WORK/log"
fi
rm -rf "$WORK"
exit 0
