import logging

logging.basicConfig(level=logging.DEBUG)  # expect: logging-configured-per-module
logger = logging.getLogger(__name__)


async def create(order):
    logger.info("created order %s", order.id)
    return order
