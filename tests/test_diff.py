from reviewer.diff import FileStatus, from_github_files, parse_unified_diff

GIT_DIFF = """\
diff --git a/svc/app.py b/svc/app.py
index 1111111..2222222 100644
--- a/svc/app.py
+++ b/svc/app.py
@@ -1,4 +1,5 @@
 import requests
+import httpx
{blank}
 def f():
     return 1
diff --git a/old.yaml b/new.yaml
similarity index 90%
rename from old.yaml
rename to new.yaml
--- a/old.yaml
+++ b/new.yaml
@@ -1,2 +1,2 @@
-a: 1
+a: 2
 b: 3
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-x = 1
diff --git a/logo.png b/logo.png
new file mode 100644
Binary files /dev/null and b/logo.png differ
""".format(blank=" ")


def test_git_diff_gives_statuses_and_right_side_lines():
    cs = parse_unified_diff(GIT_DIFF)
    app = cs.get("svc/app.py")
    assert app.status is FileStatus.MODIFIED
    assert app.added_lines == {2}
    assert [ln for ln in range(1, 8) if app.commentable(ln)] == [1, 2, 3, 4, 5]
    renamed = cs.get("new.yaml")
    assert renamed.status is FileStatus.RENAMED and renamed.old_path == "old.yaml"
    assert cs.get("gone.py").status is FileStatus.REMOVED
    assert cs.get("logo.png").binary
    assert cs.reviewable_paths == ["svc/app.py", "new.yaml"]


def test_github_files_patch_hunks_and_missing_patch():
    cs = from_github_files([
        {"filename": "a.py", "status": "modified", "additions": 1, "deletions": 0,
         "patch": "@@ -10,3 +10,4 @@ def f():\n x\n+y\n z\n w"},
        {"filename": "huge.yaml", "status": "modified", "additions": 9000, "deletions": 12},
        {"filename": "b.py", "status": "renamed", "previous_filename": "old_b.py", "additions": 0, "deletions": 0},
    ], head_sha="abc")
    a = cs.get("a.py")
    assert a.commentable(11) and a.commentable(13) and not a.commentable(14) and not a.commentable(9)
    assert a.is_changed_line(11) and not a.is_changed_line(10)
    assert cs.get("huge.yaml").patch_missing
    b = cs.get("b.py")
    assert b.status is FileStatus.RENAMED and b.old_path == "old_b.py" and not b.patch_missing
    assert not cs.commentable("missing.py", 1)
