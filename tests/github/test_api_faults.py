"""GitHub answers that are not what the API promises: a broken ``/pulls/{n}/files`` page, event payloads
of the wrong shape, a secondary rate limit that never ends. Each is an error that says what happened
(exit 2), never "no findings"."""

from __future__ import annotations

import pytest

from tests.github.conftest import APP_BASE, APP_HEAD, Scenario, service_repo

FILES = r"/repos/acme/shop/pulls/7/files"
BROKEN = {
    "empty": (200, b""),
    "html": (200, b"<html><body>Unicorn! This page is taking too long</body></html>"),
    "truncated": (200, b'[{"filename": "orders/app.py", "status": "modif'),
    "object": (200, b'{"message": "not a list"}'),
    "strings": (200, b'["orders/app.py", 3]'),
    "null": (200, b"null"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_files_page_is_an_error_not_a_clean_review(scenario: Scenario, case: str) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    status, raw = BROKEN[case]
    scenario.fake.answer_raw("GET", FILES, status, raw, times=10)
    assert scenario.run(scenario.pr_env()) == 2
    assert scenario.review_posts() == []
    assert "no findings" not in scenario.stdout and "unexpectedly" not in scenario.stdout
    expected = " ".join(raw.decode().split())[:40] or "(empty body)"
    assert f"GitHub answered {status} to list the files of PR #7" in scenario.stdout
    assert expected in scenario.stdout


def test_an_html_error_page_is_quoted(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    scenario.fake.answer_raw("GET", FILES, 502, b"<html>bad gateway</html>", times=20,
                             content_type="text/html")
    assert scenario.run(scenario.pr_env()) != 0
    assert "GitHub answered 502 to list the files of PR #7 (waited 14 s over 4 retries, then stopped: out of " \
           "retries): <html>bad gateway</html>" in scenario.stdout


SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."


@pytest.mark.parametrize("retry_after", ["60", None])
def test_a_secondary_rate_limit_that_never_ends_says_so(scenario: Scenario, retry_after: str | None) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    headers = {"Retry-After": retry_after} if retry_after else {}
    scenario.fake.fail("GET", FILES, 403, SECONDARY, times=100, headers=headers)
    code = scenario.run(scenario.pr_env())
    assert code != 0 and scenario.review_posts() == []
    waited = sum(scenario.sleeps)
    assert "rate limit" in scenario.stdout and f"waited {waited:.0f} s" in scenario.stdout
    assert "unexpectedly" not in scenario.stdout


@pytest.mark.parametrize(("event", "payload", "named"), [
    ("pull_request", {"action": "opened"}, "no pull_request object"),
    ("pull_request", {"action": "opened", "pull_request": "7"}, "pull_request is '7' (str)"),
    ("pull_request", {"action": "opened", "pull_request": {"number": "7"}}, "pull_request.number is '7' (str)"),
    ("pull_request", {"action": "opened", "pull_request": {"number": True}}, "pull_request.number"),
    ("pull_request", {"action": "opened", "pull_request": {}}, "no pull request number"),
    ("pull_request", {"action": ["opened"], "pull_request": {"number": 7}}, "action is"),
    ("pull_request", [1, 2], "top level is '[1, 2]' (list)"),
    ("issue_comment", {"action": "created", "issue": [], "comment": {}}, "issue is"),
    ("issue_comment", {"action": "created", "issue": {"number": 7, "pull_request": {}},
                       "comment": {"id": 1, "body": 42}}, "comment.body is '42' (int)"),
    ("issue_comment", {"action": "created", "issue": {"number": 7}, "comment": {"id": 1, "user": "bob"}},
     "comment.user is 'bob' (str)"),
])
def test_an_event_payload_of_the_wrong_shape_is_named(scenario: Scenario, event: str, payload: object,
                                                     named: str) -> None:
    assert scenario.run(scenario.env(event, payload)) == 2  # type: ignore[arg-type]
    assert named in scenario.stdout and "unexpectedly" not in scenario.stdout
    assert scenario.fake.writes == []
