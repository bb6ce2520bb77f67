import os

from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI

app = FastAPI()
consumer = AIOKafkaConsumer(os.environ["ORDERS_EVENTS_TOPIC"], bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"])


@app.post("/reservations")
async def reserve(item_id: int) -> dict:
    return {"id": item_id}
