import json
import os

import boto3

from .handlers import handle

sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]


def run() -> None:
    while True:  # expect: messaging-consumer-loop-unguarded
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
        for msg in resp.get("Messages", []):
            handle(json.loads(msg["Body"]))
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])


def run_with_receive_guard_only() -> None:
    while True:  # expect: messaging-consumer-loop-unguarded
        try:
            resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
        except Exception:
            continue
        for msg in resp.get("Messages", []):
            handle(json.loads(msg["Body"]))
