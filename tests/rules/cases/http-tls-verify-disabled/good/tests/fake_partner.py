# test helpers talk to a loopback fake with a self-signed certificate
import httpx


def fake_partner_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, verify=False, timeout=2.0)
