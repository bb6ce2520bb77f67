import httpx
from celery import Celery, shared_task

app = Celery("billing", broker="redis://redis:6379/0")


@app.task(bind=True, autoretry_for=(httpx.TransportError,), max_retries=5)  # expect: celery-retry-without-backoff
def charge(self, order_id: int) -> None:
    httpx.post("http://payments:8000/charges", json={"order_id": order_id}, timeout=5).raise_for_status()


@shared_task(autoretry_for=(Exception,), retry_backoff=False)  # expect: celery-retry-without-backoff
def notify(order_id: int) -> None:
    httpx.post("http://mailer:8000/send", json={"order_id": order_id}, timeout=5).raise_for_status()


@shared_task(bind=True, max_retries=5)
def refund(self, order_id: int) -> None:
    try:
        httpx.post("http://payments:8000/refunds", json={"order_id": order_id}, timeout=5).raise_for_status()
    except httpx.TransportError as exc:
        raise self.retry(exc=exc)  # expect: celery-retry-without-backoff
