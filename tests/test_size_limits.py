"""The size limit (project.MAX_FILE_BYTES) in both modes: an audit notes a file it skipped, and so
does a review, for a changed file it skipped."""


from reviewer.config import Config
from reviewer.diff import parse_unified_diff
from reviewer.engine import audit_tree, review_change
from reviewer.project import MAX_FILE_BYTES
from reviewer.workspace.files import DictSource

BIG = "apiVersion: v1\nkind: ConfigMap\ndata:\n" + "".join(f"  k{i}: v\n" for i in range(MAX_FILE_BYTES // 8))
FILES = {"k8s/big.yaml": BIG, "Dockerfile": "FROM python:latest\n"}
DIFF = """\
diff --git a/k8s/big.yaml b/k8s/big.yaml
new file mode 100644
--- /dev/null
+++ b/k8s/big.yaml
@@ -0,0 +1,2 @@
+apiVersion: v1
+kind: ConfigMap
diff --git a/Dockerfile b/Dockerfile
new file mode 100644
--- /dev/null
+++ b/Dockerfile
@@ -0,0 +1 @@
+FROM python:latest
"""


def test_audit_notes_a_file_over_the_limit_and_reviews_the_rest():
    report, _ = audit_tree(DictSource(FILES), Config())
    assert any(n.startswith("k8s/big.yaml: skipped") and "limit" in n for n in report.notes)
    assert {f.path for f in report.findings} == {"Dockerfile"}


def test_review_notes_a_changed_file_over_the_limit():
    report, _ = review_change(parse_unified_diff(DIFF), DictSource(FILES), Config(), base=DictSource({}))
    assert {f.path for f in report.findings} == {"Dockerfile"}
    assert any(n.startswith("k8s/big.yaml: skipped") and "limit" in n for n in report.notes)
