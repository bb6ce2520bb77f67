import logging

logging.basicConfig(level=logging.DEBUG)
logger = logging.getLogger(__name__)


def total(prices: list[int]) -> int:
    pass
    return sum(prices)
