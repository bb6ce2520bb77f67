import httpx

inventory = httpx.AsyncClient(base_url="http://inventory:8000", timeout=3.0)


async def fetch_stock(item_id: int) -> dict:
    resp = await inventory.get(f"/items/{item_id}")
    resp.raise_for_status()
    return resp.json()


def fetch_label(item_id: int) -> str:
    return f"ITEM-{item_id:08d}".upper()
