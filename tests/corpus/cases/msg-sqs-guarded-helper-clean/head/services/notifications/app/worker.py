import json
import logging
import os

import boto3

from app.mailer import send_receipt

log = logging.getLogger(__name__)
QUEUE_URL = os.environ["QUEUE_URL"]
sqs = boto3.client("sqs")


def process_one(msg: dict) -> None:
    """One message; a failure is logged and the message left for redelivery."""
    try:
        body = json.loads(msg["Body"])
        send_receipt(body["email"], body["order_id"])
        sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])
    except Exception:
        log.exception("message %s failed", msg["MessageId"])


def main() -> None:
    while True:
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20, MaxNumberOfMessages=10)
        for msg in resp.get("Messages", []):
            process_one(msg)


if __name__ == "__main__":
    main()
