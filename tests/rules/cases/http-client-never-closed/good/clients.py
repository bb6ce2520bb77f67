import os

import httpx

# closed by the lifespan in app.py: `await clients.inventory.aclose()`
inventory = httpx.AsyncClient(base_url=os.environ["INVENTORY_URL"], timeout=5.0)
