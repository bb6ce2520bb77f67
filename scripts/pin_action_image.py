"""Point action.yml at the prebuilt image of a release: `runs.image: docker://<image>:<version>`.

The release workflow runs this on the release tag's checkout (main keeps `image: Dockerfile` for
development), so `uses: <owner>/arch-review@v1` pulls the published image instead of building the
Dockerfile on every run (GitHub: "docker://" images are "pulled from Docker Hub or a registry").

    python scripts/pin_action_image.py ghcr.io/<owner>/arch-review v1.2.3 [action.yml]

Only the `image:` line under `runs:` changes; comments, order and quoting elsewhere stay as written.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_IMAGE_NAME = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\.[a-z0-9-]+)*(?::\d+)?(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)+")
_VERSION = re.compile(r"v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?")


def pin(text: str, image: str, version: str) -> str:
    """action.yml's text with `runs.image` set to ``docker://image:version``; ValueError when it cannot."""
    if not _IMAGE_NAME.fullmatch(image):
        raise ValueError(f"not a lower-case image name: {image!r} (registry paths must be lower-case)")
    if not _VERSION.fullmatch(version):
        raise ValueError(f"not a release version: {version!r} (expected v1.2.3)")
    tag = version.replace("+", "_")  # a registry tag allows [A-Za-z0-9_.-]
    lines = text.splitlines(keepends=True)
    in_runs, done = False, False
    for i, line in enumerate(lines):
        if re.match(r"runs\s*:\s*(#.*)?$", line.rstrip("\n")):
            in_runs = True
            continue
        if in_runs and line.strip() and not line[0].isspace():
            break  # the next top-level key: runs had no image line
        match = re.match(r"(\s+image\s*:\s*)(\S+)(.*)$", line.rstrip("\n")) if in_runs else None
        if match:
            newline = line[len(line.rstrip("\n")):]
            lines[i] = f"{match.group(1)}docker://{image}:{tag}{match.group(3)}{newline}"
            done = True
            break
    if not done:
        raise ValueError("action.yml has no `image:` under `runs:`")
    return "".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[0] + "\nusage: pin_action_image.py IMAGE VERSION [ACTION_YML]",
              file=sys.stderr)
        return 2
    path = Path(argv[2] if len(argv) == 3 else "action.yml")
    try:
        path.write_text(pin(path.read_text(encoding="utf-8"), argv[0], argv[1]), encoding="utf-8")
    except (OSError, ValueError) as exc:
        print(f"pin_action_image: {exc}", file=sys.stderr)
        return 2
    print(f"{path}: runs.image = docker://{argv[0]}:{argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
