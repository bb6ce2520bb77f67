import json
import logging
import os

from aiokafka import AIOKafkaConsumer

from app.mailer import send_receipt

log = logging.getLogger(__name__)


async def run() -> None:
    consumer = AIOKafkaConsumer("orders.created", bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"],
                                group_id="notifications", enable_auto_commit=False)
    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=1000, max_records=100)
            for records in batches.values():
                for record in records:
                    event = json.loads(record.value)
                    send_receipt(event["email"], event["order_id"])
            await consumer.commit()
    finally:
        await consumer.stop()
