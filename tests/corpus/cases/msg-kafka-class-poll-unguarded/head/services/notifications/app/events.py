import json
import os

from confluent_kafka import Consumer

from app.mailer import send_receipt


class ReceiptWorker:
    def __init__(self) -> None:
        self.consumer = Consumer({"bootstrap.servers": os.environ["KAFKA_BOOTSTRAP"],
                                  "group.id": "notifications", "enable.auto.commit": False})
        self.running = True

    def run(self) -> None:
        self.consumer.subscribe(["orders.created"])
        while self.running:
            msg = self.consumer.poll(1.0)
            if msg is None or msg.error():
                continue
            event = json.loads(msg.value())
            send_receipt(event["email"], event["order_id"])
            self.consumer.commit(msg)
