"""What one PR run posts, end to end through ``action.main`` and the fake GitHub: one comment per
problem, severity decides placement, and nothing lost for the next run."""

from __future__ import annotations

import json
import re

from reviewer.render.markers import posted_in
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
    assert len(probes) == 1 and "`k8s-missing-readiness-probe` + `k8s-missing-liveness-probe`" in probes[0]
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
