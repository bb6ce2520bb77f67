"""The size limit (project.MAX_FILE_BYTES) in both modes: an audit notes a file it skipped; a review
must too, for a changed file it skipped (today the note is dropped: run.py is being moved on main,
so the fix waits for the merge, see the xfail)."""

import pytest

from reviewer.config import Config
from reviewer.diff import parse_unified_diff
from reviewer.project import MAX_FILE_BYTES, DictSource
from reviewer.run import audit_tree, review_change

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


@pytest.mark.xfail(strict=True, reason="run.change_notes drops project.skipped for changed files (report, issue 15)")
def test_review_notes_a_changed_file_over_the_limit():
    report, _ = review_change(parse_unified_diff(DIFF), DictSource(FILES), Config(), base=DictSource({}))
    assert {f.path for f in report.findings} == {"Dockerfile"}
    assert any(n.startswith("k8s/big.yaml: skipped") and "limit" in n for n in report.notes)
