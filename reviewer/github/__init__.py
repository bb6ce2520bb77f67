"""Everything that talks to GitHub. The only package that imports PyGithub (``github``).

    client.py          the PyGithub client: bounded retries, errors translated into reviewer.errors
    event.py           event + input mode -> Mode; the trust check for comment triggers
    pull.py            a PR as a ChangeSet plus head/base sources; the config from the base branch
    publisher.py       ONE create-review call per run, deduplicated by hidden markers
    tracking_issue.py  the audit's single tracking issue
"""
