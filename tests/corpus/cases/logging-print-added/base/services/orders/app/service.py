import logging

logger = logging.getLogger(__name__)


def total(prices: list[int]) -> int:
    logger.debug("pricing %d items", len(prices))
    return sum(prices)
