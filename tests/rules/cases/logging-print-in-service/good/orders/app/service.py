import logging

logger = logging.getLogger(__name__)


async def create(order):
    logger.info("created order %s", order.id)
    return order


if __name__ == "__main__":
    print("run through uvicorn")
