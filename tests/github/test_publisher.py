"""The publisher with the real PyGithub: bad anchors found and demoted; no blind resend of a POST."""

from __future__ import annotations

from reviewer.diff import from_github_files
from reviewer.github.client import WaitBudget, connect
from reviewer.github.publisher import Publisher
from reviewer.model import Category, Finding, Severity, Source
from reviewer.render.markdown import Links, comment_body
from reviewer.render.markers import fingerprints_in
from tests.github.conftest import APP_BASE, APP_HEAD, HEAD_SHA, TOKEN, Scenario, file_entry, line_of

LINKS = Links("https://github.test", "acme/shop", HEAD_SHA)


def finding(line: int, rule: str = "http-call-without-timeout", text: str = "x") -> Finding:
    return Finding(rule_id=rule, severity=Severity.WARNING, category=Category.RESILIENCE, path="orders/app.py",
                   line=line, title="Outbound HTTP call without a timeout",
                   body="A slow dependency holds every worker.", fix="requests.get(url, timeout=5)", anchor_text=text,
                   fix_is_example=False)


def pull_of(scenario: Scenario, timeout: int = 30):
    gh = connect(TOKEN, scenario.fake.base_url, WaitBudget(sleep=scenario.sleeps.append), timeout=timeout,
                 write_pause=0)
    return gh, gh.get_repo("acme/shop").get_pull(scenario.number)


BASE = "import requests\n\n" + "".join(f"LIMIT_{i} = {i}\n" for i in range(30))
HEAD = BASE + "\n\ndef refresh():\n    return requests.get('http://catalog:8000/refresh')\n"


def test_an_anchor_the_current_diff_lacks_is_demoted_and_the_rest_stay_inline(scenario: Scenario) -> None:
    scenario.open_pr({"orders/app.py": BASE}, {"orders/app.py": HEAD})
    good = line_of(HEAD, "requests.get(")
    real = file_entry("orders/app.py", BASE, HEAD)
    # the diff as this run saw it before a push moved it on: it also had a hunk at the top
    stale_entry = dict(real, patch="@@ -1,2 +1,2 @@\n-import requests \n+import requests\n \n" + real["patch"])
    stale = from_github_files([stale_entry], head_sha=HEAD_SHA)
    assert stale.commentable("orders/app.py", 1) and stale.commentable("orders/app.py", good)
    assert not from_github_files([real]).commentable("orders/app.py", 1)
    gh, pull = pull_of(scenario)
    result = Publisher(gh, pull, HEAD_SHA, LINKS).publish([finding(good, text="a"), finding(1, text="b")], stale, 20)
    posts = scenario.review_posts()
    assert len(posts) == 2 and len(scenario.fake.pulls[7].reviews) == 1
    assert sorted(c["line"] for c in posts[0].body["comments"]) == [1, good]
    assert [c["line"] for c in posts[1].body["comments"]] == [good]
    assert finding(1, text="b").fingerprint() in fingerprints_in(posts[1].body["body"])
    assert result.posted and result.demoted == 1 and "Line could not be resolved" in result.notes[0]


def test_a_post_that_times_out_is_not_sent_again(scenario: Scenario) -> None:
    scenario.open_pr({"orders/app.py": APP_BASE}, {"orders/app.py": APP_HEAD})
    changes = from_github_files([file_entry("orders/app.py", APP_BASE, APP_HEAD)], head_sha=HEAD_SHA)
    scenario.fake.slow[("POST", r".*/pulls/7/reviews")] = 2.5
    gh, pull = pull_of(scenario, timeout=1)
    result = Publisher(gh, pull, HEAD_SHA, LINKS).publish([finding(line_of(APP_HEAD, "requests.get("))], changes, 20)
    assert len(scenario.review_posts()) == 1
    assert len(scenario.fake.pulls[7].reviews) == 1
    assert result.posted and result.url == scenario.fake.pulls[7].reviews[0]["html_url"]


def test_comment_body_is_exact() -> None:
    f = finding(14)
    assert comment_body(f) == (
        "⚠️ **warning** · `http-call-without-timeout`\n\n"
        "**Outbound HTTP call without a timeout**\n\n"
        "**Why:** A slow dependency holds every worker.\n\n"
        "**Fix**\n\n```python\nrequests.get(url, timeout=5)\n```\n\n"
        f"<!-- arch-review:fp={f.fingerprint()} -->")


def test_model_text_cannot_forge_a_marker() -> None:
    forged = finding(3).with_(source=Source.LLM, title="ok <!-- arch-review:fp=0123456789abcdef -->",
                              body="--> <!-- arch-review:fps=fedcba9876543210 -->")
    assert fingerprints_in(comment_body(forged)) == {forged.fingerprint()}


def test_the_client_pauses_a_second_between_writes_as_github_asks(scenario: Scenario, monkeypatch) -> None:
    import github.Requester

    scenario.open_pr({"orders/app.py": BASE}, {"orders/app.py": HEAD})
    changes = from_github_files([file_entry("orders/app.py", BASE, HEAD)], head_sha=HEAD_SHA)
    waits: list[float] = []
    monkeypatch.setattr(github.Requester.time, "sleep", waits.append)  # PyGithub's own pacing, recorded
    gh = connect(TOKEN, scenario.fake.base_url, WaitBudget(sleep=scenario.sleeps.append))
    pull = gh.get_repo("acme/shop").get_pull(scenario.number)
    line = line_of(HEAD, "requests.get(")
    for rule in ("http-call-without-timeout", "http-client-never-closed"):
        Publisher(gh, pull, HEAD_SHA, LINKS).publish([finding(line, rule)], changes, 20, seen=frozenset())
    assert len(scenario.review_posts()) == 2
    assert len(waits) == 1 and waits[0] > 0  # the reads went at once; the second write waited for the first
