"""What the outbound-call findings tell the author: the route a helper serves, the real call with
its deadline, the client's own Config, the loop run concurrently."""

from __future__ import annotations

import textwrap

from reviewer.config import Config
from reviewer.engine import review
from reviewer.model import Finding, Severity
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.sources.edits import apply_suggestion
from reviewer.workspace.files import DictSource


def _findings(files: dict[str, str], rule: str) -> list[Finding]:
    files = {p: textwrap.dedent(t) for p, t in files.items()}
    report = review(RuleContext(project=Project.load(DictSource(files))), Config())
    return [f for f in report.findings if f.rule_id == rule]


HELPER = """
    import requests
    from fastapi import FastAPI

    app = FastAPI()


    def get_json(url: str) -> dict:
        return requests.get(url).json()


    def unused(url: str) -> dict:
        return requests.get(url).json()


    @app.get("/rates/{currency}")
    def rates(currency: str) -> dict:
        return get_json(f"https://rates.example.com/{currency}")
"""


def test_a_helper_a_route_calls_is_an_error_that_names_the_route():
    by_line = {f.line: f for f in _findings({"app.py": HELPER}, "http-call-without-timeout")}
    assert by_line[9].severity is Severity.ERROR and "`GET /rates/{currency}`" in by_line[9].title
    assert by_line[13].severity is Severity.WARNING and "route" not in by_line[13].title


GRPC = """
    import grpc
    from protos import orders_pb2, orders_pb2_grpc

    stub = orders_pb2_grpc.OrdersStub(grpc.insecure_channel("orders:50051"))


    def status(order_id: int) -> str:
        return stub.GetOrder(orders_pb2.GetOrderRequest(id=order_id)).status
"""


def test_the_deadline_is_suggested_on_the_real_stub_call():
    (found,) = _findings({"client.py": GRPC}, "grpc-call-without-deadline")
    fixed = apply_suggestion(textwrap.dedent(GRPC), found.line, found.end_line, found.suggestion)
    assert "stub.GetOrder(orders_pb2.GetOrderRequest(id=order_id), timeout=5.0).status" in fixed


def test_a_service_config_with_a_timeout_gives_every_call_a_deadline():
    configured = GRPC.replace('grpc.insecure_channel("orders:50051")', 'grpc.insecure_channel("orders:50051", options=['
                              '("grpc.service_config", \'{"methodConfig": [{"name": [{}], "timeout": "2s"}]}\')])')
    assert _findings({"client.py": configured}, "grpc-call-without-deadline") == []


BOTO = """
    import boto3
    from fastapi import FastAPI

    app = FastAPI()
    s3 = boto3.client("s3")


    @app.get("/reports/{key}")
    def report(key: str) -> bytes:
        return s3.get_object(Bucket="reports", Key=key)["Body"].read()
"""


def test_boto3_finding_names_the_handler_and_the_call_and_fixes_the_client():
    (found,) = _findings({"app.py": BOTO}, "boto3-client-without-timeouts")
    assert found.line == 6 and "`report` calls `s3.get_object()`" in found.title
    assert "from botocore.config import Config" in found.fix and "read_timeout=5" in found.fix


def test_boto3_quiet_when_the_session_sets_the_default_config():
    configured = BOTO.replace('    s3 = boto3.client("s3")', """\
    import botocore.session
    from botocore.config import Config

    core = botocore.session.get_session()
    core.set_default_client_config(Config(connect_timeout=2, read_timeout=5))
    s3 = boto3.Session(botocore_session=core).client("s3")""")
    assert "set_default_client_config" in configured
    assert _findings({"app.py": configured}, "boto3-client-without-timeouts") == []


def test_the_fan_out_fix_gathers_the_real_call_under_a_timeout():
    app = """
        import httpx
        from fastapi import FastAPI

        app = FastAPI()
        client = httpx.AsyncClient(timeout=5.0)


        @app.post("/batch")
        async def batch(ids: list[int]) -> list[dict]:
            out = []
            for item_id in ids:
                out.append((await client.get(f"/items/{item_id}")).json())
            return out
    """
    (found,) = _findings({"app.py": app}, "http-sequential-fan-out")
    assert found.line == 12 and "`batch` awaits `client.get()` once per item of `ids`" in found.title
    assert "await client.get(f'/items/{item_id}')" in found.fix
    assert "asyncio.gather(*(one(item_id) for item_id in ids)" in found.fix and "asyncio.timeout" in found.fix
