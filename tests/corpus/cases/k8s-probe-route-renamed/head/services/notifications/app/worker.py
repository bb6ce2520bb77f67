import json
import logging
import os

import boto3

from app.mailer import send_receipt

log = logging.getLogger(__name__)
QUEUE_URL = os.environ["QUEUE_URL"]
sqs = boto3.client("sqs")


def handle(body: dict) -> None:
    send_receipt(body["email"], body["order_id"])


def main() -> None:
    while True:
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20, MaxNumberOfMessages=10)
        for msg in resp.get("Messages", []):
            try:
                handle(json.loads(msg["Body"]))
            except Exception:
                log.exception("message %s failed; left for redelivery", msg["MessageId"])
                continue
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])


if __name__ == "__main__":
    main()
