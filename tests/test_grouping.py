"""One comment per problem: repeats of one cause collapse, related rules on one object merge.
Unit cases on hand-made findings, then the same on real rule findings from the engine."""

from __future__ import annotations

from reviewer.config import Config
from reviewer.engine import audit_tree
from reviewer.grouping import MERGES, Problem, cause_key, detail_of, group_findings
from reviewer.model import Category, Finding, Severity, Source, normalise_subject
from reviewer.rules.registry import all_rules
from reviewer.workspace.files import DictSource

READY, LIVE = "k8s-missing-readiness-probe", "k8s-missing-liveness-probe"


def f(path: str, line: int, detail: str, rule: str = "k8s-image-mutable-tag", anchor: str = "image: x",
      sev: Severity = Severity.WARNING, source: Source = Source.RULE, title: str = "Rule title") -> Finding:
    return Finding(rule, sev, Category.OPERABILITY, path, line, f"{title}: {detail}" if detail else title, "why",
                   "fix", anchor_text=anchor, source=source)


def test_the_same_manifest_in_two_folders_is_one_problem_at_the_first_place():
    base = f("kustomize/base/cart.yaml", 61, "`ghcr.io/acme/cart:latest` uses `:latest`")
    prod = f("kustomize/overlays/prod/cart.yaml", 12, "`ghcr.io/acme/cart:latest` uses `:latest`")
    (p,) = group_findings([prod, base])
    assert p.finding == base and p.also == (prod,)
    assert p.finding.fingerprint() == base.fingerprint() != prod.fingerprint()  # each keeps its own


def test_a_look_alike_of_the_same_rule_with_another_cause_stays_apart():
    cart = f("kustomize/base/cart.yaml", 61, "`ghcr.io/acme/cart:latest` uses `:latest`")
    orders = f("kustomize/base/orders.yaml", 61, "`ghcr.io/acme/orders:latest` uses `:latest`")  # same line, same rule
    assert len(group_findings([cart, orders])) == 2
    warn = f("a.yaml", 3, "`busybox` has no tag")
    assert len(group_findings([warn, warn.with_(path="b.yaml", severity=Severity.ERROR)])) == 2  # graded apart


def test_one_call_pattern_in_many_handlers_collapses_whatever_the_anchor_code():
    calls = [f("orders/app.py", 10 * i, "`requests.get()` has no `timeout=` inside a request handler",
               rule="http-call-without-timeout", anchor=f"r = requests.get(URL + '/{i}')") for i in range(1, 15)]
    (p,) = group_findings(calls)
    assert p.finding.line == 10 and len(p.also) == 13
    post = f("orders/app.py", 7, "`requests.post()` has no `timeout=` inside a request handler",
             rule="http-call-without-timeout")
    assert len(group_findings([*calls, post])) == 2


def test_the_cause_is_what_a_finding_says_never_where():
    assert normalise_subject("`ping()` calls `x()` at svc/a/db.py:16") == normalise_subject("`ping()` calls  `x()` "
                                                                                            "at svc/a/db.py:40")
    assert normalise_subject("`db:5432/orders` on line 12") == "`db:5432/orders` on line"
    assert normalise_subject("port `5432:5432`") == "port `5432:5432`"  # numbers that are not places stay
    named = f("a.yaml", 1, "", anchor="  image: busybox")
    assert cause_key(Problem(named)) == cause_key(Problem(named.with_(path="b.yaml", line=40, anchor_text="image: "
                                                                                                          "busybox")))
    assert cause_key(Problem(f("a.yaml", 1, "", anchor=""))) is None  # nothing to compare: stands alone


def test_model_findings_collapse_only_on_the_same_title_and_code():
    one = f("a.py", 3, "", rule="llm-resilience", anchor="client.get(u)", source=Source.LLM, title="No timeout")
    assert len(group_findings([one, one.with_(path="b.py")])) == 1
    assert len(group_findings([one, one.with_(path="b.py", anchor_text="other()")])) == 2


def test_the_first_place_is_one_the_diff_can_carry_a_comment_on():
    a = f("deploy/a.yaml", 5, "`busybox` has no tag")
    b = f("deploy/b.yaml", 5, "`busybox` has no tag")
    (p,) = group_findings([a, b], prefer=lambda x: x.path == "deploy/b.yaml")
    assert p.finding == b and p.also == (a,)


def probes(path: str, line: int, name: str = "orders") -> list[Finding]:
    ready = Finding(READY, Severity.WARNING, Category.RESILIENCE, path, line,
                    f"Container behind a Service has no readinessProbe: container `{name}` receives traffic from "
                    f"Service `{name}`", "ready why", "readinessProbe: {}", anchor_text=f"- name: {name}")
    live = Finding(LIVE, Severity.INFO, Category.RESILIENCE, path, line,
                   f"Long-running container has no livenessProbe: container `{name}` of Deployment `{name}`",
                   "live why", "livenessProbe: {}", anchor_text=f"- name: {name}")
    return [live, ready]


def test_no_readiness_and_no_liveness_probe_on_one_container_is_one_no_probes_comment():
    live, ready = probes("k8s/orders.yaml", 22)
    (p,) = group_findings([live, ready])
    assert p.rule_ids == (READY, LIVE) and p.merged == (live,)
    assert p.finding.title == ("Container has no readiness or liveness probe: container `orders` receives traffic "
                               "from Service `orders`")
    assert p.finding.severity is Severity.WARNING and p.finding.fingerprint() == ready.fingerprint()
    assert "ready why" in p.finding.body and "live why" in p.finding.body
    assert "readinessProbe" in p.finding.fix and "livenessProbe" in p.finding.fix


def test_probes_of_two_containers_do_not_merge_across_them():
    live, _ = probes("k8s/orders.yaml", 22)
    _, ready = probes("k8s/orders.yaml", 40, name="sidecar")
    assert sorted(len(p.merged) for p in group_findings([live, ready])) == [0, 0]


def test_merged_problems_of_a_copied_manifest_collapse_and_carry_every_finding():
    found = [*probes("base/orders.yaml", 22), *probes("overlays/prod/orders.yaml", 22)]
    (p,) = group_findings(found)
    assert p.finding.path == "base/orders.yaml"
    assert {x.fingerprint() for x in (p.finding, *p.folded)} == {x.fingerprint() for x in found}


def test_the_merge_table_names_registered_rules_and_titles_split_at_the_first_colon():
    rules = {r.id: r for r in all_rules()}
    assert all(rule_id in rules for m in MERGES for rule_id in m.rules)
    assert [r.id for r in rules.values() if ": " in r.title] == []  # detail_of splits at the first ": "


def manifest(name: str, image: str) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: {name}
          image: {image}
"""


def test_real_findings_of_a_copied_manifest_collapse_and_a_different_image_does_not():
    files = {"kustomize/base/cart.yaml": manifest("cart", "ghcr.io/acme/cart:latest"),
             "kustomize/overlays/prod/cart.yaml": manifest("cart", "ghcr.io/acme/cart:latest"),
             "kustomize/base/orders.yaml": manifest("orders", "ghcr.io/acme/orders:latest")}
    report, _ = audit_tree(DictSource(files), Config())
    problems = group_findings(report.findings)
    tags = [p for p in problems if p.finding.rule_id == "k8s-image-mutable-tag"]
    assert sorted((p.finding.path, [a.path for a in p.also]) for p in tags) == [
        ("kustomize/base/cart.yaml", ["kustomize/overlays/prod/cart.yaml"]), ("kustomize/base/orders.yaml", [])]
    assert sum(1 + len(p.folded) for p in problems) == len(report.findings)  # nothing dropped
    assert all(detail_of(x) for x in report.findings)


def test_routes_removed_by_one_change_make_one_comment():
    from reviewer.grouping import group_findings as group
    from reviewer.model import Category, Finding, Severity

    def removed(path, line, route):
        return Finding("api-route-removed", Severity.ERROR, Category.BOUNDARIES, path, line,
                       f"Route removed without being deprecated first: {route}", "why", anchor_text=f"x{line}")

    problems = group([removed("api/core.py", 10, "GET /a"), removed("api/core.py", 40, "GET /b"),
                      removed("ee/api/core.py", 12, "GET /a")])
    assert len(problems) == 1 and len(problems[0].also) == 2
