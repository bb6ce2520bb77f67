import os

import boto3

from .handlers import handle

queue = boto3.resource("sqs").Queue(os.environ["QUEUE_URL"])
client = boto3.client("sqs")


def poll_messages() -> list[dict]:
    try:
        return client.receive_message(QueueUrl=os.environ["QUEUE_URL"], WaitTimeSeconds=20).get("Messages", [])
    except Exception as exc:
        raise RuntimeError("poll failed") from exc


def run() -> None:
    while True:  # expect: messaging-consumer-loop-unguarded
        for message in queue.receive_messages(WaitTimeSeconds=20):
            handle(message.body)
            message.delete()


def run_wrapped() -> None:
    while True:  # expect: messaging-consumer-loop-unguarded
        for msg in poll_messages():
            handle(msg["Body"])
