import logging
import os

import aio_pika

from app.mailer import send_receipt

log = logging.getLogger(__name__)


async def consume() -> None:
    connection = await aio_pika.connect_robust(os.environ["AMQP_URL"])
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=20)
    queue = await channel.declare_queue("receipts", durable=True)
    async with queue.iterator() as it:
        async for message in it:
            await message.ack()
            try:
                order = message.headers["order_id"]
                send_receipt(message.body.decode(), order)
            except Exception:
                log.exception("receipt for %s failed", message.message_id)
