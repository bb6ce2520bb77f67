import json
import logging
import os

import aio_pika
import boto3
from kafka import KafkaConsumer

from .handlers import handle

log = logging.getLogger(__name__)
sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]
events = KafkaConsumer("orders", bootstrap_servers="kafka:9092", group_id="billing")


def run() -> None:
    while True:
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
        for msg in resp.get("Messages", []):
            try:
                handle(json.loads(msg["Body"]))
            except Exception:
                log.exception("message %s failed", msg["MessageId"])
                continue
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])


def safe_handle(record) -> None:
    try:
        handle(json.loads(record.value))
    except Exception:
        log.exception("offset %s failed", record.offset)


def run_kafka() -> None:
    for record in events:
        safe_handle(record)


async def consume(url: str) -> None:
    connection = await aio_pika.connect_robust(url)
    queue = await (await connection.channel()).declare_queue("emails", durable=True)
    async with queue.iterator() as it:
        async for message in it:
            try:
                async with message.process(requeue=False):
                    await handle(message.body)
            except Exception:
                log.exception("message %s dead-lettered", message.message_id)


def drain_batch(items: list[dict]) -> None:
    for item in items:  # not a consumer: a plain list
        handle(item)
