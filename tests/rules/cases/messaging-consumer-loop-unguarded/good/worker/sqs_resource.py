import logging
import os

import boto3

from .handlers import handle

log = logging.getLogger(__name__)
queue = boto3.resource("sqs").Queue(os.environ["QUEUE_URL"])
client = boto3.client("sqs")


def poll_messages() -> list[dict]:
    return client.receive_message(QueueUrl=os.environ["QUEUE_URL"], WaitTimeSeconds=20).get("Messages", [])


def run() -> None:
    while True:
        for message in queue.receive_messages(WaitTimeSeconds=20):
            try:
                handle(message.body)
            except Exception:
                log.exception("message %s failed", message.message_id)
                continue
            message.delete()


def run_wrapped() -> None:
    while True:
        try:
            for msg in poll_messages():
                handle(msg["Body"])
        except Exception:
            log.exception("batch failed; its messages come back after the visibility timeout")
