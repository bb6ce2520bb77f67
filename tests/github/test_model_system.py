"""Claude that knows the system, end to end on the loopback fakes (real PyGithub, real anthropic client):
the context pack in the request, grounding, findings on the callee, Architect's notes on a rule's
comment, and incremental model reviews on later pushes."""

from __future__ import annotations

import re

from tests.fakes.anthropic_server import FakeAnthropic
from tests.github.conftest import HEAD_SHA, Scenario, file_entry, line_of
from tests.github.test_comment_trigger import comment_payload

KEY = "sk-ant-api03-secretsecretsecret"
SECOND_SHA = "c" * 40

ORDERS_BASE = '''from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}
'''

ORDERS_HEAD = ORDERS_BASE + '''

@app.get("/orders/{order_id}")
def get_order(order_id: int) -> dict:
    stock = requests.get(f"http://inventory:8000/v1/stock/{order_id}")
    return {"order": order_id, "stock": stock.json()}
'''

ORDERS_SECOND = ORDERS_HEAD + '''

@app.get("/orders/{order_id}/eta")
def get_eta(order_id: int) -> dict:
    return {"order": order_id, "eta_days": 3}
'''

INVENTORY = '''import time

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class StockLevel(BaseModel):
    item_id: int
    available: int


@app.get("/v1/stock/{item_id}", response_model=StockLevel)
def stock(item_id: int) -> StockLevel:
    time.sleep(2)  # recount the warehouse on every read
    return StockLevel(item_id=item_id, available=3)
'''

COMPOSE = '''services:
  orders:
    build: ./orders
    environment:
      DATABASE_URL: postgresql://orders:[REDACTED]@orders-db:5432/orders
  inventory:
    build: ./inventory
    ports:
      - "8001:8000"
'''


def repo(orders: str) -> dict[str, str | bytes]:
    return {"orders/app.py": "import requests\n" + orders, "inventory/app.py": INVENTORY, "docker-compose.yml": COMPOSE}


def diff_part(text: str) -> str:
    return text.split("<diff>", 1)[1]


def context_part(text: str) -> str:
    return text.split("<context>", 1)[1].split("</context>", 1)[0]


def architect(request: dict) -> dict:
    """What a model that read the context would answer: one point on the callee, one beside the rule's
    timeout finding on the new call, and one whose evidence it made up."""
    text = "\n".join(m["content"] for m in request["messages"])
    findings = []
    call = re.search(r"^\s*(\d+) \+ \s*stock = requests.get", diff_part(text), re.M)
    if call:
        findings.append({"path": "orders/app.py", "line": int(call.group(1)), "severity": "warning",
                         "category": "resilience", "title": "No fallback when inventory is down",
                         "body": "Orders fail outright whenever inventory restarts; serve the order without stock.",
                         "evidence": 'stock = requests.get(f"http://inventory:8000/v1/stock/{order_id}")',
                         "fix": "stock = cached_stock(order_id)", "confidence": 0.9})
        findings.append({"path": "orders/app.py", "line": int(call.group(1)), "severity": "warning",
                         "category": "resilience", "title": "Retries forever on failure",
                         "body": "The loop never gives up and piles up requests during an outage.",
                         "evidence": "while True: retry()", "confidence": 0.9})
    sleep = re.search(r"^\s*(\d+)\s+time\.sleep\(2\)", context_part(text), re.M)
    if sleep:
        findings.append({"path": "inventory/app.py", "line": int(sleep.group(1)), "severity": "warning",
                         "category": "resilience", "title": "The stock handler this call now waits on sleeps 2 s",
                         "body": "Every order read now takes over two seconds and holds an inventory worker.",
                         "evidence": "time.sleep(2)", "confidence": 0.85})
    return {"findings": findings}


def run_model(scenario: Scenario, claude: FakeAnthropic, env: dict[str, str] | None = None) -> None:
    env = env or scenario.pr_env("opened", anthropic_api_key=KEY)
    env["ANTHROPIC_BASE_URL"] = claude.base_url
    assert scenario.run(env) == 0


def push(scenario: Scenario, head: dict[str, str | bytes], sha: str) -> None:
    """A new push: the PR's head moves to ``sha``, its files are base..head again, reviews stay."""
    pull = scenario.fake.pulls[scenario.number]
    pull.head_sha = sha
    pull.files = [file_entry(p, scenario.base.get(p), head.get(p)) for p in sorted(set(scenario.base) | set(head))
                  if scenario.base.get(p) != head.get(p)]
    scenario.fake.set_tree(sha, head)
    scenario.head = head


def test_the_request_carries_the_context_pack_and_what_survives_is_posted_where_it_belongs(scenario: Scenario):
    scenario.open_pr(repo(ORDERS_BASE), repo(ORDERS_HEAD))
    with FakeAnthropic(answer=architect) as claude:
        run_model(scenario, claude)
    [request] = claude.message_requests
    text = request.user_text
    context = context_part(text)
    assert "service map: orders" in context and "calls: inventory" in context
    assert "context: inventory/app.py  (GET /v1/stock/{item_id} in service inventory, called from orders/app.py" \
        in context
    assert "time.sleep(2)" in context and "class StockLevel(BaseModel):" in context  # handler and its model
    assert "compose service orders" in context
    assert "[http-call-without-timeout]" in text.split("<rule_findings>", 1)[1].split("</rule_findings>")[0]

    [post] = scenario.review_posts()
    body, comments = post.body["body"], post.body["comments"]
    call_line = line_of(scenario.head["orders/app.py"], "stock = requests.get")  # type: ignore[arg-type]
    [timeout] = [c for c in comments if "`http-call-without-timeout`" in c["body"]]
    assert timeout["line"] == call_line
    assert "**Architect's note:** No fallback when inventory is down." in timeout["body"]
    assert "No fallback" not in body  # one comment carries both, not two
    assert "The stock handler this call now waits on sleeps 2 s" in body  # the callee: in the body ...
    assert f"sleeps 2 s (via the call this change adds at orders/app.py:{call_line})" in body  # ... with its cause
    assert "Retries forever" not in body + "".join(c["body"] for c in comments)
    assert "1 finding(s) dropped, their evidence is not in the code shown near the cited line" in scenario.summary
    assert f"<!-- arch-review:model-head={HEAD_SHA} -->" in body
    assert "Model review: full." in scenario.summary


def test_a_second_push_sends_only_the_hunks_changed_since_the_reviewed_head(scenario: Scenario):
    scenario.open_pr(repo(ORDERS_BASE), repo(ORDERS_HEAD))
    with FakeAnthropic(answer=architect) as claude:
        run_model(scenario, claude)
        push(scenario, repo(ORDERS_SECOND), SECOND_SHA)
        scenario.fake.requests.clear()
        run_model(scenario, claude, scenario.pr_env("synchronize", anthropic_api_key=KEY))
    first, second = claude.message_requests
    assert "stock = requests.get" in diff_part(first.user_text)
    diff = diff_part(second.user_text)
    assert "def get_eta(order_id: int) -> dict:" in diff
    assert "+     stock = requests.get" not in diff and "file: inventory" not in diff
    assert f"Model review: incremental, the hunks changed since {HEAD_SHA[:7]} (1 file(s))." in scenario.summary
    assert scenario.fake.calls("GET", rf"/repos/acme/shop/compare/{HEAD_SHA}\.\.\.{SECOND_SHA}")
    # the second run read our reviews once: for the model's last head and for what was said before
    assert len(scenario.fake.calls("GET", r"/repos/acme/shop/pulls/7/reviews(\?.*)?")) == 1


def test_a_force_push_or_arch_review_full_gets_a_full_model_review_and_says_why(scenario: Scenario):
    scenario.open_pr(repo(ORDERS_BASE), repo(ORDERS_HEAD))
    with FakeAnthropic(answer=architect) as claude:
        run_model(scenario, claude)
        push(scenario, repo(ORDERS_SECOND), SECOND_SHA)
        scenario.fake.compare_status[(HEAD_SHA, SECOND_SHA)] = "diverged"
        run_model(scenario, claude, scenario.pr_env("synchronize", anthropic_api_key=KEY))
        assert "stock = requests.get" in diff_part(claude.message_requests[-1].user_text)
        assert "is not an ancestor of this head (diverged: a force-push or rebase)" in scenario.summary

        env = scenario.env("issue_comment", comment_payload(scenario, "/arch-review full"), anthropic_api_key=KEY)
        run_model(scenario, claude, env)
    assert "stock = requests.get" in diff_part(claude.message_requests[-1].user_text)
    assert "model review: full, as <code>full</code> asked" in scenario.summary


def test_a_rerun_on_the_reviewed_head_makes_no_model_request_and_says_so(scenario: Scenario):
    scenario.open_pr(repo(ORDERS_BASE), repo(ORDERS_HEAD))
    with FakeAnthropic(answer=architect) as claude:
        run_model(scenario, claude)
        run_model(scenario, claude, scenario.pr_env("synchronize", anthropic_api_key=KEY))
    assert len(claude.message_requests) == 1
    assert len(scenario.review_posts()) == 1  # nothing new: nothing posted
    assert f"Model review: incremental, the hunks changed since {HEAD_SHA[:7]} (0 file(s))." in scenario.summary
