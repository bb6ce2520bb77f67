import logging

logger = logging.getLogger(__name__)


def total(prices: list[int]) -> int:
    print(f"pricing {len(prices)} items")
    return sum(prices)
