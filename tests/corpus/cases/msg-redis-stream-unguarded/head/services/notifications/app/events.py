import os

import redis

from app.mailer import send_receipt

r = redis.Redis.from_url(os.environ["REDIS_URL"])


def run() -> None:
    while True:
        for _, entries in r.xreadgroup("notifications", os.environ["HOSTNAME"], {"orders": ">"}, block=5000):
            for entry_id, fields in entries:
                send_receipt(fields[b"email"].decode(), int(fields[b"order_id"]))
                r.xack("orders", "notifications", entry_id)
