#!/usr/bin/env python3
"""kafka-python, the classroom example: JSON values to a topic that does not exist yet, read back in order.

usage: kafka_python_roundtrip.py BOOTSTRAP TOPIC [COUNT]
"""
import json

import kafka
from kafka import KafkaConsumer, KafkaProducer

from strandtest import Deadline, args, check, fail, log, main


def run():
    argv = args("BOOTSTRAP TOPIC [COUNT]")
    bootstrap, topic = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else 100
    log("kafka-python %s -> %s topic %s, %d messages" % (kafka.__version__, bootstrap, topic, count))

    producer = KafkaProducer(bootstrap_servers=[bootstrap],
                             value_serializer=lambda v: json.dumps(v).encode('utf-8'),
                             max_block_ms=30000, request_timeout_ms=20000)
    futures = [producer.send(topic, {'number': i}) for i in range(count)]
    producer.flush(timeout=30)
    offsets = []
    for i, future in enumerate(futures):
        metadata = future.get(timeout=10)  # raises the broker's error, if any
        offsets.append((metadata.partition, metadata.offset))
    producer.close(timeout=10)
    partitions = {p for p, _ in offsets}
    check(len(partitions) >= 1, "no partitions in send results")
    log("sent %d, partitions %s, first offset %s" % (count, sorted(partitions), offsets[0]))

    consumer = KafkaConsumer(topic,
                             bootstrap_servers=[bootstrap],
                             auto_offset_reset='earliest',
                             consumer_timeout_ms=10000,
                             value_deserializer=lambda v: json.loads(v.decode('utf-8')))
    received = []
    deadline = Deadline(60)
    for message in consumer:  # ends after consumer_timeout_ms without a message
        received.append(message)
        if len(received) >= count or deadline.expired():
            break
    consumer.close()

    numbers = [m.value['number'] for m in received]
    check(len(numbers) == count, "expected %d messages, got %d: %s" % (count, len(numbers), numbers[:20]))
    if len(partitions) == 1:
        check(numbers == list(range(count)), "messages out of order: %s" % numbers[:50])
        got_offsets = [m.offset for m in received]
        check(got_offsets == sorted(got_offsets), "offsets not increasing: %s" % got_offsets[:50])
    else:
        check(sorted(numbers) == list(range(count)), "wrong content: %s" % sorted(numbers)[:50])
    for m in received:
        check(m.topic == topic, "record from wrong topic %r" % m.topic)
    log("received %d messages in order" % len(numbers))


if __name__ == '__main__':
    main(run)
