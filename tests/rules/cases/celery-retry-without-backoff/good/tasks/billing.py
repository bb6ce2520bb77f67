import httpx
from celery import Celery, shared_task

app = Celery("billing", broker="redis://redis:6379/0")


@app.task(bind=True, autoretry_for=(httpx.TransportError,), max_retries=5, retry_backoff=True, retry_jitter=True)
def charge(self, order_id: int) -> None:
    httpx.post("http://payments:8000/charges", json={"order_id": order_id}, timeout=5).raise_for_status()


@shared_task(bind=True, max_retries=5)
def refund(self, order_id: int) -> None:
    try:
        httpx.post("http://payments:8000/refunds", json={"order_id": order_id}, timeout=5).raise_for_status()
    except httpx.TransportError as exc:
        raise self.retry(exc=exc, countdown=min(2 ** self.request.retries * 5, 600))


@app.task
def cleanup() -> None:
    pass


@app.task(bind=True, autoretry_for=(), retry_backoff=False, max_retries=0)
def analyze(self, call_id: int) -> None:
    pass


@shared_task(autoretry_for=(httpx.TransportError,), retry_backoff=2, retry_backoff_max=16, max_retries=3)
def submit(order_id: int) -> None:
    pass
