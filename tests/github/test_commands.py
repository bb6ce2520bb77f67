"""PR commands, answered on the loopback GitHub: pause / resume, ignore, explain, help, unknown."""

from __future__ import annotations

import pytest

from reviewer.commands import PrState
from tests.github.conftest import APP_BASE, APP_HEAD, Scenario, service_repo
from tests.github.test_comment_trigger import comment_payload

R = "/repos/acme/shop"


def say(scenario: Scenario, body: str, association: str = "MEMBER", user: str = "alice") -> int:
    return scenario.run(scenario.env("issue_comment", comment_payload(scenario, body, association, user)))


def our_comments(scenario: Scenario) -> list[str]:
    return [c["body"] for c in scenario.fake.issue_comments.values() if c["user"] == "github-actions[bot]"]


@pytest.fixture
def pr(scenario: Scenario) -> Scenario:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    return scenario


def test_pause_confirms_and_a_push_is_not_reviewed_until_resume(pr: Scenario) -> None:
    assert say(pr, "/arch-review pause") == 0
    assert [r["content"] for r in pr.fake.reactions] == ["eyes"]
    confirmation = our_comments(pr)[-1]
    assert confirmation.startswith("### arch-review\n\nPaused by @alice")
    assert PrState.read([confirmation]) == PrState(paused=True, paused_by="alice")
    assert pr.review_posts() == []

    assert pr.run(pr.pr_env()) == 0  # a push to the paused PR
    assert pr.review_posts() == []
    assert "paused on this PR (by @alice): nothing was reviewed" in pr.summary
    assert [r.method for r in pr.fake.writes] == ["POST", "POST"]  # the reaction and the confirmation

    assert say(pr, "/arch-review pause") == 0  # already paused: 👀, no second confirmation
    assert len(our_comments(pr)) == 1

    assert say(pr, "/arch-review resume", user="bob") == 0
    assert our_comments(pr)[-1].startswith("### arch-review\n\nResumed by @bob")
    assert len(pr.review_posts()) == 1  # resume reviews now
    pr.fake.pulls[7].reviews.clear()
    pr.fake.pulls[7].comments.clear()
    assert pr.run(pr.pr_env()) == 0
    assert len(pr.review_posts()) == 2  # and pushes are reviewed again


def test_an_explicit_review_on_a_paused_pr_still_runs(pr: Scenario) -> None:
    say(pr, "/arch-review pause")
    assert say(pr, "/arch-review") == 0
    assert len(pr.review_posts()) == 1


def test_ignore_records_the_rule_and_reason_and_later_runs_do_not_post_it(pr: Scenario) -> None:
    assert say(pr, "/arch-review ignore http-call-without-timeout Inventory answers in-process in CI") == 0
    confirmation = our_comments(pr)[-1]
    assert "`http-call-without-timeout` is ignored on this PR from now on (by @alice). " \
           "Reason: Inventory answers in-process in CI" in confirmation
    state = PrState.read([confirmation])
    assert state is not None and state.ignored_rules == {"http-call-without-timeout"}
    assert pr.review_posts() == []  # ignore changes state; it does not review

    assert pr.run(pr.pr_env()) == 0
    posted = [c["body"] for p in pr.review_posts() for c in p.body["comments"]]
    assert not any("http-call-without-timeout" in b for b in posted)
    assert "finding(s) of <code>http-call-without-timeout</code> not posted: ignored on this PR by @alice: " \
           "Inventory answers in-process in CI" in pr.summary


def test_ignore_or_explain_of_an_unknown_rule_says_so_and_changes_nothing(pr: Scenario) -> None:
    assert say(pr, "/arch-review ignore no-such-rule") == 0
    assert "There is no rule `no-such-rule`" in our_comments(pr)[-1]
    assert say(pr, "/arch-review explain nope-nope") == 0
    assert "There is no rule `nope-nope`" in our_comments(pr)[-1]
    assert all(PrState.read([b]) is None for b in our_comments(pr))


def test_explain_replies_with_the_rules_why_and_fix(pr: Scenario) -> None:
    assert say(pr, "/arch-review explain http-call-without-timeout") == 0
    reply = our_comments(pr)[-1]
    assert reply.startswith("### arch-review · `http-call-without-timeout`")
    assert "**Why:**" in reply and "**Fix:**" in reply and "timeout" in reply
    assert pr.review_posts() == [] and [r["content"] for r in pr.fake.reactions] == ["eyes"]


def test_unknown_commands_get_the_help_and_no_reaction(pr: Scenario) -> None:
    assert say(pr, "/arch-review please review again") == 0
    reply = our_comments(pr)[-1]
    assert reply.startswith("`/arch-review please review again` is not a command I know.")
    for command in ("full", "pause", "resume", "ignore <rule-id> [reason]", "explain <rule-id>", "help"):
        assert f"`/arch-review {command}`" in reply
    assert pr.fake.reactions == [] and pr.review_posts() == []


def test_untrusted_commenters_cannot_pause_or_ignore(pr: Scenario) -> None:
    pr.fake.permissions["mallory"] = "read"
    for command in ("/arch-review pause", "/arch-review ignore http-call-without-timeout"):
        assert say(pr, command, association="CONTRIBUTOR", user="mallory") == 0
    assert pr.fake.writes == []
    assert pr.run(pr.pr_env()) == 0
    assert len(pr.review_posts()) == 1


def test_a_state_marker_pasted_by_a_person_does_not_pause(pr: Scenario) -> None:
    pr.fake.add_issue_comment(7, "look: " + PrState(paused=True, paused_by="mallory").marker(), user="mallory")
    assert pr.run(pr.pr_env()) == 0
    assert len(pr.review_posts()) == 1
