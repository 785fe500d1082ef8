#!/usr/bin/env python3
"""The classroom "make reads fault-tolerant" flow: a group with auto-commit reads everything once; a second run with
the same group sees nothing old, then only new messages.

usage: kafka_python_autocommit.py BOOTSTRAP TOPIC [COUNT]
"""
import json
import uuid

import kafka
from kafka import KafkaConsumer, KafkaProducer

from strandtest import Deadline, args, check, log, main


def produce(bootstrap, topic, numbers):
    producer = KafkaProducer(bootstrap_servers=[bootstrap], value_serializer=lambda v: json.dumps(v).encode('utf-8'))
    for i in numbers:
        producer.send(topic, {'number': i})
    producer.flush(timeout=30)
    producer.close(timeout=10)


def read(bootstrap, topic, group, idle_ms):
    consumer = KafkaConsumer(topic, bootstrap_servers=[bootstrap], group_id=group, auto_offset_reset='earliest',
                             enable_auto_commit=True, auto_commit_interval_ms=1000, consumer_timeout_ms=idle_ms,
                             value_deserializer=lambda v: json.loads(v.decode('utf-8')))
    numbers = []
    deadline = Deadline(60)
    for message in consumer:
        numbers.append(message.value['number'])
        if deadline.expired():
            break
    consumer.close()  # commits what was consumed, as the auto-commit consumer does on close
    return numbers


def run():
    argv = args("BOOTSTRAP TOPIC [COUNT]")
    bootstrap, topic = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else 50
    log("kafka-python %s auto-commit group -> %s %s" % (kafka.__version__, bootstrap, topic))
    group = 'my-group-' + uuid.uuid4().hex[:8]
    produce(bootstrap, topic, range(count))
    first = read(bootstrap, topic, group, 6000)
    check(first == list(range(count)), "first run read %s, not 0..%d" % (first[:10], count - 1))
    second = read(bootstrap, topic, group, 4000)
    check(second == [], "second run with the same group re-read old messages: %s" % second[:10])
    produce(bootstrap, topic, range(count, count + 10))
    third = read(bootstrap, topic, group, 6000)
    check(third == list(range(count, count + 10)), "after new messages the group read %s" % third)
    log("group %s: %d old, then %d new, nothing twice" % (group, len(first), len(third)))


if __name__ == '__main__':
    main(run)
