"""What changed on a pull request since the head the model last reviewed.

    changes_since(repo, a, b)    GET /repos/{o}/{r}/compare/{a}...{b} -> the hunks pushed after ``a``

The head comes from the model-head marker of our latest review (markers.model_head_in over our
review bodies, which the session's one read of the conversation holds): only our own reviews
count, as a marker pasted by a person must not narrow the model's view. When the recorded head is
not an ancestor of the new head (a force-push or rebase) or the compare is too large to be
complete, there is no "since": the model reviews the whole change again, and says why.
"""

from __future__ import annotations

from github.Repository import Repository

from reviewer.diff import ChangeSet, from_github_files
from reviewer.errors import PublishError
from reviewer.github.client import calling

# GitHub's compare API: "the response will include a comparison of up to 300 files" (REST docs,
# "Compare two commits"). A compare at the cap may be missing files, so it is not used.
COMPARE_FILES_CAP = 300


def changes_since(repo: Repository, old: str, new: str) -> tuple[ChangeSet | None, str]:
    """(the diff old..new, "") or (None, why the whole change is reviewed instead)."""
    try:
        with calling(f"compare {old[:7]}...{new[:7]}"):
            comparison = repo.compare(old, new)
            status = comparison.status
            files = [f.raw_data for f in comparison.files]
    except PublishError as exc:
        return None, f"the last reviewed head {old[:7]} could not be compared with this head ({exc})"
    if status not in ("ahead", "identical"):
        return None, (f"the last reviewed head {old[:7]} is not an ancestor of this head ({status}: a force-push "
                      "or rebase)")
    if len(files) >= COMPARE_FILES_CAP:
        return None, f"{len(files)} or more files changed since the last reviewed head {old[:7]}"
    return from_github_files(files, head_sha=new, base_sha=old), ""
