import httpx
from celery import Celery, shared_task

app = Celery("billing", broker="redis://redis:6379/0")


@app.task(bind=True, autoretry_for=(httpx.TransportError,), retry_backoff=True, max_retries=5)
def charge(self, order_id: int) -> None:
    httpx.post("http://payments:8000/charges", json={"order_id": order_id}, timeout=5).raise_for_status()


@shared_task(bind=True, max_retries=8)
def refund(self, order_id: int) -> None:
    try:
        httpx.post("http://payments:8000/refunds", json={"order_id": order_id}, timeout=5).raise_for_status()
    except httpx.TransportError as exc:
        raise self.retry(exc=exc, countdown=2 ** self.request.retries * 10)


@shared_task(autoretry_for=(httpx.TransportError,), retry_backoff=True, retry_kwargs={"max_retries": 5, "countdown": 5})
def notify(order_id: int) -> None:
    httpx.post("http://mailer:8000/send", json={"order_id": order_id}, timeout=5).raise_for_status()
