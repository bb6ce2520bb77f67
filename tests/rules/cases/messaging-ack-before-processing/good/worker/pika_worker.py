import json
import logging

import pika

from .handlers import handle

log = logging.getLogger(__name__)


def on_message(ch, method, properties, body) -> None:
    try:
        handle(json.loads(body))
    except Exception:
        log.exception("order message failed; dead-lettered")
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=False)
        return
    ch.basic_ack(delivery_tag=method.delivery_tag)


def main() -> None:
    channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
    channel.basic_consume("orders", on_message)
    channel.start_consuming()


def audit(ch, method, properties, body) -> None:  # not registered as a consumer callback
    ch.basic_ack(delivery_tag=method.delivery_tag)
    handle(body)
