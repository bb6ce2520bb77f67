"""Engine behaviour independent of any one rule: suppressions, anchoring, notes, failures."""

from reviewer.classify import FileKind
from reviewer.config import Config
from reviewer.diff import from_github_files
from reviewer.engine import review
from reviewer.model import Category, Severity
from reviewer.project import Project
from reviewer.rules.registry import Hit, Rule, RuleContext, Scope
from reviewer.workspace.files import DictSource


def make_rule(check, kinds=(FileKind.K8S, FileKind.PYTHON, FileKind.DOCKERFILE), scope=Scope.FILE,
              equivalents=("CKV_K8S_14", "S113", "DL3007"), rule_id="test-rule"):
    return Rule(rule_id, Category.OPERABILITY, Severity.WARNING, frozenset(kinds), scope, "Test rule",
                "why", "fix", check, tuple(equivalents))


def every_line_with(marker):
    def check(f, ctx):
        for no, text in enumerate(f.lines, 1):
            if marker in text:
                yield Hit(no, "here")
    return check


def run(files, rule, **ctx_args):
    project = Project.load(DictSource(files))
    return review(RuleContext(project=project, **ctx_args), Config(), [rule])


def lines(report):
    return sorted((f.path, f.line) for f in report.findings)


def test_own_pragma_on_the_line_or_the_line_above_suppresses_only_the_named_rule():
    src = ("x = 1  # BAD\n"
           "y = 2  # BAD  # arch-review: ignore[test-rule] vetted by the platform team\n"
           "# arch-review: ignore[test-rule] reason\n"
           "z = 3  # BAD\n"
           "w = 4  # BAD  # arch-review: ignore[other-rule] reason\n")
    report = run({"a.py": src}, make_rule(every_line_with("# BAD")))
    assert lines(report) == [("a.py", 1), ("a.py", 5)]
    assert report.suppressed == 2


def test_peer_pragmas_count_where_the_rule_declares_the_equivalent_id():
    src = "a = 1  # BAD  # noqa: S113\nb = 2  # BAD  # noqa: E501\nc = 3  # BAD  # nosemgrep\n"
    report = run({"a.py": src}, make_rule(every_line_with("# BAD")))
    assert lines(report) == [("a.py", 2)]
    docker = "FROM python:3.12\n# hadolint ignore=DL3007\nFROM python:latest # BAD\nFROM x:latest # BAD\n"
    report = run({"Dockerfile": docker}, make_rule(every_line_with("# BAD")))
    assert lines(report) == [("Dockerfile", 4)]


def test_kubernetes_annotations_suppress_the_whole_object():
    manifest = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: a
  annotations:
    arch-review.io/ignore: "test-rule"
spec: {}  # BAD
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: b
  annotations:
    checkov.io/skip1: CKV_K8S_14=pinned by digest upstream
spec: {}  # BAD
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: c
spec: {}  # BAD
"""
    report = run({"k8s/d.yaml": manifest}, make_rule(every_line_with("# BAD")))
    assert lines(report) == [("k8s/d.yaml", 21)]


def test_cross_file_hit_anchors_on_the_changed_end_and_is_dropped_when_no_end_changed():
    def pair(ctx):
        yield Hit(1, "shared", path="a/app.py", also=(("b/app.py", 2),))

    rule = make_rule(pair, kinds=(), scope=Scope.PROJECT)
    files = {"a/app.py": "x = 1\n", "b/app.py": "y = 1\nz = 2\n"}
    changes = from_github_files([{"filename": "b/app.py", "status": "modified", "additions": 1,
                                  "patch": "@@ -1 +1,2 @@\n y = 1\n+z = 2"}])
    report = run(files, rule, changes=changes, targets=frozenset({"b/app.py"}))
    assert lines(report) == [("b/app.py", 2)]
    report = run(files, rule, changes=from_github_files([]), targets=frozenset())
    assert report.findings == []
    assert lines(run(files, rule)) == [("a/app.py", 1)]  # an audit keeps the first end


def test_a_failing_rule_becomes_a_note_and_other_files_still_count():
    def boom(f, ctx):
        raise KeyError("spec")
        yield

    report = run({"a.py": "x = 1\n"}, make_rule(boom))
    assert report.findings == []
    assert report.notes == ["rule test-rule failed on a.py and skipped that file: KeyError: 'spec'; "
                            "other files were still reviewed"]


def test_binary_non_utf8_and_huge_files_become_notes_naming_the_file():
    files = {"img.yaml": b"\x89PNG\0\0", "latin.py": "caf\xe9 = 1\n".encode("latin-1"),
             "gen.py": b"x = 1\n" * 200_000, "ok.py": "x = 1  # BAD\n"}
    report = run(files, make_rule(every_line_with("# BAD")))
    assert lines(report) == [("ok.py", 1)]
    assert report.notes == ["gen.py: skipped, 1171 KiB is larger than the 1000 kB limit",
                            "img.yaml: skipped, binary file",
                            "latin.py: skipped, not UTF-8 text (byte 3)"]


def test_fingerprint_survives_a_line_shift_and_repeats_are_distinct():
    rule = make_rule(every_line_with("# BAD"))
    before = run({"a.py": "a = 1  # BAD\nb = 1  # BAD\nb = 1  # BAD\n"}, rule)
    after = run({"a.py": "\n\n\na = 1  # BAD\n    b = 1  # BAD\nb = 1  # BAD\n"}, rule)
    fps_before = [f.fingerprint() for f in before.findings]
    assert len(set(fps_before)) == 3
    assert sorted(fps_before) == sorted(f.fingerprint() for f in after.findings)


def test_polaris_and_cronjob_template_annotations_suppress():
    rule = make_rule(every_line_with("# BAD"), equivalents=("readinessProbeMissing",))
    manifest = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: a
  annotations:
    polaris.fairwinds.com/readinessProbeMissing-exempt: "true"
spec: {}  # BAD
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: b
spec:
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            arch-review.io/ignore: test-rule
        spec: {}  # BAD
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: c
  annotations:
    polaris.fairwinds.com/exempt: "true"
spec: {}  # BAD
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations:
    polaris.fairwinds.com/cpuLimitsMissing-exempt: "true"
spec: {}  # BAD
"""
    report = run({"k8s/d.yaml": manifest}, rule)
    assert lines(report) == [("k8s/d.yaml", 36)]


def test_a_rule_that_fails_on_one_file_still_reviews_the_others():
    def check(f, ctx):
        if "bad" in f.path:
            raise KeyError("spec")
        yield Hit(1, "seen")

    rule = Rule("test-fragile", Category.RESILIENCE, Severity.WARNING, frozenset({FileKind.PYTHON}), Scope.FILE,
                "Fragile", "why", "fix", check)
    project = Project.load(DictSource({"a.py": "x = 1\n", "bad.py": "x = 2\n", "c.py": "x = 3\n"}))
    report = review(RuleContext(project=project), Config(), [rule])
    assert [f.path for f in report.findings] == ["a.py", "c.py"]
    assert any("test-fragile failed on bad.py" in n and "other files were still reviewed" in n for n in report.notes)
