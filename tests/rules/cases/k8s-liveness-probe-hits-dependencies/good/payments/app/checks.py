import httpx

stripe = httpx.AsyncClient(base_url="https://api.stripe.com", timeout=2.0)


async def stripe_reachable() -> None:
    resp = await stripe.get("/healthcheck")
    resp.raise_for_status()
