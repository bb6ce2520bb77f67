import os

import httpx
from celery import Celery

app = Celery("notifications", broker=os.environ["BROKER_URL"])


@app.task(bind=True, autoretry_for=(httpx.TransportError,), retry_backoff=True, max_retries=5)
def push_receipt(self, email: str, order_id: int) -> None:
    httpx.post("http://mailer:8000/send", json={"to": email, "order": order_id}, timeout=5).raise_for_status()
