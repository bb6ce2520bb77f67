"""The weekly audit's tracking issue counts, per rule, the PR comments people dismissed."""

from __future__ import annotations

from tests.github.conftest import APP_HEAD, Scenario, service_repo
from tests.github.test_audit import audit, open_issues
from tests.github.test_threads import PUSH1, inline, push


def test_the_tracking_issue_lists_dismissals_per_rule(scenario: Scenario) -> None:
    push(scenario, PUSH1, "get", "post", "delete")
    ids = inline(scenario)
    scenario.fake.add_reaction(ids["get"], "-1", user="alice")
    scenario.fake.add_reply(7, ids["post"], "false positive: pricing is in-process", user="bob")
    scenario.fake.add_reply(7, ids["delete"], "Thanks, will do", user="bob")
    scenario.fake.add_reaction(ids["delete"], "+1", user="bob")

    assert audit(scenario, service_repo(APP_HEAD)) == 0
    body = open_issues(scenario)[0]["body"]
    assert "<details><summary>Dismissed on pull requests (last 90 days)</summary>" in body
    assert "| `http-call-without-timeout` | 2 | 3 |" in body
    assert body.count("| `") == 1  # only rules with a dismissal are listed
    listing = scenario.fake.calls("GET", "/repos/acme/shop/pulls/comments")
    assert len(listing) == 1 and listing[0].query["since"].endswith("Z")


def test_no_dismissals_no_section_and_a_failed_listing_does_not_fail_the_audit(scenario: Scenario) -> None:
    push(scenario, PUSH1, "get")
    assert audit(scenario, service_repo(APP_HEAD)) == 0
    assert "Dismissed on pull requests" not in open_issues(scenario)[0]["body"]
    scenario.fake.fail("GET", "/repos/acme/shop/pulls/comments", 404, "Not Found")
    assert audit(scenario, service_repo(APP_HEAD)) == 0
    assert len(open_issues(scenario)) == 1
