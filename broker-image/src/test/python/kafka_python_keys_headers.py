#!/usr/bin/env python3
"""kafka-python: keyed messages with headers, all with one key so they share a partition, read back in order.

usage: kafka_python_keys_headers.py BOOTSTRAP TOPIC [COUNT]
"""
import kafka
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from strandtest import Deadline, args, check, log, main


def run():
    argv = args("BOOTSTRAP TOPIC [COUNT]")
    bootstrap, topic = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else 50
    log("kafka-python %s keys+headers -> %s %s" % (kafka.__version__, bootstrap, topic))

    producer = KafkaProducer(bootstrap_servers=[bootstrap], max_block_ms=30000, request_timeout_ms=20000,
                             key_serializer=lambda k: None if k is None else k.encode(),
                             value_serializer=lambda v: None if v is None else v.encode())
    futures = []
    for i in range(count):
        futures.append(producer.send(topic, key='alice', value='value-%d' % i,
                                     headers=[('index', str(i).encode()), ('source', b'kafka-python')]))
    # and a null key + an empty value
    futures.append(producer.send(topic, value='no-key'))
    producer.flush(timeout=30)
    results = [f.get(timeout=10) for f in futures]
    producer.close(timeout=10)
    alice = results[:count]
    partition = alice[0].partition
    check(all(r.partition == partition for r in alice), "same key went to several partitions: %s"
          % sorted({r.partition for r in alice}))
    offsets = [r.offset for r in alice]
    check(offsets == list(range(offsets[0], offsets[0] + count)), "offsets not consecutive: %s" % offsets)

    consumer = KafkaConsumer(bootstrap_servers=[bootstrap], consumer_timeout_ms=10000)
    tp = TopicPartition(topic, partition)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    received = []
    deadline = Deadline(60)
    for m in consumer:
        if m.key == b'alice':
            received.append(m)
        if len(received) >= count or deadline.expired():
            break
    consumer.close()
    check(len(received) == count, "expected %d keyed messages, got %d" % (count, len(received)))
    for i, m in enumerate(received):
        check(m.key == b'alice', "message %d: key %r" % (i, m.key))
        check(m.value == ('value-%d' % i).encode(), "message %d: value %r" % (i, m.value))
        headers = list(m.headers or [])
        check(headers == [('index', str(i).encode()), ('source', b'kafka-python')],
              "message %d: headers %r" % (i, headers))
        check(m.offset == offsets[i], "message %d: offset %d, producer said %d" % (i, m.offset, offsets[i]))
    log("received %d keyed messages with headers" % count)


if __name__ == '__main__':
    main(run)
