import json
import logging
import os

import boto3

from app.mailer import send_receipt

log = logging.getLogger(__name__)
QUEUE_URL = os.environ["QUEUE_URL"]
sqs = boto3.client("sqs")


def process(messages: list[dict]) -> None:
    for msg in messages:
        body = json.loads(msg["Body"])
        send_receipt(body["email"], body["order_id"])
        sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])


def main() -> None:
    while True:
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20, MaxNumberOfMessages=10)
        process(resp.get("Messages", []))


if __name__ == "__main__":
    main()
