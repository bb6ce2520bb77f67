import requests
from requests.adapters import HTTPAdapter


class TimeoutHTTPAdapter(HTTPAdapter):
    """Applies a default timeout to every request sent through the session."""

    def __init__(self, *args, timeout: float = 5.0, **kwargs):
        self.timeout = timeout
        super().__init__(*args, **kwargs)

    def send(self, request, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().send(request, **kwargs)


erp = requests.Session()
erp.mount("https://", TimeoutHTTPAdapter(timeout=10))


def export(day: str):
    return erp.get(f"https://erp.example.com/export/{day}")
