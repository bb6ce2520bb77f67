"""``python -m reviewer``: the Action when run by the runner with no arguments, else the CLI."""

import os
import sys


def _main() -> int:
    if len(sys.argv) == 1 and os.environ.get("GITHUB_ACTIONS") == "true":
        from reviewer.action import main as action_main
        return action_main(dict(os.environ))
    from reviewer.cli import main
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(_main())
