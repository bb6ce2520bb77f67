import json
import logging
import os

import boto3
from sqlalchemy.exc import SQLAlchemyError

from app.db import SessionLocal
from app.models import Delivery

log = logging.getLogger(__name__)
sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]


def run() -> None:
    session = SessionLocal()
    while True:
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20, MaxNumberOfMessages=10)
        for msg in resp.get("Messages", []):
            try:
                event = json.loads(msg["Body"])
                session.add(Delivery(order_id=event["order_id"], channel=event["channel"]))
                session.commit()
                sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])
            except Exception:  # expect: data-session-not-rolled-back
                log.exception("could not record delivery")
                continue
