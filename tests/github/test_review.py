"""pull_request runs against the fake GitHub with the real PyGithub: one review, right lines, no repeats."""

from __future__ import annotations

import json
import re

import pytest

from reviewer.render.markers import fingerprints_in
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import (
    APP_BASE,
    APP_HEAD,
    BASE_SHA,
    HEAD_SHA,
    TOKEN,
    Scenario,
    comments_of,
    line_of,
    service_repo,
)

RULE = "http-call-without-timeout"
CALL_LINE = line_of(APP_HEAD, "requests.get(")


def test_one_review_with_the_finding_on_the_right_line(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    assert scenario.run(scenario.pr_env()) == 0
    posts = scenario.review_posts()
    assert len(posts) == 1
    body = posts[0].body
    assert body["commit_id"] == HEAD_SHA and body["event"] == "COMMENT"
    assert comments_of(posts[0], RULE) == [("orders/app.py", CALL_LINE)]
    comment = next(c for c in body["comments"] if f"`{RULE}`" in c["body"])
    assert comment["side"] == "RIGHT"
    assert "Outbound HTTP call without a timeout" in comment["body"] and "Why" not in comment["body"][:3]
    assert "```suggestion\n" in comment["body"] and "timeout=" in comment["body"]  # the one-click fix
    assert "<!-- arch-review:fp=" in comment["body"]
    assert int(scenario.outputs["findings"]) >= 1
    assert scenario.outputs["review-url"].startswith("https://github.test/acme/shop/pull/7")
    assert "rules-only review" in scenario.summary
    assert TOKEN not in scenario.stdout + scenario.summary


def test_rerun_posts_nothing(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    assert scenario.run(scenario.pr_env()) == 0
    assert scenario.run(scenario.pr_env()) == 0
    assert len(scenario.review_posts()) == 1
    assert "nothing new to post" in scenario.stdout
    assert "review-url" not in scenario.outputs or scenario.outputs["review-url"]  # first run's output only


def test_a_new_finding_on_rerun_posts_only_that_one(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    assert scenario.run(scenario.pr_env()) == 0
    first = scenario.review_posts()[0].body
    first_fps = fingerprints_in(json.dumps(first))
    more = APP_HEAD + '\n\ndef refresh():\n    return requests.post("http://catalog:8000/refresh")\n'
    scenario.open_pr(service_repo(APP_BASE), service_repo(more))
    assert scenario.run(scenario.pr_env()) == 0
    posts = scenario.review_posts()
    assert len(posts) == 2
    second = posts[1].body
    assert comments_of(posts[1], RULE) == [("orders/app.py", line_of(more, "requests.post("))]
    assert not (fingerprints_in(json.dumps(second)) & first_fps)


def test_422_demotes_the_anchors_and_retries_once(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    scenario.fake.fail("POST", r".*/pulls/7/reviews", 422, "Unprocessable Entity",
                       errors=["Pull request review thread line must be part of the diff"])
    assert scenario.run(scenario.pr_env()) == 0
    posts = scenario.review_posts()
    assert len(posts) == 2
    assert posts[0].body["comments"] and posts[1].body["comments"] == []
    fp_of_call = fingerprints_in(next(c["body"] for c in posts[0].body["comments"] if f"`{RULE}`" in c["body"]))
    assert fp_of_call <= fingerprints_in(posts[1].body["body"])
    assert len(scenario.fake.pulls[7].reviews) == 1


def test_two_502_then_success_posts_exactly_one_review(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    scenario.fake.fail("POST", r".*/pulls/7/reviews", 502, "Server Error", times=2)
    assert scenario.run(scenario.pr_env()) == 0
    assert len(scenario.review_posts()) == 3
    assert len(scenario.fake.pulls[7].reviews) == 1
    assert len(scenario.sleeps) == 1  # urllib3 retries the first at once, then backs off


def test_429_waits_as_long_as_retry_after_says(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    scenario.fake.fail("POST", r".*/pulls/7/reviews", 429, "API rate limit exceeded", headers={"Retry-After": "7"})
    assert scenario.run(scenario.pr_env()) == 0
    assert scenario.sleeps == [7]
    assert len(scenario.fake.pulls[7].reviews) == 1


def test_secondary_rate_limit_403_is_retried_after_retry_after(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    scenario.fake.fail("GET", r".*/pulls/7/files", 403, "You have exceeded a secondary rate limit. Please wait a few "
                       "minutes before you try again.", headers={"Retry-After": "3"})
    assert scenario.run(scenario.pr_env()) == 0
    assert scenario.sleeps == [3]
    assert len(scenario.fake.pulls[7].reviews) == 1


def test_a_retry_after_longer_than_the_budget_gives_up_without_waiting(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    scenario.fake.fail("POST", r".*/pulls/7/reviews", 429, "API rate limit exceeded", headers={"Retry-After": "3600"})
    assert scenario.run(scenario.pr_env()) == 1
    assert scenario.sleeps == []
    assert "429" in scenario.stdout and "Traceback" not in scenario.stdout
    assert scenario.fake.pulls[7].reviews == []


def test_read_only_token_falls_back_to_annotations_and_summary(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD), head_repo="fork-owner/shop")
    scenario.fake.read_only = True
    assert scenario.run(scenario.pr_env()) == 0
    assert f"::error file=orders/app.py,line={CALL_LINE},title=arch-review {RULE}::" in scenario.stdout
    assert "Resource not accessible by integration" in scenario.summary
    assert RULE in scenario.summary
    assert scenario.fake.pulls[7].reviews == []
    assert "review-url" not in scenario.outputs
    assert TOKEN not in scenario.stdout + scenario.summary


def test_pagination_reads_all_250_files(scenario: Scenario) -> None:
    base = {f"docs/page{i:03}.md": f"page {i}\n" for i in range(249)}
    head = {path: text + "more\n" for path, text in base.items()}
    base.update(service_repo(APP_BASE))
    head.update(service_repo(APP_HEAD))
    scenario.open_pr(base, head)
    assert scenario.run(scenario.pr_env()) == 0
    pages = scenario.fake.calls("GET", r".*/pulls/7/files")
    assert [r.query.get("page", "1") for r in pages] == ["1", "2", "3"]
    assert all(r.query["per_page"] == "100" for r in pages)
    assert comments_of(scenario.review_posts()[0], RULE) == [("orders/app.py", CALL_LINE)]
    assert not scenario.fake.calls("GET", r".*/contents/docs/.*")  # irrelevant files are never fetched


def test_file_without_patch_is_reviewed_from_its_contents_with_a_note(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD), no_patch=("orders/app.py",))
    assert scenario.run(scenario.pr_env()) == 0
    post = scenario.review_posts()[0].body
    assert comments_of(scenario.review_posts()[0], RULE) == []
    assert f"`orders/app.py:{CALL_LINE}`" in post["body"] and f"`{RULE}`" in post["body"]
    assert "orders/app.py: GitHub sent no diff" in post["body"]
    assert "GitHub sent no diff" in scenario.summary


def test_invalid_yaml_and_binary_file_become_notes_and_the_rest_is_posted(scenario: Scenario) -> None:
    head = service_repo(APP_HEAD)
    head["k8s/deployment.yaml"] = "apiVersion: apps/v1\nkind: Deployment\nspec: [unclosed\n"
    head["k8s/sealed-secret.yaml"] = b"\x00\x01ENC[AES256_GCM]\x00"
    scenario.open_pr(service_repo(APP_BASE), head)
    assert scenario.run(scenario.pr_env()) == 0
    assert comments_of(scenario.review_posts()[0], RULE) == [("orders/app.py", CALL_LINE)]
    assert "k8s/sealed-secret.yaml: skipped, binary file" in scenario.summary
    assert "k8s/deployment.yaml" in scenario.summary and "other files were still reviewed" in scenario.summary


def test_config_comes_from_the_base_branch_not_the_head(scenario: Scenario) -> None:
    base = service_repo(APP_BASE)
    head = service_repo(APP_HEAD)
    head[".github/arch-review.yml"] = f"rules:\n  {RULE}: off\n"  # the PR tries to silence the rule
    scenario.open_pr(base, head)
    assert scenario.run(scenario.pr_env()) == 0
    assert comments_of(scenario.review_posts()[0], RULE) == [("orders/app.py", CALL_LINE)]
    reads = scenario.fake.calls("GET", r".*/contents/\.github/arch-review\.yml")
    assert reads[0].query["ref"] == "main"  # read as config from the base branch (later reads review the file)


def test_base_config_can_disable_a_rule(scenario: Scenario) -> None:
    base = service_repo(APP_BASE)
    base[".github/arch-review.yml"] = f"rules:\n  {RULE}: off\n"
    head = dict(base, **{"orders/app.py": APP_HEAD})
    scenario.open_pr(base, head)
    assert scenario.run(scenario.pr_env()) == 0
    assert all(comments_of(p, RULE) == [] for p in scenario.review_posts())


def test_fail_on_exits_1_after_posting(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    assert scenario.run(scenario.pr_env(fail_on="error")) == 1
    assert len(scenario.fake.pulls[7].reviews) == 1
    assert "at or above fail-on error" in scenario.stdout


def test_max_comments_zero_keeps_everything_in_the_body(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    assert scenario.run(scenario.pr_env(max_comments="0")) == 0
    post = scenario.review_posts()[0].body
    assert post["comments"] == []
    assert "<details>" in post["body"] and f"`{RULE}`" in post["body"]


def test_sarif_file_is_written_and_named_in_the_outputs(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    assert scenario.run(scenario.pr_env(sarif_file="out/arch-review.sarif")) == 0
    assert scenario.outputs["sarif-file"] == "out/arch-review.sarif"
    sarif = json.loads((scenario.tmp / "workspace" / "out" / "arch-review.sarif").read_text())
    assert sarif["version"] == "2.1.0"


def test_sarif_help_links_point_at_the_docs_of_the_action_repository_and_ref(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    env = {**scenario.pr_env(sarif_file="report.sarif"), "GITHUB_ACTION_REPOSITORY": "acme-forks/arch-review",
           "GITHUB_ACTION_REF": "v1.4", "GITHUB_SERVER_URL": "https://ghe.acme.example"}
    assert scenario.run(env) == 0
    driver = json.loads((scenario.tmp / "workspace" / "report.sarif").read_text())["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://ghe.acme.example/acme-forks/arch-review"
    by_id = {r["id"]: r for r in driver["rules"]}
    assert by_id[RULE]["helpUri"] == f"https://ghe.acme.example/acme-forks/arch-review/blob/v1.4/docs/rules.md#{RULE}"


def test_comments_link_each_rule_to_the_docs_of_the_action_repository_and_ref(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    env = {**scenario.pr_env(max_comments="1"), "GITHUB_ACTION_REPOSITORY": "acme-forks/arch-review",
           "GITHUB_ACTION_REF": "v1.4"}
    assert scenario.run(env) == 0
    post = scenario.review_posts()[0].body
    docs = f"{env['GITHUB_SERVER_URL']}/acme-forks/arch-review/blob/v1.4/docs/rules.md#"
    inline = post["comments"][0]["body"]
    rule_id = re.search(r"\[`([a-z0-9-]+)`\]\(" + re.escape(docs), inline).group(1)
    assert f"[`{rule_id}`]({docs}{rule_id})" in inline
    listed = re.findall(r"\[`([a-z0-9-]+)`\]\(" + re.escape(docs) + r"([a-z0-9-]+)\)", post["body"])
    assert listed and all(a == b for a, b in listed)  # the body's items link too, each to its own rule
    assert "arch-review/arch-review/blob/main" not in inline + post["body"]


def test_ghes_base_url_is_honoured(tmp_path) -> None:
    fake = FakeGitHub(prefix="/api/v3")
    with fake.running():
        scenario = Scenario(fake, tmp_path)
        scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
        assert fake.base_url.endswith("/api/v3")
        assert scenario.run(scenario.pr_env()) == 0
        assert len(fake.pulls[7].reviews) == 1
        assert fake.requests and all(not r.path.startswith("/api/v3") for r in fake.requests)


def test_unknown_mode_is_a_readable_usage_error(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    assert scenario.run(scenario.pr_env(mode="everything")) == 2
    assert "::error::arch-review: mode must be one of auto, review, audit" in scenario.stdout
    assert scenario.fake.requests == []


def test_a_workspace_checkout_with_the_head_commit_is_read_locally(scenario: Scenario, tmp_path) -> None:
    import subprocess

    repo = tmp_path / "checkout"
    repo.mkdir()

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=repo, check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "-q", "-b", "main")
    for path, text in service_repo(APP_BASE).items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    base_sha = git("rev-parse", "HEAD")
    (repo / "orders" / "app.py").write_text(APP_HEAD)
    git("commit", "-q", "-am", "head")
    head_sha = git("rev-parse", "HEAD")
    pull = scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    pull.head_sha, pull.base_sha = head_sha, base_sha
    env = scenario.pr_env()
    env["GITHUB_WORKSPACE"] = str(repo)
    assert scenario.run(env) == 0
    assert not scenario.fake.calls("GET", r".*/contents/orders/.*")
    post = scenario.review_posts()[0]
    assert post.body["commit_id"] == head_sha
    assert comments_of(post, RULE) == [("orders/app.py", CALL_LINE)]


def test_a_pr_over_githubs_3000_file_cap_completes_with_a_note(scenario: Scenario) -> None:
    base = {f"zz-assets/icon{i:04}.txt": "a\n" for i in range(3000)}
    head = {path: "b\n" for path in base}
    base.update(service_repo(APP_BASE))
    head.update(service_repo(APP_HEAD))
    scenario.open_pr(base, head)  # 3001 changed files; GitHub lists the first 3000
    assert scenario.run(scenario.pr_env()) == 0
    assert len(scenario.fake.calls("GET", r".*/pulls/7/files")) == 30
    assert "GitHub lists only the first 3000 of 3001 changed files" in scenario.summary
    assert len(scenario.fake.pulls[7].reviews) == 1


def test_read_only_summary_counts_what_the_runner_annotation_limit_hides(scenario: Scenario) -> None:
    calls = "".join(f"    requests.get('http://inventory:8000/stock/{i}')\n" for i in range(12))
    app = APP_BASE.replace("from fastapi import FastAPI", "import requests\nfrom fastapi import FastAPI") + (
        "\n\n@app.get('/bulk')\ndef bulk() -> None:\n" + calls)
    scenario.open_pr(service_repo(APP_BASE), service_repo(app))
    scenario.fake.read_only = True
    assert scenario.run(scenario.pr_env()) == 0
    assert scenario.stdout.count("::error ") == 10
    assert "2 findings beyond the runner's 10 annotations per type are only in this summary" in scenario.summary


def test_checked_out_files_at_the_head_version_are_read_locally_others_through_the_api(scenario: Scenario) -> None:
    head = service_repo(APP_HEAD)
    head["k8s/deployment.yaml"] = head["k8s/deployment.yaml"].replace("spec:\n", "spec:\n  replicas: 2\n", 1)
    scenario.open_pr(service_repo(APP_BASE), head)
    # a merge checkout: the app is at the PR head, the manifest was changed on the base branch since
    drifted = dict(head, **{"k8s/deployment.yaml": head["k8s/deployment.yaml"] + "# edited on main\n"})
    env = scenario.pr_env()
    env["GITHUB_WORKSPACE"] = str(scenario.workspace(drifted))
    assert scenario.run(env) == 0
    head_reads = [r.path.split("/contents/")[1] for r in scenario.fake.calls("GET", r".*/contents/.*")
                  if r.query.get("ref") == HEAD_SHA]
    assert head_reads == ["k8s/deployment.yaml"]
    assert comments_of(scenario.review_posts()[0], RULE) == [("orders/app.py", CALL_LINE)]


def test_past_the_base_read_cap_the_review_falls_back_to_added_lines(scenario: Scenario,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.github import pull

    monkeypatch.setattr(pull, "MAX_BASE_READS", 2)
    base = {f"lib/mod{i}.py": f"X = {i}\n" for i in range(5)}
    head = {path: text + "Y = 1\n" for path, text in base.items()}
    scenario.open_pr(dict(base, **service_repo(APP_BASE)), dict(head, **service_repo(APP_HEAD)))
    assert scenario.run(scenario.pr_env()) == 0
    base_reads = [r for r in scenario.fake.calls("GET", r".*/contents/.*") if r.query.get("ref") == BASE_SHA]
    assert base_reads == []
    assert "only findings on added lines are listed" in scenario.summary
    assert comments_of(scenario.review_posts()[0], RULE) == [("orders/app.py", CALL_LINE)]


def test_base_versions_of_every_changed_kind_are_read_to_compare(scenario: Scenario) -> None:
    compose = "services:\n  api:\n    image: ghcr.io/acme/api:1.2.3\n"
    scenario.open_pr(dict(service_repo(APP_BASE), **{"docker-compose.yml": compose}),
                     dict(service_repo(APP_HEAD), **{"docker-compose.yml": compose.replace("1.2.3", "1.2.4")}))
    assert scenario.run(scenario.pr_env()) == 0
    base_reads = {r.path for r in scenario.fake.calls("GET", r".*/contents/.*") if r.query.get("ref") == BASE_SHA}
    assert any(p.endswith("docker-compose.yml") for p in base_reads)
    assert "compose-no-restart-policy" not in json.dumps(scenario.review_posts()[0].body)  # there before


def test_a_marker_pasted_by_a_person_does_not_silence_a_finding(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    assert scenario.run(scenario.pr_env()) == 0
    pull = scenario.fake.pulls[7]
    # the bot's review is gone; someone pasted its comments, hidden markers included, as their own
    pasted = [dict(c, user={"login": "mallory", "type": "User"}) for c in pull.comments]
    pull.reviews, pull.comments = [], pasted
    assert scenario.run(scenario.pr_env()) == 0
    assert len(scenario.review_posts()) == 2
    assert comments_of(scenario.review_posts()[1], RULE) == [("orders/app.py", CALL_LINE)]


def test_findings_already_in_the_base_are_counted_in_one_line_and_listed_on_full(scenario: Scenario) -> None:
    old_call = APP_BASE + '\n\ndef rates():\n    return requests.get("https://rates.example.com/latest")\n'
    new_call = APP_HEAD + '\n\ndef rates():\n    return requests.get("https://rates.example.com/latest")\n'
    if "import requests" not in old_call:
        old_call = "import requests\n" + old_call
    scenario.open_pr(service_repo(old_call), service_repo(new_call))
    assert scenario.run(scenario.pr_env()) == 0
    post = scenario.review_posts()[0]
    assert comments_of(post, RULE) == [("orders/app.py", line_of(new_call, "requests.get(f"))]
    assert re.search(r"\b[12] findings? already present in the files this change touches", post.body["body"])
    assert "/arch-review full" in post.body["body"]
    assert "compared with the base branch" in scenario.summary
