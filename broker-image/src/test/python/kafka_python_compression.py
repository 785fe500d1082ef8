#!/usr/bin/env python3
"""kafka-python: produce and read back with each compression codec the client can use (gzip, snappy, lz4, zstd).

usage: kafka_python_compression.py BOOTSTRAP TOPIC_PREFIX [COUNT]
A codec whose Python module is missing is skipped with a message, or fails when STRAND_REQUIRE_ALL_CODECS=1.
"""
import kafka
import kafka.codec as codec
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from strandtest import Deadline, args, check, fail, log, main, require_all_codecs

CODECS = [('gzip', codec.has_gzip), ('snappy', codec.has_snappy), ('lz4', codec.has_lz4), ('zstd', codec.has_zstd)]


def run():
    argv = args("BOOTSTRAP TOPIC_PREFIX [COUNT]")
    bootstrap, prefix = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else 200
    log("kafka-python %s compression -> %s" % (kafka.__version__, bootstrap))
    tested = []
    for name, available in CODECS:
        if not available():
            message = "kafka-python cannot use %s: its Python module is not installed" % name
            if require_all_codecs():
                fail(message)
            log("SKIP " + message)
            continue
        topic = "%s-%s" % (prefix, name)
        producer = KafkaProducer(bootstrap_servers=[bootstrap], compression_type=name, linger_ms=50,
                                 max_block_ms=30000, request_timeout_ms=20000)
        # compressible values, several batches
        futures = [producer.send(topic, key=b'k%d' % (i % 3), value=(('%s-%06d-' % (name, i)) * 20).encode(),
                                 partition=0) for i in range(count)]
        producer.flush(timeout=30)
        offsets = [f.get(timeout=10).offset for f in futures]
        producer.close(timeout=10)
        check(offsets == list(range(offsets[0], offsets[0] + count)), "%s: offsets not consecutive: %s" % (name, offsets[:20]))

        consumer = KafkaConsumer(bootstrap_servers=[bootstrap], consumer_timeout_ms=10000)
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        received = []
        deadline = Deadline(60)
        for m in consumer:
            received.append(m)
            if len(received) >= count or deadline.expired():
                break
        consumer.close()
        check(len(received) == count, "%s: expected %d messages, got %d" % (name, count, len(received)))
        for i, m in enumerate(received):
            check(m.value == (('%s-%06d-' % (name, i)) * 20).encode(), "%s: message %d has value %r" % (name, i, m.value[:40]))
            check(m.key == b'k%d' % (i % 3), "%s: message %d has key %r" % (name, i, m.key))
            check(m.offset == offsets[i], "%s: message %d at offset %d, producer said %d" % (name, i, m.offset, offsets[i]))
        log("%s: %d messages round-tripped" % (name, count))
        tested.append(name)
    check(tested, "no codec could be tested")
    log("codecs tested: %s" % ", ".join(tested))


if __name__ == '__main__':
    main(run)
