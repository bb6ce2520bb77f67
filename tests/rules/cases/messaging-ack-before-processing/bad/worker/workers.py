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
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])  # expect: messaging-ack-before-processing
            try:
                body = json.loads(msg["Body"])
                handle(body)
            except Exception:
                log.exception("failed")


def run_kafka() -> None:
    for record in consumer:
        consumer.commit()  # expect: messaging-ack-before-processing
        try:
            handle(record.value)
        except Exception:
            log.exception("failed")


async def consume(queue) -> None:
    async with queue.iterator() as it:
        async for message in it:
            await message.ack()  # expect: messaging-ack-before-processing
            try:
                await handle(message.body)
            except Exception:
                log.exception("failed")
