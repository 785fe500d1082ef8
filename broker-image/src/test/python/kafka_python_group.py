#!/usr/bin/env python3
"""kafka-python with a consumer group (group_id): consume, commit, and a second consumer resuming after it.

usage: kafka_python_group.py BOOTSTRAP TOPIC [COUNT]
"""
import uuid

import kafka
from kafka import KafkaConsumer, KafkaProducer

from strandtest import Deadline, args, check, log, main


def consume(bootstrap, topic, group, want):
    consumer = KafkaConsumer(topic, bootstrap_servers=[bootstrap], group_id=group, auto_offset_reset='earliest',
                             enable_auto_commit=False, consumer_timeout_ms=15000)
    received = []
    deadline = Deadline(60)
    for m in consumer:
        received.append(m)
        if len(received) >= want or deadline.expired():
            break
    if received:
        consumer.commit()
    consumer.close()
    return received


def run():
    argv = args("BOOTSTRAP TOPIC [COUNT]")
    bootstrap, topic = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else 100
    log("kafka-python %s group consumer -> %s %s" % (kafka.__version__, bootstrap, topic))
    producer = KafkaProducer(bootstrap_servers=[bootstrap], max_block_ms=30000)
    futures = [producer.send(topic, key=b'alice', value=b'm-%d' % i) for i in range(count)]
    producer.flush(timeout=30)
    for f in futures:
        f.get(timeout=10)
    producer.close(timeout=10)

    group = 'strand-group-' + uuid.uuid4().hex[:8]
    half = count // 2
    first = consume(bootstrap, topic, group, half)
    check(len(first) >= half, "first member got %d of %d messages" % (len(first), half))
    rest = consume(bootstrap, topic, group, count - len(first))
    values = [m.value.decode() for m in first + rest]
    check(values == ['m-%d' % i for i in range(count)],
          "group did not resume from its committed offset: first %d, then %s" % (len(first), values[len(first):len(first) + 5]))
    log("group %s consumed %d + %d messages" % (group, len(first), len(rest)))


if __name__ == '__main__':
    main(run)
