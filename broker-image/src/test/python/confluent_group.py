#!/usr/bin/env python3
"""confluent-kafka with a consumer group: subscribe() + group.id, commit, and a second consumer resuming after it.

usage: confluent_group.py BOOTSTRAP TOPIC [COUNT]
Needs the group protocol on the broker (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetCommit/Fetch, LeaveGroup).
"""
import uuid

import confluent_kafka
from confluent_kafka import Consumer, Producer

from strandtest import _v, Deadline, args, check, fail, log, main


def consume(bootstrap, topic, group, want, seconds):
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                         'enable.auto.commit': False, 'session.timeout.ms': 10000})
    consumer.subscribe([topic])
    received = []
    deadline = Deadline(seconds)
    while len(received) < want and not deadline.expired():
        msg = consumer.poll(min(1.0, deadline.remaining()))
        if msg is None:
            continue
        if msg.error():
            fail("consumer error in group %s: %s" % (group, msg.error()))
        received.append(msg)
    if received:
        consumer.commit(asynchronous=False)
    consumer.close()
    return received


def run():
    argv = args("BOOTSTRAP TOPIC [COUNT]")
    bootstrap, topic = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else 100
    log("confluent-kafka %s group consumer -> %s %s" % (_v(confluent_kafka.version()), bootstrap, topic))
    producer = Producer({'bootstrap.servers': bootstrap, 'message.timeout.ms': 30000})
    errors = []
    for i in range(count):
        producer.produce(topic, key='alice', value=('m-%d' % i).encode(),
                         on_delivery=lambda err, msg: errors.append(err) if err else None)
    check(producer.flush(40) == 0, "messages not delivered after flush(40)")
    check(not errors, "delivery errors: %s" % errors[:5])

    group = 'strand-group-' + uuid.uuid4().hex[:8]
    half = count // 2
    first = consume(bootstrap, topic, group, half, 60)
    check(len(first) >= half, "first member got %d of %d messages" % (len(first), half))
    rest = consume(bootstrap, topic, group, count - len(first), 60)
    values = [m.value().decode() for m in first + rest]
    check(values == ['m-%d' % i for i in range(count)],
          "group did not resume from its committed offset: first %d, then %s" % (len(first), values[len(first):len(first) + 5]))
    log("group %s consumed %d + %d messages, resuming from the committed offset" % (group, len(first), len(rest)))


if __name__ == '__main__':
    main(run)
