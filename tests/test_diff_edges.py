"""The PR files listing as GitHub may send it tomorrow: a status we do not know, counts that are
not numbers, an entry without a name. Each becomes a note or a default, never a crash."""

from reviewer.diff import FileStatus, from_github_files


def test_unknown_status_is_read_as_modified_with_a_note():
    cs = from_github_files([{"filename": "app.py", "status": "api", "additions": 1, "deletions": 0}])
    assert cs.get("app.py").status is FileStatus.MODIFIED
    assert cs.notes == ["app.py: unknown change status 'api', read as modified"]


def test_counts_that_are_not_numbers_are_zero():
    cs = from_github_files([{"filename": "a.py", "additions": "x", "deletions": None},
                            {"filename": "b.py", "additions": True, "deletions": -3}])
    assert [(c.additions, c.deletions) for c in cs.files.values()] == [(0, 0), (0, 0)]


def test_an_entry_without_a_name_is_skipped_with_a_note():
    cs = from_github_files([{"status": "added"}, {"filename": "", "status": "added"}, {"filename": "ok.py"}])
    assert list(cs.files) == ["ok.py"]
    assert len(cs.notes) == 2 and all("without a name" in n for n in cs.notes)
