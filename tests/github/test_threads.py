"""Threads follow the code: a finding gone from the head gets one "Fixed in" reply and its thread
resolved; people's threads are resolved, never written to; feedback (👎, "won't fix") sticks. All
against the loopback GitHub, with the failure paths GitHub documents."""

from __future__ import annotations

import re

from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import APP_BASE, Scenario, service_repo

PUSH1, PUSH2, PUSH3 = "1" * 40, "2" * 40, "3" * 40
HANDLERS = {
    "get": '''

@app.get("/orders/{order_id}")
def get_order(order_id: int) -> dict[str, int]:
    stock = requests.get(f"http://inventory:8000/stock/{order_id}")
    return {"stock": stock.json()}
''',
    "post": '''

@app.get("/prices/{sku}")
def get_price(sku: str) -> dict[str, int]:
    price = requests.post(f"http://pricing:8000/quote/{sku}")
    return {"price": price.json()}
''',
    "delete": '''

@app.delete("/carts/{cart_id}")
def drop_cart(cart_id: int) -> dict[str, int]:
    gone = requests.delete(f"http://carts:8000/carts/{cart_id}")
    return {"status": gone.status_code}
''',
}
R = "/repos/acme/shop"


def app(*calls: str, fixed: tuple[str, ...] = ()) -> str:
    text = APP_BASE.replace("from fastapi", "import requests\nfrom fastapi")
    for name in calls:
        code = HANDLERS[name]
        if name in fixed:
            code = code.replace('}")', '}", timeout=5)')
        text += code
    return text


def push(scenario: Scenario, sha: str, *calls: str, fixed: tuple[str, ...] = ()) -> int:
    scenario.open_pr(service_repo(APP_BASE), service_repo(app(*calls, fixed=fixed)), head_sha=sha)
    return scenario.run(scenario.pr_env())


def inline(scenario: Scenario) -> dict[str, int]:
    """Our top-level inline comments: the call they are about -> comment id."""
    out = {}
    for c in scenario.fake.pulls[7].comments:
        if not c.get("in_reply_to_id"):
            for name in HANDLERS:
                if f"requests.{name}()" in c["body"]:
                    out[name] = c["id"]
    return out


def replies(scenario: Scenario) -> list[tuple[int, str, str]]:
    return [(c["in_reply_to_id"], c["user"]["login"], c["body"]) for c in scenario.fake.pulls[7].comments
            if c.get("in_reply_to_id")]


def mutations(scenario: Scenario) -> list[str]:
    return [r.body["variables"]["threadId"] for r in scenario.fake.calls("POST", "/graphql")
            if "resolveReviewThread" in r.body["query"]]


def test_a_fixed_finding_gets_one_reply_and_its_thread_resolved_and_a_rerun_adds_nothing(scenario: Scenario):
    assert push(scenario, PUSH1, "get", "post") == 0
    first = inline(scenario)
    assert set(first) == {"get", "post"}

    assert push(scenario, PUSH2, "get", "post", "delete", fixed=("get",)) == 0
    assert replies(scenario) == [(first["get"], "github-actions[bot]", "Fixed in `2222222`.\n\n"
                                                                       "<!-- arch-review:fixed -->\n")]
    assert mutations(scenario) == [f"PRRT_{first['get']}"]
    assert scenario.fake.resolved_threads == {first["get"]: "github-actions[bot]"}
    assert set(inline(scenario)) == {"get", "post", "delete"}  # the new finding posted, the old ones kept
    assert "1 earlier comment(s) fixed at this head: marked fixed, 1 thread(s) resolved" in scenario.summary

    writes = len(scenario.fake.writes)
    assert push(scenario, PUSH2, "get", "post", "delete", fixed=("get",)) == 0
    assert len(scenario.fake.writes) == writes  # no second reply, no second resolve, no duplicate review


def test_a_finding_that_comes_back_is_posted_anew(scenario: Scenario):
    push(scenario, PUSH1, "get")
    push(scenario, PUSH2, "get", fixed=("get",))
    push(scenario, PUSH3, "get")
    posted = [c for c in scenario.fake.pulls[7].comments if not c.get("in_reply_to_id")]
    assert len(posted) == 2 and all("requests.get()" in c["body"] for c in posted)
    assert len(scenario.fake.resolved_threads) == 1  # the old thread stays resolved: nothing reopened


def test_a_thread_a_person_replied_to_is_resolved_but_never_written_to(scenario: Scenario):
    push(scenario, PUSH1, "get", "post")
    ids = inline(scenario)
    scenario.fake.add_reply(7, ids["get"], "Good catch, fixing it in the next push.", user="alice")
    push(scenario, PUSH2, "get", "post", fixed=("get",))
    assert [r[1] for r in replies(scenario)] == ["alice"]
    assert scenario.fake.resolved_threads == {ids["get"]: "github-actions[bot]"}
    assert scenario.fake.calls("PATCH", r".*/pulls/comments/\d+") == []


def test_a_thread_already_resolved_by_a_person_is_left_alone(scenario: Scenario):
    push(scenario, PUSH1, "get")
    cid = inline(scenario)["get"]
    scenario.fake.resolved_threads[cid] = "alice"
    push(scenario, PUSH2, "get", fixed=("get",))
    assert replies(scenario) == [] and mutations(scenario) == []
    assert scenario.fake.resolved_threads == {cid: "alice"}


def test_a_token_that_may_not_resolve_threads_is_said_once_and_the_run_carries_on(scenario: Scenario):
    push(scenario, PUSH1, "get", "post")
    scenario.fake.graphql_read_only = True
    assert push(scenario, PUSH2, "get", "post", "delete", fixed=("get", "post")) == 0
    assert len(replies(scenario)) == 2  # the replies went out: REST may write
    assert len(mutations(scenario)) == 1  # the first FORBIDDEN stopped the second attempt
    assert scenario.fake.resolved_threads == {}
    assert "threads are left open: the token may not use GitHub's GraphQL API" in scenario.summary
    assert "Resource not accessible by integration" in scenario.summary
    assert "delete" in inline(scenario)  # the review itself was posted


def test_graphql_401_and_403_cost_a_note_never_the_run(scenario: Scenario):
    push(scenario, PUSH1, "get")
    scenario.fake.fail("POST", "/graphql", 401, "Bad credentials")
    assert push(scenario, PUSH2, "get", fixed=("get",)) == 0
    assert "cannot be resolved: the token may not use GitHub's GraphQL API" in scenario.summary
    assert "GitHub answered 401" in scenario.summary
    assert len(replies(scenario)) == 1 and scenario.fake.resolved_threads == {}

    push(scenario, PUSH1, "get", "post")
    scenario.fake.fail("POST", "/graphql", 403, "Must have admin rights to Repository.")
    assert push(scenario, PUSH2, "get", "post", fixed=("get", "post")) == 0
    assert "GitHub answered 403" in scenario.summary


def test_a_comment_deleted_before_the_reply_is_skipped_and_the_others_are_handled(scenario: Scenario):
    push(scenario, PUSH1, "get", "post")
    ids = inline(scenario)
    scenario.fake.fail("POST", rf"{R}/pulls/7/comments/{ids['get']}/replies", 404, "Not Found")
    assert push(scenario, PUSH2, "get", "post", fixed=("get", "post")) == 0
    assert [r[0] for r in replies(scenario)] == [ids["post"]]
    assert scenario.fake.resolved_threads == {ids["post"]: "github-actions[bot]"}
    assert f"review comment {ids['get']} was deleted before it could be marked fixed" in scenario.summary


def test_threads_past_the_first_hundred_are_found(scenario: Scenario):
    push(scenario, PUSH1, "get")
    pull = scenario.fake.pulls[7]
    ours = inline(scenario)["get"]
    template = next(c for c in pull.comments if c["id"] == ours)
    pull.comments.remove(template)
    for i in range(120):  # people's threads come first: ours is the 121st
        pull.comments.append({**template, "id": 5000 + i, "body": f"question {i}",
                              "user": {"login": "alice", "type": "User"}})
    pull.comments.append(template)
    assert push(scenario, PUSH2, "get", fixed=("get",)) == 0
    pages = [r for r in scenario.fake.calls("POST", "/graphql") if "reviewThreads" in r.body["query"]]
    assert [p.body["variables"]["first"] for p in pages] == [100, 100]
    assert scenario.fake.resolved_threads == {ours: "github-actions[bot]"}


def test_a_thumbs_down_dismisses_the_finding_for_the_rest_of_the_pr(scenario: Scenario):
    push(scenario, PUSH1, "get")
    scenario.fake.permissions["alice"] = "maintain"
    scenario.fake.add_reaction(inline(scenario)["get"], "-1", user="alice")
    push(scenario, PUSH2, "get", fixed=("get",))
    push(scenario, PUSH3, "get")  # it comes back: dismissed, so not posted again
    posted = [c for c in scenario.fake.pulls[7].comments if not c.get("in_reply_to_id")]
    assert len(posted) == 1
    assert "1 comment(s) dismissed on this PR" in scenario.summary


def test_a_drive_by_thumbs_down_or_wont_fix_does_not_dismiss_and_the_authors_does(scenario: Scenario):
    push(scenario, PUSH1, "get", "post")
    ids = inline(scenario)
    scenario.fake.add_reaction(ids["get"], "-1", user="mallory")  # no access to the repository
    scenario.fake.add_reply(7, ids["get"], "won't fix", user="mallory", association="NONE")
    scenario.fake.add_reaction(ids["post"], "-1", user=scenario.fake.pulls[7].author)
    assert push(scenario, PUSH2, "get", "post", fixed=("get", "post")) == 0
    assert push(scenario, PUSH3, "get", "post") == 0  # both come back: only the author's dismissal holds
    posted = [c for c in scenario.fake.pulls[7].comments if not c.get("in_reply_to_id")]
    about = sorted(name for c in posted for name in ("get", "post") if f"requests.{name}()" in c["body"])
    assert about == ["get", "get", "post"]
    assert "1 comment(s) dismissed on this PR" in scenario.summary
    assert ("a dismissal by @mallory was not taken: only the PR's author and people with write access dismiss "
            "findings") in scenario.summary
    assert len(scenario.fake.calls("GET", r"/repos/acme/shop/collaborators/mallory/permission")) == 2  # once a run


def test_a_comment_a_person_deleted_is_not_posted_again(scenario: Scenario):
    push(scenario, PUSH1, "get", "post")
    ids = inline(scenario)
    scenario.fake.delete_review_comment(ids["get"])
    assert push(scenario, PUSH2, "get", "post") == 0
    assert push(scenario, PUSH3, "get", "post") == 0
    assert list(inline(scenario)) == ["post"]  # the deleted one stays deleted; the other is not repeated
    assert len(scenario.review_posts()) == 1


def test_a_token_that_may_not_read_permissions_keeps_the_finding_and_the_run(scenario: Scenario):
    push(scenario, PUSH1, "get")
    scenario.fake.add_reaction(inline(scenario)["get"], "-1", user="alice")
    scenario.fake.fail("GET", r".*/collaborators/alice/permission", 403, "Resource not accessible by integration",
                       times=5)
    assert push(scenario, PUSH2, "get", fixed=("get",)) == 0
    assert push(scenario, PUSH3, "get") == 0
    assert len([c for c in scenario.fake.pulls[7].comments if not c.get("in_reply_to_id")]) == 2
    assert "a dismissal by @alice was not taken" in scenario.summary


def test_a_wont_fix_or_false_positive_reply_dismisses_it(scenario: Scenario):
    push(scenario, PUSH1, "get", "post")
    ids = inline(scenario)
    scenario.fake.add_reply(7, ids["get"], "Won\u2019t fix: the inventory call is local.", user="alice")
    scenario.fake.add_reply(7, ids["post"], "@arch-review **False positive**, pricing sets a timeout", user="bob")
    push(scenario, PUSH2, "get", "post", fixed=("get", "post"))
    push(scenario, PUSH3, "get", "post")
    assert len([c for c in scenario.fake.pulls[7].comments if not c.get("in_reply_to_id")]) == 2
    assert "2 comment(s) dismissed on this PR" in scenario.summary


def test_a_reply_that_merely_mentions_wont_fix_does_not_dismiss(scenario: Scenario):
    push(scenario, PUSH1, "get")
    scenario.fake.add_reply(7, inline(scenario)["get"], "I'd rather not say won't fix here; fixing.", user="alice")
    push(scenario, PUSH2, "get", fixed=("get",))
    push(scenario, PUSH3, "get")
    assert len([c for c in scenario.fake.pulls[7].comments if not c.get("in_reply_to_id")]) == 2


def _forty_earlier_comments(scenario: Scenario) -> None:
    """Our two real comments plus 38 more of the same rule on findings the head no longer has."""
    pull = scenario.fake.pulls[7]
    template = next(c for c in pull.comments if not c.get("in_reply_to_id"))
    for i in range(38):
        fp = f"{i:016x}"
        pull.comments.append({**template, "id": 9000 + i,
                              "body": re.sub(r"fp=[0-9a-f]+", f"fp={fp}", template["body"])})


def test_a_pr_with_forty_earlier_comments_costs_one_page_of_each_listing(scenario: Scenario):
    push(scenario, PUSH1, "get", "post")
    _forty_earlier_comments(scenario)
    scenario.fake.requests.clear()
    push(scenario, PUSH2, "get", "post")  # the 38 are gone: replied to and resolved; the 2 stay
    calls = [(r.method, re.sub(r"\d+", "N", r.path)) for r in scenario.fake.requests]
    assert calls.count(("GET", "/repos/acme/shop/pulls/N/comments")) == 1
    assert calls.count(("POST", "/repos/acme/shop/pulls/N/comments/N/replies")) == 38
    assert calls.count(("POST", "/graphql")) == 1 + 38  # one page of threads, one mutation per thread
    assert len(calls) == 9 + 1 + 2 * 38  # the reads of any run, the thread page, the writes

    scenario.fake.requests.clear()
    push(scenario, PUSH2, "get", "post")  # a rerun: nothing to say, nothing to resolve
    assert scenario.fake.writes == [] and len(scenario.fake.requests) == 9


def test_a_run_tidies_at_most_fifty_threads(scenario: Scenario):
    push(scenario, PUSH1, "get")
    pull = scenario.fake.pulls[7]
    template = pull.comments[0]
    for i in range(60):
        pull.comments.append({**template, "id": 9000 + i,
                              "body": re.sub(r"fp=[0-9a-f]+", f"fp={i:016x}", template["body"])})
    push(scenario, PUSH2, "get")
    assert len(scenario.fake.resolved_threads) == 50
    assert "10 more fixed comment(s) are left for the next run" in scenario.summary
    push(scenario, PUSH3, "get")
    assert len(scenario.fake.resolved_threads) == 60


def test_the_api_calls_of_a_push_that_fixes_two_findings_and_adds_one(scenario: Scenario):
    push(scenario, PUSH1, "get", "post")
    ids = inline(scenario)
    scenario.fake.requests.clear()
    push(scenario, PUSH2, "get", "post", "delete", fixed=("get", "post"))
    calls = [f"{r.method} {r.path}" + (f" {r.body['query'].split('(')[0].split()[0]}" if r.path == "/graphql" else "")
             for r in scenario.fake.requests]
    resolve = "POST /graphql mutation"  # resolveReviewThread
    assert calls == [
        "GET /user", f"GET {R}", f"GET {R}/issues/7/comments",  # who we are, the repo, the PR's command state
        f"GET {R}/pulls/7", f"GET {R}/pulls/7/files", f"GET {R}/contents/orders/app.py",
        f"GET {R}/contents/.github/arch-review.yml",
        f"GET {R}/pulls/7/comments", f"GET {R}/pulls/7/reviews",  # what we said before, and the replies
        f"POST {R}/pulls/7/reviews",  # the one new finding
        "POST /graphql query",  # pullRequest.reviewThreads: one page
        f"POST {R}/pulls/7/comments/{ids['get']}/replies", resolve,
        f"POST {R}/pulls/7/comments/{ids['post']}/replies", resolve,
    ]


def test_a_read_only_token_with_a_fixed_finding_says_so_and_exits_0(scenario: Scenario):
    push(scenario, PUSH1, "get", "post")
    scenario.fake.read_only = True
    assert push(scenario, PUSH2, "post") == 0  # the handler is gone: nothing new to post, one comment fixed
    assert replies(scenario) == [] and scenario.fake.resolved_threads == {}
    assert "fixed findings are not marked on their comments" in scenario.summary
    assert "Resource not accessible by integration" in scenario.summary


def test_threads_are_resolved_on_github_enterprise_server(tmp_path):
    fake = FakeGitHub(prefix="/api/v3")
    with fake.running():
        scenario = Scenario(fake, tmp_path)
        push(scenario, PUSH1, "get")
        push(scenario, PUSH2, "get", fixed=("get",))
        assert len(fake.resolved_threads) == 1
        assert fake.calls("POST", "/api/graphql")


def test_a_file_the_rules_no_longer_read_is_not_marked_fixed(scenario: Scenario):
    push(scenario, PUSH1, "get")
    scenario.open_pr(service_repo(APP_BASE), service_repo(app("get")), head_sha=PUSH2)
    scenario.fake.set_tree("main", {".github/arch-review.yml": 'paths:\n  exclude: ["orders/**"]\n'})
    assert scenario.run(scenario.pr_env()) == 0
    assert replies(scenario) == [] and mutations(scenario) == []
