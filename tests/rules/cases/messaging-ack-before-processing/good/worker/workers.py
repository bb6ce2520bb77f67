import json
import logging
import os

import boto3
from kafka import KafkaConsumer

from .handlers import handle

log = logging.getLogger(__name__)
sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]
consumer = KafkaConsumer("orders", enable_auto_commit=False)


def run() -> None:
    while True:
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
        for msg in resp.get("Messages", []):
            try:
                handle(json.loads(msg["Body"]))
            except Exception:
                log.exception("failed")
                continue
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])
            log.info("done %s", msg["MessageId"])


def run_kafka() -> None:
    for record in consumer:
        try:
            handle(record.value)
        except Exception:
            log.exception("failed")
        consumer.commit()


async def consume(queue) -> None:
    async with queue.iterator() as it:
        async for message in it:
            try:
                async with message.process(requeue=False):
                    await handle(message.body)
            except Exception:
                log.exception("failed")
