"""What one PR run posts, end to end through ``action.main`` and the fake GitHub: one comment per
problem, severity decides placement, the output stays inside GitHub's limits and nothing is lost."""

from __future__ import annotations

import json
import re

from reviewer.render.markers import posted_in
from reviewer.render.review import MAX_REVIEW_BODY
from tests.fakes.github_server import MAX_BODY
from tests.github.conftest import Scenario, comments_of, line_of

SERVICE = """---
apiVersion: v1
kind: Service
metadata:
  name: orders
spec:
  selector: {app: orders}
  ports: [{port: 80, targetPort: 8000}]
"""


def deployment(image: str = "ghcr.io/acme/orders:latest") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  replicas: 2
  selector:
    matchLabels: {{app: orders}}
  template:
    metadata:
      labels: {{app: orders}}
    spec:
      containers:
        - name: orders
          image: {image}
"""


def fingerprints_of_sarif(scenario: Scenario) -> set[str]:
    sarif = json.loads((scenario.tmp / "workspace" / "report.sarif").read_text())
    return {r["partialFingerprints"]["archReview/v1"] for r in sarif["runs"][0]["results"]}


def everything_posted(scenario: Scenario) -> str:
    pull = scenario.fake.pulls[scenario.number]
    return "\n".join([*(r["body"] for r in pull.reviews), *(c["body"] for c in pull.comments)])


def test_a_copied_manifest_is_one_comment_per_problem_and_a_rerun_posts_nothing(scenario: Scenario) -> None:
    manifest = deployment() + SERVICE
    scenario.open_pr({}, {"kustomize/base/orders.yaml": manifest, "kustomize/overlays/prod/orders.yaml": manifest})
    assert scenario.run(scenario.pr_env(sarif_file="report.sarif")) == 0
    (post,) = scenario.review_posts()
    tag = comments_of(post, "k8s-image-mutable-tag")
    assert tag == [("kustomize/base/orders.yaml", line_of(manifest, "image:"))]  # once, at the first place
    comment = next(c["body"] for c in post.body["comments"] if "`k8s-image-mutable-tag`" in c["body"])
    assert f"**Also in:** `kustomize/overlays/prod/orders.yaml:{line_of(manifest, 'image:')}`" in comment
    probes = [c["body"] for c in post.body["comments"] if "`k8s-missing-readiness-probe`" in c["body"]]
    assert len(probes) == 1
    assert re.search(r"`k8s-missing-readiness-probe`\]\([^)]*\) \+ \[`k8s-missing-liveness-probe`\]", probes[0])
    assert "Container has no readiness or liveness probe" in probes[0]
    assert "`k8s-missing-liveness-probe`" not in post.body["body"]  # said in the warning, not again in Notes
    # every finding is recorded, the folded ones in hidden markers: a rerun has nothing new
    all_fps = fingerprints_of_sarif(scenario)
    posted = posted_in(everything_posted(scenario))
    assert all_fps and all(fp in posted for fp in all_fps)
    assert scenario.run(scenario.pr_env()) == 0
    assert len(scenario.review_posts()) == 1 and "nothing new to post" in scenario.stdout


def test_a_new_copy_of_a_posted_cause_on_rerun_is_posted_once_as_new(scenario: Scenario) -> None:
    manifest = deployment("busybox") + SERVICE
    scenario.open_pr({}, {"a/orders.yaml": manifest})
    assert scenario.run(scenario.pr_env()) == 0
    scenario.open_pr({}, {"a/orders.yaml": manifest, "b/orders.yaml": manifest})
    assert scenario.run(scenario.pr_env()) == 0
    second = scenario.review_posts()[1]
    assert comments_of(second, "k8s-image-mutable-tag") == [("b/orders.yaml", line_of(manifest, "image:"))]
    assert "a/orders.yaml" not in json.dumps(second.body["comments"])


def test_info_findings_go_to_the_collapsed_notes_not_inline(scenario: Scenario) -> None:
    manifest = deployment("ghcr.io/acme/orders:1.4.2")  # no Service: only the (info) liveness probe and PDB
    scenario.open_pr({}, {"k8s/orders.yaml": manifest})
    assert scenario.run(scenario.pr_env()) == 0
    post = scenario.review_posts()[0].body
    assert not [c for c in post["comments"] if "**info**" in c["body"]]
    notes = post["body"].split("<details><summary>Notes (", 1)[1].split("</details>", 1)[0]
    assert "`k8s-missing-liveness-probe`" in notes and "`k8s-missing-pdb`" in notes
    assert re.search(r": \d+ inline(?: in \d+ comments)?, 2 in Notes\.", post["body"])
    assert "below the inline severity: in the review's Notes" in scenario.summary


def test_config_min_inline_severity_info_puts_info_inline(scenario: Scenario) -> None:
    manifest = deployment("ghcr.io/acme/orders:1.4.2")
    config = {".github/arch-review.yml": "comments:\n  min-inline-severity: info\n"}
    scenario.open_pr(config, dict(config, **{"k8s/orders.yaml": manifest}))
    assert scenario.run(scenario.pr_env()) == 0
    post = scenario.review_posts()[0]
    assert comments_of(post, "k8s-missing-liveness-probe") == [("k8s/orders.yaml", line_of(manifest, "- name:"))]
    assert "<summary>Notes" not in post.body["body"]


def test_an_anchor_github_refuses_is_reported_as_not_inline_in_the_summary(scenario: Scenario) -> None:
    manifest = deployment() + SERVICE
    scenario.open_pr({}, {"k8s/orders.yaml": manifest})
    scenario.fake.fail("POST", r".*/pulls/7/reviews", 422, "Unprocessable Entity",
                       errors=["Pull request review thread line must be part of the diff"])
    assert scenario.run(scenario.pr_env()) == 0
    first, second = scenario.review_posts()
    assert comments_of(first, "k8s-image-mutable-tag") and second.body["comments"] == []
    rows = [ln for ln in scenario.summary.splitlines() if "k8s-image-mutable-tag" in ln]
    assert len(rows) == 1 and "GitHub refused the inline anchor (422)" in rows[0]
    assert "Findings not posted inline" in scenario.summary


def app_with(handlers: int) -> str:
    """``handlers`` async routes, each blocking the loop (an error each: its handler is named) and
    without a response model (an info each): 2 findings per handler."""
    out = ["import time", "from fastapi import FastAPI", "", "app = FastAPI()", ""]
    for i in range(handlers):
        out += [f'@app.get("/r{i}")', f"async def handler_{i:04d}_{'x' * 100}():", "    time.sleep(1)",
                "    return {}", ""]
    return "\n".join(out) + "\n"


def test_5000_findings_make_one_bounded_review_and_a_bounded_summary_that_says_where_the_rest_is(
        scenario: Scenario) -> None:
    scenario.open_pr({}, {"svc/app.py": app_with(2500)})
    assert scenario.run(scenario.pr_env()) == 0
    assert scenario.outputs["findings"] == "5000"
    (post,) = scenario.review_posts()
    body = post.body["body"]
    assert len(body) < MAX_REVIEW_BODY <= 60_000
    assert len(post.body["comments"]) == 20 and all(len(c["body"]) < MAX_BODY for c in post.body["comments"])
    m = re.search(r"_(\d+) more findings not listed here: GitHub limits a review body to 65,536 characters; "
                  r"the job summary of this run lists them, and every finding is in SARIF", body)
    assert m and int(m.group(1)) > 4000
    summary = scenario.summary
    assert len(summary.encode()) < 1024 * 1024
    cut = re.search(r"_(\d+) more findings not listed here: GitHub limits a job summary to 1 MiB. Every finding is in "
                    r"SARIF \(input `sarif-file`\) and in `arch-review review --format json`", summary)
    assert cut
    rows = len(re.findall(r"^\| (?:error|info) \| svc/app\.py:", summary, re.M))
    assert rows + int(cut.group(1)) == 5000 - 20
    # nothing is lost for the next run either: every one of them is recorded
    assert scenario.run(scenario.pr_env()) == 0
    assert len(scenario.review_posts()) == 1 and "nothing new to post" in scenario.stdout
