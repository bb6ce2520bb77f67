import json
import logging
import os

from kafka import KafkaConsumer

from app.mailer import send_receipt

log = logging.getLogger(__name__)
consumer = KafkaConsumer("orders.created", bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"],
                         group_id="notifications", enable_auto_commit=False)


def run() -> None:
    for record in consumer:
        event = json.loads(record.value)
        send_receipt(event["email"], event["order_id"])
        consumer.commit()
