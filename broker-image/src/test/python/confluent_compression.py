#!/usr/bin/env python3
"""confluent-kafka: produce and read back with each compression codec librdkafka was built with.

usage: confluent_compression.py BOOTSTRAP TOPIC_PREFIX [COUNT]
"""
import confluent_kafka
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from strandtest import _v, Deadline, args, check, fail, log, main, require_all_codecs

CODECS = ['gzip', 'snappy', 'lz4', 'zstd']


def run():
    argv = args("BOOTSTRAP TOPIC_PREFIX [COUNT]")
    bootstrap, prefix = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else 200
    log("confluent-kafka %s (librdkafka %s) compression -> %s" % (_v(confluent_kafka.version()), confluent_kafka.libversion()[0], bootstrap))
    tested = []
    for name in CODECS:
        topic = "%s-%s" % (prefix, name)
        try:
            producer = Producer({'bootstrap.servers': bootstrap, 'compression.type': name, 'linger.ms': 20,
                                 'message.timeout.ms': 30000})
        except confluent_kafka.KafkaException as e:
            message = "librdkafka cannot use %s: %s" % (name, e)
            if require_all_codecs():
                fail(message)
            log("SKIP " + message)
            continue
        reports = []
        for i in range(count):
            producer.produce(topic, key=b'k%d' % (i % 3), value=(('%s-%06d-' % (name, i)) * 20).encode(), partition=0,
                             on_delivery=lambda err, msg: reports.append((err, msg.partition(), msg.offset())))
            producer.poll(0)
        check(producer.flush(40) == 0, "%s: messages not delivered after flush(40)" % name)
        errors = [r for r in reports if r[0] is not None]
        check(not errors, "%s: delivery errors: %s" % (name, errors[:5]))
        offsets = [r[2] for r in reports]
        check(offsets == list(range(offsets[0], offsets[0] + count)), "%s: offsets not consecutive: %s" % (name, offsets[:30]))

        consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'strand-assign-only', 'enable.auto.commit': False})
        consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        received = []
        deadline = Deadline(60)
        while len(received) < count and not deadline.expired():
            msg = consumer.poll(min(1.0, deadline.remaining()))
            if msg is None:
                continue
            if msg.error():
                fail("%s: consumer error: %s" % (name, msg.error()))
            received.append(msg)
        consumer.close()
        check(len(received) == count, "%s: expected %d messages, got %d" % (name, count, len(received)))
        for i, m in enumerate(received):
            check(m.value() == (('%s-%06d-' % (name, i)) * 20).encode(), "%s: message %d value %r" % (name, i, m.value()[:40]))
            check(m.key() == b'k%d' % (i % 3), "%s: message %d key %r" % (name, i, m.key()))
            check(m.offset() == offsets[i], "%s: message %d offset %d, report said %d" % (name, i, m.offset(), offsets[i]))
        log("%s: %d messages round-tripped" % (name, count))
        tested.append(name)
    check(tested, "no codec could be tested")
    log("codecs tested: %s" % ", ".join(tested))


if __name__ == '__main__':
    main(run)
