import httpx

# a compose service and a Kubernetes Service of this repository are both named inventory:
# the name is the address, in every environment this service runs in
INVENTORY = "http://inventory:8000"
SEARCH = "http://search:9200"
client = httpx.AsyncClient(base_url=INVENTORY, timeout=5.0)
