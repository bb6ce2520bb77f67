import respx
from httpx import Response


@respx.mock
def mock_inventory(client):
    respx.get("http://inventory:8000/items/1").mock(return_value=Response(200, json={"stock": 3}))
    assert client.get("/orders/1").status_code == 200
