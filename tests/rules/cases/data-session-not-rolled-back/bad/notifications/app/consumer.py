import logging
import os

from aiokafka import AIOKafkaConsumer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.models import Event

log = logging.getLogger(__name__)
engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
async_session = async_sessionmaker(engine, expire_on_commit=False)


async def consume() -> None:
    consumer = AIOKafkaConsumer("orders", bootstrap_servers=os.environ["KAFKA"], group_id="notifications")
    await consumer.start()
    async with async_session() as session:
        async for record in consumer:
            try:
                session.add(Event.from_record(record))
                await session.commit()
            except SQLAlchemyError as exc:  # expect: data-session-not-rolled-back
                log.warning("dropped event %s: %s", record.offset, exc)
