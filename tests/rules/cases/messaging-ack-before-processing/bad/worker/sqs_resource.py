import logging
import os

import boto3

from .handlers import handle

log = logging.getLogger(__name__)
queue = boto3.resource("sqs").Queue(os.environ["QUEUE_URL"])


def run() -> None:
    while True:
        for message in queue.receive_messages(WaitTimeSeconds=20):
            message.delete()  # expect: messaging-ack-before-processing
            try:
                handle(message.body)
            except Exception:
                log.exception("failed")
