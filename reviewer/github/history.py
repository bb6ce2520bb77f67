"""What earlier runs on a pull request reviewed with the model, and what changed since.

    last_model_head(pull)        the head recorded by our latest review that carries a model-head marker
    changes_since(repo, a, b)    GET /repos/{o}/{r}/compare/{a}...{b} -> the hunks pushed after ``a``

Only our own reviews count (a marker pasted by a person must not narrow the model's view). When the
recorded head is not an ancestor of the new head (a force-push or rebase) or the compare is too large
to be complete, there is no "since": the model reviews the whole change again, and says why.
"""

from __future__ import annotations

from github.PullRequest import PullRequest
from github.Repository import Repository

from reviewer.diff import ChangeSet, from_github_files
from reviewer.errors import PublishError
from reviewer.github.client import calling, written_by_us
from reviewer.render.markers import model_head_in

# GitHub's compare API: "the response will include a comparison of up to 300 files" (REST docs,
# "Compare two commits"). A compare at the cap may be missing files, so it is not used.
COMPARE_FILES_CAP = 300


def last_model_head(pull: PullRequest, login: str | None = None) -> str | None:
    with calling(f"read the reviews of PR #{pull.number}"):
        bodies = [r.body for r in pull.get_reviews() if written_by_us(r.user, login)]
    return model_head_in(*bodies)


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
