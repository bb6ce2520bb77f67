# The image GitHub builds for `runs.using: docker` (action.yml) and publishes as ghcr.io/<owner>/arch-review.
#
# No USER and no WORKDIR, as GitHub's "Dockerfile support for GitHub Actions" asks:
#   "Docker actions must be run by the default Docker user (root). Do not use the USER instruction in your
#    Dockerfile, because you won't be able to access the GITHUB_WORKSPACE directory."
#   "It's recommended to not use the WORKDIR instruction in your Dockerfile. Before the action executes,
#    GitHub will mount the GITHUB_WORKSPACE directory on top of anything that was at that location in the
#    Docker image and set GITHUB_WORKSPACE as the working directory."
# arch-review: ignore[docker-runs-as-root] Actions runs Docker actions as root (quoted above)
# The base image, pinned by the digest of its multi-arch index: python:3.12-slim as of
# August 2026. This digest was not resolved on the machine that wrote it (no registry access there);
# it is the index digest that several public projects pin for that tag. Re-resolve it when bumping
# with `docker buildx imagetools inspect python:3.12-slim`; Dependabot (.github/dependabot.yml)
# proposes each new digest as a PR.
FROM python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The dependencies first, in their own layer: a change to our code reuses it. Every artefact is checked
# against the hashes of requirements.lock (`make lock`); nothing unpinned is installed.
COPY requirements.lock /opt/arch-review/
RUN pip install --no-cache-dir --require-hashes -r /opt/arch-review/requirements.lock

COPY pyproject.toml README.md /opt/arch-review/
COPY reviewer /opt/arch-review/reviewer
COPY prompts /opt/arch-review/prompts
RUN pip install --no-cache-dir --no-deps /opt/arch-review

# Exec form with an absolute interpreter path: python is PID 1 and gets the runner's SIGTERM.
ENTRYPOINT ["/usr/local/bin/python", "-m", "reviewer"]
