import json
import logging

import pika

from .handlers import handle

log = logging.getLogger(__name__)


def on_message(ch, method, properties, body) -> None:
    ch.basic_ack(delivery_tag=method.delivery_tag)  # expect: messaging-ack-before-processing
    order = json.loads(body)
    handle(order)


def main() -> None:
    channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
    channel.basic_consume(queue="orders", on_message_callback=on_message)
    channel.start_consuming()


def drain() -> None:
    channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
    for method, properties, body in channel.consume("orders", inactivity_timeout=5):
        if method is None:
            break
        channel.basic_ack(method.delivery_tag)  # expect: messaging-ack-before-processing
        try:
            handle(json.loads(body))
        except Exception:
            log.exception("failed")
