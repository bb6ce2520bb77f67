import httpx
from fastapi import FastAPI

INVENTORY = "http://inventory:8000"  # expect: http-hardcoded-service-url
RESERVATIONS = "http://inventory-api.shop.svc.cluster.local:8000/reservations"  # expect: http-hardcoded-service-url
app = FastAPI()
client = httpx.AsyncClient(timeout=5.0)


@app.get("/orders/{order_id}")
async def get_order(order_id: int) -> dict:
    stock = await client.get(f"{INVENTORY}/items/{order_id}")
    hits = await client.post("http://search:9200/orders/_search", json={"query": {"match_all": {}}})  # expect: http-hardcoded-service-url
    return {"stock": stock.json(), "hits": hits.json()}
