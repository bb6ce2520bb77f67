import os
import ssl

import httpx
import jwt
import requests

CA_BUNDLE = os.environ.get("INTERNAL_CA_BUNDLE", "/etc/ssl/certs/internal-ca.pem")
partner = httpx.AsyncClient(base_url="https://partner.example.com", verify=CA_BUNDLE, timeout=5.0)
ctx = ssl.create_default_context(cafile=CA_BUNDLE)


def fetch_invoice(invoice_id: str) -> bytes:
    return requests.get(f"https://billing.internal/invoices/{invoice_id}", verify=CA_BUNDLE, timeout=5).content


def strict(context: ssl.SSLContext) -> bool:
    return context.verify_mode != ssl.CERT_NONE


def claims_for_logging(token: str) -> dict:
    # not TLS: reading claims of a token that was verified upstream
    return jwt.decode(token, options={"verify_signature": False}, algorithms=["RS256"])
