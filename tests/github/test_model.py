"""With an anthropic-api-key: Claude's findings join the same single review (real anthropic client)."""

from __future__ import annotations

from tests.fakes.anthropic_server import FakeAnthropic, Fault, echo_answer
from tests.github.conftest import APP_BASE, APP_HEAD, Scenario, service_repo

KEY = "sk-ant-api03-secretsecretsecret"


def test_model_findings_are_posted_in_the_same_review(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD), title="Orders endpoint")
    with FakeAnthropic(answer=echo_answer) as claude:
        env = scenario.pr_env(anthropic_api_key=KEY, model="claude-test-model")
        env["ANTHROPIC_BASE_URL"] = claude.base_url
        assert scenario.run(env) == 0
    assert claude.message_requests and claude.message_requests[0].json["model"] == "claude-test-model"
    posts = scenario.review_posts()
    assert len(posts) == 1
    text = posts[0].body["body"] + "".join(c["body"] for c in posts[0].body["comments"])
    assert "· model" in text
    assert "Model usage: 1 request" in scenario.summary and "rules-only" not in scenario.summary
    assert KEY not in scenario.stdout + scenario.summary + text


def test_model_down_still_posts_the_rule_findings(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    with FakeAnthropic(down=Fault(status=529)) as claude:
        env = scenario.pr_env(anthropic_api_key=KEY)
        env["ANTHROPIC_BASE_URL"] = claude.base_url
        assert scenario.run(env) == 0
    posts = scenario.review_posts()
    assert len(posts) == 1 and any("`http-call-without-timeout`" in c["body"] for c in posts[0].body["comments"])
    assert "model review failed" in scenario.summary and "529" in scenario.summary
