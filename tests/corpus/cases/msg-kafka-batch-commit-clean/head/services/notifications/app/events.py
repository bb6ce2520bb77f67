import json
import logging
import os

from kafka import KafkaConsumer

from app.mailer import send_receipt

log = logging.getLogger(__name__)
consumer = KafkaConsumer("orders.created", bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"],
                         group_id="notifications", enable_auto_commit=False)


def flush(batch: list) -> None:
    for record in batch:
        event = json.loads(record.value)
        send_receipt(event["email"], event["order_id"])


def run() -> None:
    batch = []
    for record in consumer:
        batch.append(record)
        if len(batch) < 100:
            continue
        try:
            flush(batch)
        except Exception:
            log.exception("batch ending at offset %s failed; replayed after restart", record.offset)
            continue
        consumer.commit()
        batch.clear()
