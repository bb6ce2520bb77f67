import logging

log = logging.getLogger(__name__)


def send_receipt(email: str, order_id: int) -> None:
    log.info("receipt for order %s sent to %s", order_id, email)
