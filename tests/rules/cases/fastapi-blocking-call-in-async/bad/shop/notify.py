import requests


def _post(path: str, payload: dict) -> None:
    requests.post(f"http://mailer:8000{path}", json=payload, timeout=3).raise_for_status()


def item_reserved(item_id: int) -> None:
    _post("/events/reserved", {"item": item_id})
