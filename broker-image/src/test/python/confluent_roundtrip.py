#!/usr/bin/env python3
"""confluent-kafka (librdkafka): produce with delivery reports, then read back with assign() from OFFSET_BEGINNING.

usage: confluent_roundtrip.py BOOTSTRAP TOPIC [COUNT]
Every delivery report must have no error and carry a partition and an offset; offsets must be consecutive.
"""
import json

import confluent_kafka
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition

from strandtest import _v, Deadline, args, check, fail, log, main


def run():
    argv = args("BOOTSTRAP TOPIC [COUNT]")
    bootstrap, topic = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else 100
    log("confluent-kafka %s (librdkafka %s) -> %s topic %s" % (_v(confluent_kafka.version()), confluent_kafka.libversion()[0], bootstrap, topic))

    reports = []

    def acked(err, msg):
        reports.append((err, msg.topic(), msg.partition(), msg.offset(), msg.key(), msg.value()))

    producer = Producer({'bootstrap.servers': bootstrap, 'message.timeout.ms': 30000, 'socket.timeout.ms': 10000})
    for i in range(count):
        value = json.dumps({'number': i}).encode('utf-8')
        headers = [('index', str(i).encode()), ('client', b'confluent-kafka')]
        producer.produce(topic, key='alice', value=value, headers=headers, on_delivery=acked)
        producer.poll(0)
    remaining = producer.flush(40)
    check(remaining == 0, "%d messages still not delivered after flush(40)" % remaining)
    check(len(reports) == count, "expected %d delivery reports, got %d" % (count, len(reports)))
    errors = [(r[0], r[5]) for r in reports if r[0] is not None]
    check(not errors, "delivery errors: %s" % errors[:5])
    for err, t, partition, offset, _, _ in reports:
        check(t == topic, "report for topic %r" % t)
        check(partition is not None and partition >= 0, "report without a partition: %r" % partition)
        check(offset is not None and offset >= 0, "report without an offset: %r" % offset)
    partition = reports[0][2]
    check(all(r[2] == partition for r in reports), "key 'alice' went to several partitions")
    offsets = [r[3] for r in reports]
    check(offsets == list(range(offsets[0], offsets[0] + count)), "offsets not consecutive: %s" % offsets[:30])
    numbers = [json.loads(r[5])['number'] for r in reports]
    check(numbers == list(range(count)), "delivery reports out of order: %s" % numbers[:30])
    log("delivered %d messages to partition %d, offsets %d..%d" % (count, partition, offsets[0], offsets[-1]))

    # assign() with an explicit offset: no consumer group protocol is needed; group.id is set because older
    # confluent-kafka releases insist on one, but nothing is committed.
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'strand-assign-only',
                         'enable.auto.commit': False, 'enable.auto.offset.store': False,
                         'session.timeout.ms': 10000, 'socket.timeout.ms': 10000})
    consumer.assign([TopicPartition(topic, partition, OFFSET_BEGINNING)])
    received = []
    deadline = Deadline(60)
    while len(received) < count and not deadline.expired():
        msg = consumer.poll(min(1.0, deadline.remaining()))
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == confluent_kafka.KafkaError._PARTITION_EOF:
                continue
            fail("consumer error: %s" % msg.error())
        received.append(msg)
    consumer.close()
    check(len(received) == count, "expected %d messages, got %d within 60 s" % (count, len(received)))
    for i, m in enumerate(received):
        check(m.key() == b'alice', "message %d: key %r" % (i, m.key()))
        check(json.loads(m.value()) == {'number': i}, "message %d: value %r" % (i, m.value()))
        check(m.offset() == offsets[i], "message %d: offset %d, delivery report said %d" % (i, m.offset(), offsets[i]))
        check(m.headers() == [('index', str(i).encode()), ('client', b'confluent-kafka')],
              "message %d: headers %r" % (i, m.headers()))
    log("read back %d messages in order with keys and headers" % count)


if __name__ == '__main__':
    main(run)
