"""arch-review: reviews pull requests the way a senior microservices architect would.

    workspace/ (bytes: dirs, git trees) + diff.py (ChangeSet) ─▶ project.py (classify, parse once: sources/)
      ─▶ services/ (the service model, built from the sources' objects) ─▶ rules/ (one file per family)
      ─▶ engine.py (review_change / audit_tree / with_model_review: llm/) ─▶ Report (model.py)
      ─▶ routing.py (grouping.py once: one comment per problem; then inline / body / notes / summary)
      ─▶ github/ (session, publisher) or render/ (text, SARIF, …)
cli.py and action.py are the composition roots; only github/ imports PyGithub, only llm/anthropic_client.py anthropic.
"""

__version__ = "0.1.0"
