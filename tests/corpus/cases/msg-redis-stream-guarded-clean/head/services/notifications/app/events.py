import logging
import os

import redis

from app.mailer import send_receipt

log = logging.getLogger(__name__)
r = redis.Redis.from_url(os.environ["REDIS_URL"])


def run() -> None:
    while True:
        for _, entries in r.xreadgroup("notifications", os.environ["HOSTNAME"], {"orders": ">"}, block=5000):
            for entry_id, fields in entries:
                try:
                    send_receipt(fields[b"email"].decode(), int(fields[b"order_id"]))
                except Exception:
                    log.exception("entry %s failed; stays pending", entry_id)
                    continue
                r.xack("orders", "notifications", entry_id)
