"""`/arch-review` comments: trusted commenters get a review; anyone else gets nothing written."""

from __future__ import annotations

from tests.github.conftest import APP_BASE, APP_HEAD, HEAD_SHA, Scenario, comments_of, line_of, service_repo


def comment_payload(scenario: Scenario, body: str, association: str = "MEMBER", user: str = "alice",
                    on_pr: bool = True) -> dict:
    cid = scenario.fake.add_issue_comment(scenario.number, body, user)
    issue = {"number": scenario.number, "title": "Add orders endpoint"}
    if on_pr:
        issue["pull_request"] = {"url": f"{scenario.fake.base_url}/repos/acme/shop/pulls/{scenario.number}"}
    return {"action": "created", "issue": issue,
            "comment": {"id": cid, "body": body, "author_association": association, "user": {"login": user}}}


def test_trusted_comment_acknowledges_and_reviews_the_pr_head(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    env = scenario.env("issue_comment", comment_payload(scenario, "/arch-review"))
    assert scenario.run(env) == 0
    assert [r["content"] for r in scenario.fake.reactions] == ["eyes"]
    posts = scenario.review_posts()
    assert len(posts) == 1 and posts[0].body["commit_id"] == HEAD_SHA  # from the API, not GITHUB_SHA
    assert comments_of(posts[0], "http-call-without-timeout") == [("orders/app.py", line_of(APP_HEAD, "requests.get("))]
    assert not scenario.fake.calls("GET", r".*/collaborators/.*")  # MEMBER is enough


def test_untrusted_comment_writes_nothing_and_says_why(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    scenario.fake.permissions["mallory"] = "read"
    env = scenario.env("issue_comment", comment_payload(scenario, "/arch-review", "CONTRIBUTOR", "mallory"),
                       anthropic_api_key="sk-ant-test-key-000")
    assert scenario.run(env) == 0
    assert scenario.fake.calls("GET", r"/repos/acme/shop/collaborators/mallory/permission")
    assert scenario.fake.writes == []
    assert not scenario.fake.calls("GET", r".*/pulls/.*")  # nothing was even read for a review
    assert "ignored /arch-review from mallory" in scenario.stdout and "permission read" in scenario.stdout
    assert "sk-ant-test-key-000" not in scenario.stdout


def test_a_commenter_github_does_not_know_as_a_collaborator_is_untrusted_not_an_error(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))  # 404 "eve is not a user"
    env = scenario.env("issue_comment", comment_payload(scenario, "/arch-review", "NONE", "eve"))
    assert scenario.run(env) == 0
    assert scenario.fake.writes == []
    assert "ignored /arch-review from eve" in scenario.stdout and "permission none" in scenario.stdout


def test_commenter_with_write_permission_is_trusted(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    scenario.fake.permissions["bob"] = "maintain"
    env = scenario.env("issue_comment", comment_payload(scenario, "/arch-review", "CONTRIBUTOR", "bob"))
    assert scenario.run(env) == 0
    assert len(scenario.fake.pulls[7].reviews) == 1


def test_help_replies_with_usage_and_does_not_review(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    env = scenario.env("issue_comment", comment_payload(scenario, "/arch-review help"))
    assert scenario.run(env) == 0
    replies = scenario.fake.calls("POST", r"/repos/acme/shop/issues/7/comments")
    assert len(replies) == 1 and "`/arch-review help`" in replies[0].body["body"]
    assert scenario.review_posts() == []


def test_plain_issue_comments_and_other_comments_exit_quietly(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    for payload in (comment_payload(scenario, "/arch-review", on_pr=False),
                    comment_payload(scenario, "LGTM, thanks"),
                    comment_payload(scenario, "/arch-reviewer run")):
        assert scenario.run(scenario.env("issue_comment", payload)) == 0
    assert scenario.fake.requests == []
    assert scenario.stdout.count("nothing to do") == 3


def test_full_lists_the_findings_already_present_once(scenario: Scenario) -> None:
    old = APP_BASE + '\n\ndef rates():\n    return requests.get("https://rates.example.com/latest")\n'
    if "import requests" not in old:
        old = "import requests\n" + old
    new = APP_HEAD + '\n\ndef rates():\n    return requests.get("https://rates.example.com/latest")\n'
    scenario.open_pr(service_repo(old), service_repo(new))
    assert scenario.run(scenario.pr_env()) == 0
    first = scenario.review_posts()[0].body
    assert "rates.example.com" not in str(first) and "already present" in first["body"]

    assert scenario.run(scenario.env("issue_comment", comment_payload(scenario, "/arch-review full"))) == 0
    posts = scenario.review_posts()
    assert len(posts) == 2
    old_line = line_of(new, 'requests.get("https://rates')
    assert ("orders/app.py", old_line) in comments_of(posts[1], "http-call-without-timeout")
    assert "already present" not in posts[1].body["body"]

    assert scenario.run(scenario.env("issue_comment", comment_payload(scenario, "/arch-review full"))) == 0
    assert len(scenario.review_posts()) == 2  # listed once: the markers remember it
