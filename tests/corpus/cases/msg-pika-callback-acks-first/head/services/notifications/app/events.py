import json
import logging
import os

import pika

from app.mailer import send_receipt

log = logging.getLogger(__name__)


def on_receipt(ch, method, properties, body) -> None:
    ch.basic_ack(delivery_tag=method.delivery_tag)
    event = json.loads(body)
    send_receipt(event["email"], event["order_id"])


def main() -> None:
    channel = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"])).channel()
    channel.basic_qos(prefetch_count=10)
    channel.basic_consume(queue="receipts", on_message_callback=on_receipt)
    channel.start_consuming()
