import aio_pika
import redis

from .handlers import handle

r = redis.Redis(host="redis")


async def consume(url: str) -> None:
    connection = await aio_pika.connect_robust(url)
    channel = await connection.channel()
    queue = await channel.declare_queue("emails", durable=True)
    async with queue.iterator() as it:
        async for message in it:  # expect: messaging-consumer-loop-unguarded
            async with message.process():
                await handle(message.body)


def tail_stream() -> None:
    while True:  # expect: messaging-consumer-loop-unguarded
        for _, entries in r.xreadgroup("billing", "worker-1", {"orders": ">"}, block=5000):
            for entry_id, fields in entries:
                handle(fields)
                r.xack("orders", "billing", entry_id)
