import json

from confluent_kafka import Consumer
from kafka import KafkaConsumer

from .handlers import handle

events = KafkaConsumer("orders", bootstrap_servers="kafka:9092", group_id="billing")


def run() -> None:
    for record in events:  # expect: messaging-consumer-loop-unguarded
        handle(json.loads(record.value))


def run_confluent() -> None:
    consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "billing"})
    consumer.subscribe(["orders"])
    while True:  # expect: messaging-consumer-loop-unguarded
        msg = consumer.poll(1.0)
        if msg is None or msg.error():
            continue
        handle(json.loads(msg.value()))
