import json
import logging
import os

import boto3
import requests
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.db import SessionLocal
from app.models import Delivery

log = logging.getLogger(__name__)
sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]


def run() -> None:
    while True:
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20, MaxNumberOfMessages=10)
        for msg in resp.get("Messages", []):
            with SessionLocal() as session:  # a session per message: a failure cannot outlive it
                try:
                    event = json.loads(msg["Body"])
                    session.add(Delivery(order_id=event["order_id"], channel=event["channel"]))
                    session.commit()
                except Exception:
                    log.exception("could not record delivery")
                    continue
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])


def run_shared() -> None:
    session = SessionLocal()
    while True:
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
        for msg in resp.get("Messages", []):
            try:
                session.add(Delivery.from_json(msg["Body"]))
                session.commit()
            except IntegrityError:
                session.rollback()
                log.info("duplicate delivery, skipped")
            except SQLAlchemyError:
                log.exception("database down, stopping")
                raise


def run_scoped() -> None:
    session = SessionLocal()
    while True:
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
        for msg in resp.get("Messages", []):
            try:
                with session.begin():
                    session.add(Delivery.from_json(msg["Body"]))
            except Exception:
                log.exception("could not record delivery")


def run_parse_only() -> None:
    session = SessionLocal()
    for msg in sqs.receive_message(QueueUrl=QUEUE_URL).get("Messages", []):
        try:
            event = json.loads(msg["Body"])
            session.add(Delivery(order_id=event["order_id"]))
        except (ValueError, KeyError):
            log.warning("malformed message skipped")
    session.commit()


def notify_all(urls: list[str]) -> None:
    http = requests.Session()
    for url in urls:
        try:
            http.get(url, timeout=5).raise_for_status()
        except Exception:
            log.exception("notify %s failed", url)
